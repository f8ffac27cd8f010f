import Foundation

/// JSON coding of the HTTP APIs: snake_case keys on the wire (`max_tokens`, `finish_reason`),
/// camelCase in Swift, for both the OpenAI shapes and the worker protocol.
public enum WireCoding {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}
