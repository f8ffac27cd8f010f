import Synchronization

/// The forward passes a model ran, the rows (tokens) they computed and the rows whose next-token
/// distribution they gave, over the model's life and all its sessions, with the time they took. A
/// pass streams the model's weights once however many rows it has, so passes measure a generation's
/// memory traffic, rows its arithmetic and output rows its output-head work (a product over the whole
/// vocabulary and a softmax per row), free of the timing noise of a shared machine: what
/// `generate --json` reports per model to compare methods by the work they do, and the seconds say
/// what that work cost.
public final class PassCounter: Sendable {
    private let counts = Mutex(Counts())

    public struct Counts: Sendable, Equatable {
        public var passes = 0
        public var rows = 0
        /// Rows whose logits the pass computed (the output head ran on them and the caller read them).
        public var outputRows = 0
        /// Wall-clock seconds inside the passes, and the part of them spent on the output rows (the
        /// final norm, the product with the output matrix, the caller's use of each row's logits).
        /// When several models share one thread pool concurrently, a pass's time includes waiting for
        /// the other models' products.
        public var seconds = 0.0
        public var outputSeconds = 0.0

        public init(passes: Int = 0, rows: Int = 0, outputRows: Int = 0, seconds: Double = 0, outputSeconds: Double = 0) {
            self.passes = passes
            self.rows = rows
            self.outputRows = outputRows
            self.seconds = seconds
            self.outputSeconds = outputSeconds
        }

        /// The work done since `earlier`.
        public func since(_ earlier: Counts) -> Counts {
            Counts(passes: passes - earlier.passes, rows: rows - earlier.rows, outputRows: outputRows - earlier.outputRows,
                   seconds: seconds - earlier.seconds, outputSeconds: outputSeconds - earlier.outputSeconds)
        }
    }

    public var value: Counts { counts.withLock { $0 } }

    func add(rows: Int, outputRows: Int, seconds: Double, outputSeconds: Double) {
        counts.withLock {
            $0.passes += 1
            $0.rows += rows
            $0.outputRows += outputRows
            $0.seconds += seconds
            $0.outputSeconds += outputSeconds
        }
    }
}
