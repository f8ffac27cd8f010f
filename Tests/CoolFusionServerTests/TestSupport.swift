import CoolFusionModelStore
import CoolFusionRemote
import CoolFusionServer
import Foundation
import Hummingbird
import HummingbirdTesting

/// The two smallest default models, loaded once per test process (weights are memory-mapped).
enum TestModels {
    private static let smolResult = Result { try HostedModel(path: try ModelStore().resolve("smollm2-135m"), name: "smollm2-135m") }
    private static let gemmaResult = Result { try HostedModel(path: try ModelStore().resolve("gemma3-270m"), name: "gemma3-270m") }

    static func smol() throws -> HostedModel { try smolResult.get() }
    static func gemma() throws -> HostedModel { try gemmaResult.get() }
}

enum Wire {
    static func json(_ value: some Encodable) throws -> ByteBuffer {
        ByteBuffer(bytes: try WireCoding.encoder().encode(value))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        try WireCoding.decoder().decode(T.self, from: Data(response.body.readableBytesView))
    }

    static func error(_ response: TestResponse) throws -> APIErrorBody.Detail {
        try decode(APIErrorBody.self, response).error
    }

    /// The `data:` payloads of a server-sent-event body, in order.
    static func events(_ response: TestResponse) -> [String] {
        String(decoding: response.body.readableBytesView, as: UTF8.self)
            .components(separatedBy: "\n\n")
            .filter { $0.hasPrefix("data: ") }
            .map { String($0.dropFirst("data: ".count)) }
    }

    /// The JSON events of a server-sent-event body before its closing `[DONE]`, decoded.
    static func chunks<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> [T] {
        try events(response).filter { $0 != "[DONE]" }.map { try WireCoding.decoder().decode(T.self, from: Data($0.utf8)) }
    }
}

/// Runs `body`, failing after `limit` instead of hanging (a bound for a broken build, not a timing
/// assertion: it is far above how long the body takes).
func withNoHangBound<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw NoHangBoundExceeded(limit: limit) }
        return value
    }
}

struct NoHangBoundExceeded: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "did not finish within the no-hang bound of \(limit)" }
}
