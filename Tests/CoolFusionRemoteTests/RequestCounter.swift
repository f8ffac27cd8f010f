import Foundation
import CoolFusionServer
import Hummingbird

/// Counts the requests a real worker receives, by the last component of their path (`commit_text`,
/// `next_segment`, `completions`, ...): how many calls a fusion makes is observed at the worker's
/// router, as a client's calls would be seen on the wire, without changing the worker.
final class RequestCounter: RouterMiddleware, @unchecked Sendable {
    typealias Context = ServerRequestContext
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let name = request.uri.path.split(separator: "/").last.map(String.init) ?? ""
        lock.withLock { counts[name, default: 0] += 1 }
        return try await next(request, context)
    }

    /// Requests received so far whose path ends in `name`.
    func count(_ name: String) -> Int { lock.withLock { counts[name, default: 0] } }

    /// Every request received so far, by path ending.
    var all: [String: Int] { lock.withLock { counts } }
}
