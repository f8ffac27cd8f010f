import Foundation
import Testing

/// `coolfusion serve` on a real socket closes connections that hold a descriptor without making
/// progress (half a request head, idle keep-alive), and answers HTTP/1.0 as HTTP/1.0 with
/// `Connection: close`, closing the connection after the answer.
@Suite(.serialized) struct ConnectionLimitTests {
    /// Far above every timeout below: only a server that never closes reaches it.
    static let bound = Duration.seconds(120)

    @Test func halfSentHeadsAndIdleKeepAliveConnectionsAreClosed() async throws {
        let server = try ServerProcess(["serve", "--model", "smollm2-135m", "--idle-timeout", "2"])
        defer { server.stop() }
        let port = try WorkerSessionReleaseTests.port(of: server.url)

        let partial = try RawHTTPConnection(port: port)
        defer { partial.close() }
        try partial.sendRaw("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        #expect(try await partial.readUntilClosed(within: Self.bound).isEmpty)

        // A complete request is answered; then the connection, kept alive, idles and is closed.
        let idle = try RawHTTPConnection(port: port)
        defer { idle.close() }
        try idle.sendRaw("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let answered = try await idle.readUntilClosed(within: Self.bound)
        #expect(answered.hasPrefix("HTTP/1.1 200"), "\(answered)")
        #expect(answered.contains("\"status\""), "\(answered)")
    }

    @Test func http10IsAnsweredAsHTTP10AndTheConnectionClosed() async throws {
        // An idle timeout far beyond the no-hang bound: only the HTTP/1.0 handling can close it.
        let server = try ServerProcess(["serve", "--model", "smollm2-135m", "--idle-timeout", "3600"])
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: try WorkerSessionReleaseTests.port(of: server.url))
        defer { connection.close() }
        try connection.sendRaw("GET /health HTTP/1.0\r\n\r\n")
        let answer = try await connection.readUntilClosed(within: Self.bound)
        #expect(answer.hasPrefix("HTTP/1.0 200"), "\(answer)")
        #expect(answer.lowercased().contains("connection: close"), "\(answer)")
        #expect(!answer.lowercased().contains("transfer-encoding"), "\(answer)")
        #expect(answer.contains("\"status\""), "\(answer)")
    }

    @Test func aBodyBrokenOnTheWireIsNamedNotCalledTooLarge() async throws {
        let server = try ServerProcess(["serve", "--model", "smollm2-135m"])
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: try WorkerSessionReleaseTests.port(of: server.url))
        defer { connection.close() }
        try connection.sendRaw("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                               + "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n")
        let answer = try await connection.read(until: "}}", within: Self.bound)
        #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer)")
        #expect(answer.contains("chunk size"), "\(answer)")
        #expect(!answer.contains("larger than"), "\(answer)")
    }
}
