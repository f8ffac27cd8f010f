import CoolFusionRemote
import Foundation
import Hummingbird
import NIOCore

/// Reads and decodes JSON request bodies with errors a client can act on: which field has the wrong
/// type or is missing, or that the body is not JSON at all.
enum RequestBody {
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: ServerRequestContext) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch {
            throw unreadable(error, limit: context.maxUploadSize)
        }
        return try decode(type, from: Data(buffer.readableBytesView))
    }

    /// Like `decode(_:from:context:)`, keeping the collected body in `request` (`collectBody`): the
    /// request can then still be watched for its client hanging up (`FusionServer.watchingClient`).
    /// `limit` (default: the context's upload limit) is the largest body read.
    static func decode<T: Decodable>(_ type: T.Type, from request: inout Request,
                                     context: ServerRequestContext, limit: Int? = nil) async throws -> T {
        let buffer: ByteBuffer
        let limit = limit ?? context.maxUploadSize
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw unreadable(error, limit: limit)
        }
        return try decode(type, from: Data(buffer.readableBytesView))
    }

    /// Why a body could not be collected: too large, or broken on the wire (a bad chunk size, a
    /// connection closed mid-body).
    static func unreadable(_ error: any Error, limit: Int) -> APIError {
        if error is NIOTooManyBytesError {
            return APIError(.contentTooLarge, "the request body is larger than \(limit) bytes, more than a request "
                            + "that fits the models' contexts can need")
        }
        return .badRequest("the request body could not be read: \(error)")
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        guard !data.isEmpty else { throw APIError.badRequest("the request body is empty; send a JSON object") }
        do {
            return try WireCoding.decoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            // The decoder's own words hide these causes ("not valid JSON", or "wrong type" where a
            // field may take several types): name them and their field.
            if let problem = JSONDiagnosis.textProblem(Array(data)) { throw problem }
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
               let problem = JSONDiagnosis.numberProblem(data, decoding: T.self) {
                throw problem
            }
            throw explain(error)
        }
    }

    /// A 400 naming the field (in its wire spelling) and what was wrong with it.
    static func explain(_ error: DecodingError) -> APIError {
        switch error {
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            return .badRequest("field '\(field)' has the wrong type: expected \(typeName(type))", param: field)
        case .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return .badRequest("field '\(field)' must not be null: expected \(typeName(type))", param: field)
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return .badRequest("missing required field '\(field)'", param: field)
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return .badRequest("the request body is not valid JSON")
            }
            let field = path(context.codingPath)
            return .badRequest("field '\(field)' is invalid: \(context.debugDescription)", param: field)
        @unknown default:
            return .badRequest("the request body could not be read: \(error)")
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { key in key.intValue.map { "[\($0)]" } ?? snakeCase(key.stringValue) }
            .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
    }

    static func snakeCase(_ name: String) -> String {
        var out = ""
        for character in name {
            if character.isUppercase {
                out += "_" + character.lowercased()
            } else {
                out.append(character)
            }
        }
        return out
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is Bool.Type: return "a boolean"
        case is String.Type: return "a string"
        case is OpenAIWire.Prompt.Type: return "a string or a list of token ids"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "a list" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return name
        }
    }
}
