import CoolFusion
import Foundation

/// The worker's open sessions: one `EngineSourceModel` (its own KV cache) per session id. Sessions
/// unused for longer than `idleTimeout` are freed by `reap()` (the worker calls it periodically), so a
/// master that vanished does not keep memory forever.
actor WorkerSessions {
    private struct Entry {
        let model: EngineSourceModel
        var lastUsed: ContinuousClock.Instant
    }

    private var entries: [String: Entry] = [:]
    let idleTimeout: Duration
    let maximumSessions: Int
    private let clock = ContinuousClock()

    init(idleTimeout: Duration, maximumSessions: Int) {
        self.idleTimeout = idleTimeout
        self.maximumSessions = maximumSessions
    }

    var count: Int { entries.count }

    /// Registers a new session; 503 when the worker already holds `maximumSessions`.
    func add(_ model: EngineSourceModel) throws -> String {
        reap()
        guard entries.count < maximumSessions else {
            throw APIError(.serviceUnavailable, "the worker holds its maximum of \(maximumSessions) sessions; retry later")
        }
        let id = "sess-" + UUID().uuidString.lowercased()
        entries[id] = Entry(model: model, lastUsed: clock.now)
        return id
    }

    /// The session's model, marked as used now; 404 for an unknown or expired id.
    func model(_ id: String) throws -> EngineSourceModel {
        reap()
        guard var entry = entries[id] else {
            throw APIError(.notFound, "no session '\(id)' (closed, or idle longer than the worker's timeout)",
                           code: "session_not_found")
        }
        entry.lastUsed = clock.now
        entries[id] = entry
        return entry.model
    }

    /// Marks the session used now (after a long call), if it still exists.
    func touch(_ id: String) {
        entries[id]?.lastUsed = clock.now
    }

    @discardableResult
    func remove(_ id: String) -> Bool {
        entries.removeValue(forKey: id) != nil
    }

    /// Frees sessions idle longer than the timeout; returns how many.
    @discardableResult
    func reap() -> Int {
        let now = clock.now
        let expired = entries.filter { now - $0.value.lastUsed > idleTimeout }.map(\.key)
        for id in expired { entries.removeValue(forKey: id) }
        return expired.count
    }
}
