import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bare HTTP/1.1 client on a loopback TCP socket, so a test can hang up in the middle of an answer
/// exactly as a killed client does: by closing the socket. Reads never block a thread for long
/// (a short receive timeout, then the task sleeps), so the in-process server keeps its threads.
/// Unchecked: a connection is used by one thread at a time (a watcher thread hands it back before the
/// test reads on).
final class RawHTTPConnection: @unchecked Sendable {
    private var descriptor: Int32

    enum Failure: Error, CustomStringConvertible {
        case system(String, Int32)
        case timedOut(waitingFor: String, received: String)

        var description: String {
            switch self {
            case .system(let call, let code): return "\(call) failed: \(String(cString: strerror(code)))"
            case .timedOut(let marker, let received): return "no '\(marker)' in the answer within the bound; got: \(received)"
            }
        }
    }

    init(port: Int) throws {
        #if canImport(Glibc)
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw Failure.system("socket", errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            close()
            throw Failure.system("connect", code)
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends a POST of `json` to `path`.
    func post(_ path: String, json: String) throws {
        let body = Array(json.utf8)
        try sendRequest("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.count)\r\n\r\n", body: body)
    }

    /// Sends a GET of `path`; the server closes the connection after answering.
    func get(_ path: String) throws {
        try sendRequest("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", body: [])
    }

    /// Sends `text` as it is: a hand-written request, or part of one.
    func sendRaw(_ text: String) throws {
        try sendRequest(text, body: [])
    }

    /// Reads until the server closes the connection and returns all it sent; throws `timedOut` after
    /// `limit` (a no-hang bound: a server that never closes fails the test).
    func readUntilClosed(within limit: Duration) async throws -> String {
        try await receive(within: limit, waitingFor: "the server to close the connection") { received, closed in
            closed ? String(decoding: received, as: UTF8.self) : nil
        }
    }

    private func sendRequest(_ head: String, body: [UInt8]) throws {
        var bytes = Array(head.utf8) + body
        while !bytes.isEmpty {
            let sent = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
            guard sent > 0 else { throw Failure.system("send", errno) }
            bytes.removeFirst(sent)
        }
    }

    /// Reads until `marker` has arrived; throws `timedOut` after `limit` (a no-hang bound).
    func read(until marker: String, within limit: Duration) async throws -> String {
        try await receive(within: limit, waitingFor: marker) { received, _ in
            let text = String(decoding: received, as: UTF8.self)
            return text.contains(marker) ? text : nil
        }
    }

    /// Reads until `marker` has arrived, blocking the calling thread (a dedicated one, never a task's):
    /// for a watcher that must act the moment something arrives even when the test's tasks are slow to
    /// be scheduled. Throws `timedOut` after `limit`.
    func readBlocking(until marker: String, within limit: TimeInterval) throws -> String {
        let deadline = Date().addingTimeInterval(limit)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            // Each receive waits at most the socket's short timeout.
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 { received += chunk[..<count] }
            let text = String(decoding: received, as: UTF8.self)
            if text.contains(marker) { return text }
            guard count != 0, Date() < deadline else {
                throw Failure.timedOut(waitingFor: marker, received: text)
            }
        }
    }

    /// Reads a whole answer to a `get` (its `Content-Length`, or up to the server closing the connection)
    /// and returns its body; throws `timedOut` after `limit` (a no-hang bound).
    func body(within limit: Duration) async throws -> [UInt8] {
        try await receive(within: limit, waitingFor: "the whole answer") { received, closed in
            guard let (head, body) = Self.split(received) else { return nil }
            let length = head.split(separator: "\r\n").lazy.compactMap { line -> Int? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                return Int(parts[1].trimmingCharacters(in: .whitespaces))
            }.first
            if let length, body.count >= length { return Array(body.prefix(length)) }
            return closed ? body : nil   // closed by the server: the body is what came
        }
    }

    /// Receives until `done(bytes so far, closed by the server)` gives a result; throws `timedOut`
    /// after `limit`, or when the server closed the connection before `done` was satisfied.
    private func receive<T>(within limit: Duration, waitingFor what: String,
                            _ done: ([UInt8], Bool) -> T?) async throws -> T {
        let clock = ContinuousClock()
        let start = clock.now
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 { received += chunk[..<count] }
            if let result = done(received, count == 0) { return result }
            if count > 0 { continue }
            guard clock.now - start < limit, count < 0 else {
                throw Failure.timedOut(waitingFor: what, received: String(decoding: received, as: UTF8.self))
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The head (as text) and the body bytes so far, once the head is complete.
    private static func split(_ bytes: [UInt8]) -> (head: String, body: [UInt8])? {
        let separator = Array("\r\n\r\n".utf8)
        guard let end = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else { return nil }
        return (String(decoding: bytes[..<end], as: UTF8.self), Array(bytes[(end + separator.count)...]))
    }

    /// Hangs up (idempotent).
    func close() {
        guard descriptor >= 0 else { return }
        #if canImport(Glibc)
        _ = Glibc.close(descriptor)
        #else
        _ = Darwin.close(descriptor)
        #endif
        descriptor = -1
    }

    deinit { close() }
}
