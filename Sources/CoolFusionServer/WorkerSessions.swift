import CoolFusion
import CoolFusionLocal
import Foundation

/// The worker's open sessions: one `EngineSourceModel` (its own KV cache) per session id. Sessions
/// unused for longer than `idleTimeout` are freed by `reap()` (the worker calls it periodically, and
/// on every look-up), so a master that vanished does not keep memory forever. A session is never
/// freed while a call on it runs (a long generation on a loaded machine can outlast the timeout); its
/// idle time starts when its last call ends.
actor WorkerSessions {
    private struct Entry {
        let model: EngineSourceModel
        var lastUsed: ContinuousClock.Instant
        /// Calls running on the session now.
        var calls = 0
    }

    private var entries: [String: Entry] = [:]
    /// Ids deleted before they were open (a master that gave up waiting for their open).
    private var closedEarly: Set<String> = []
    static let closedEarlyLimit = 4096
    let idleTimeout: Duration
    let maximumSessions: Int
    private let clock = ContinuousClock()

    init(idleTimeout: Duration, maximumSessions: Int) {
        self.idleTimeout = idleTimeout
        self.maximumSessions = maximumSessions
    }

    /// Sessions held now (expired ones freed first).
    var count: Int {
        reap()
        return entries.count
    }

    /// Registers a new session; 503 when the worker already holds `maximumSessions`.
    func add(_ model: EngineSourceModel, id chosen: String? = nil) throws -> String {
        reap()
        guard entries.count < maximumSessions else {
            throw APIError(.serviceUnavailable, "the worker holds its maximum of \(maximumSessions) sessions; retry later")
                .retryingAfter(1)
        }
        let id = chosen ?? "sess-" + UUID().uuidString.lowercased()
        if closedEarly.remove(id) != nil {
            throw APIError(.gone, "session '\(id)' was closed before its open finished", code: "session_closed")
        }
        guard entries[id] == nil else {
            throw APIError(.conflict, "session '\(id)' already exists", param: "session_id", code: "session_exists")
        }
        entries[id] = Entry(model: model, lastUsed: clock.now)
        return id
    }

    /// Checks a session id a master chose: the worker's own shape, so it is safe in a path.
    static func validate(chosen id: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard id.hasPrefix("sess-"), (6...64).contains(id.count), id.allSatisfy({ allowed.contains($0) }) else {
            throw APIError.badRequest("session_id must be 'sess-' and up to 59 of a-z, 0-9, '-'", param: "session_id")
        }
    }

    /// The session's model for one call, which must be followed by `checkIn`; 404 for an unknown or
    /// expired id.
    func checkOut(_ id: String) throws -> EngineSourceModel {
        reap()
        guard var entry = entries[id] else {
            throw APIError(.notFound, "no session '\(id)' (closed, or idle longer than the worker's timeout)",
                           code: "session_not_found")
        }
        entry.calls += 1
        entry.lastUsed = clock.now
        entries[id] = entry
        return entry.model
    }

    /// Ends a call on the session: its idle time starts now.
    func checkIn(_ id: String) {
        guard var entry = entries[id] else { return }
        entry.calls = max(0, entry.calls - 1)
        entry.lastUsed = clock.now
        entries[id] = entry
    }

    @discardableResult
    func remove(_ id: String) -> Bool {
        if entries.removeValue(forKey: id) != nil { return true }
        // Perhaps still opening: remember it, so the open does not register it (bounded memory).
        if closedEarly.count >= Self.closedEarlyLimit { closedEarly.removeAll() }
        closedEarly.insert(id)
        return false
    }

    /// Frees sessions without a running call that are idle longer than the timeout; returns how many.
    @discardableResult
    func reap() -> Int {
        let now = clock.now
        let expired = entries.filter { $0.value.calls == 0 && now - $0.value.lastUsed > idleTimeout }.map(\.key)
        for id in expired { entries.removeValue(forKey: id) }
        return expired.count
    }
}
