import Foundation

/// Whether a worker answers, as the master last saw it, shared by every generation that uses it.
///
/// A call that times out or cannot reach the worker marks it down. While it is down, generations do
/// not wait on it again (each would wait the whole timeout once more): they fail, or drop it, at once.
/// A probe (`GET /v1/worker`, bounded by the worker's timeout) runs in the background until the worker
/// answers again, which marks it up; so does any call that succeeds.
public final class WorkerHealth: @unchecked Sendable {
    /// A member's state as `/health` reports it.
    public enum State: Sendable, Equatable {
        case up
        case down(reason: String)
    }

    private let lock = NSLock()
    private var current = State.up
    private var since: Date?
    private var probing = false

    public init() {}

    public var state: State { lock.withLock { current } }

    /// When the worker was marked down (the first failure of the current outage); nil while up.
    public var downSince: Date? { lock.withLock { since } }

    public var isDown: Bool {
        if case .down = state { return true }
        return false
    }

    /// Records a successful call.
    public func markUp() {
        lock.withLock {
            current = .up
            since = nil
        }
    }

    /// Records a failed call and starts probing `client`'s worker until it answers again (one probe
    /// at a time, however many generations saw the failure).
    public func markDown(_ reason: String, probing client: WorkerClient, every interval: Duration = .seconds(1)) {
        let startProbe = lock.withLock { () -> Bool in
            current = .down(reason: reason)
            if since == nil { since = Date() }
            guard !probing else { return false }
            probing = true
            return true
        }
        guard startProbe else { return }
        Task.detached { [self] in
            while stillDownElseStopProbing() {
                let answer = try? await client.send(.GET, "/v1/worker", operation: "health probe")
                if let answer, (200..<300).contains(answer.status) {
                    markUp()
                } else {
                    try? await Task.sleep(for: interval)
                }
            }
        }
    }

    /// Whether the probe must go on; when not, it ends in the same step (so a failure recorded after
    /// it, which sees it still probing, is never left without a probe).
    private func stillDownElseStopProbing() -> Bool {
        lock.withLock {
            if case .down = current { return true }
            probing = false
            return false
        }
    }
}
