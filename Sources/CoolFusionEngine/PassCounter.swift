import Synchronization

/// The forward passes a model ran and the rows (tokens) they computed, over the model's life and all
/// its sessions. A pass streams the model's weights once however many rows it has, so passes measure
/// a generation's memory traffic, and rows its arithmetic, free of the timing noise of a shared
/// machine: what `generate --json` reports per model to compare methods by the work they do.
public final class PassCounter: Sendable {
    private let counts = Mutex(Counts())

    public struct Counts: Sendable, Equatable {
        public var passes = 0
        public var rows = 0

        public init(passes: Int = 0, rows: Int = 0) {
            self.passes = passes
            self.rows = rows
        }

        /// The work done since `earlier`.
        public func since(_ earlier: Counts) -> Counts { Counts(passes: passes - earlier.passes, rows: rows - earlier.rows) }
    }

    public var value: Counts { counts.withLock { $0 } }

    func add(rows: Int) {
        counts.withLock {
            $0.passes += 1
            $0.rows += rows
        }
    }
}
