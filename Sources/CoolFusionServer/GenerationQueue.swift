/// Admission control for generations: at most `concurrency` run at once and at most `queueLimit` wait;
/// a request beyond that is refused at once (503) rather than piling up. Also counts how generations
/// ended, so `/health` shows that a client who hung up really stopped its generation.
actor GenerationQueue {
    let concurrency: Int
    let queueLimit: Int
    private var running = 0
    private var waiting: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextID = 0
    private var finished = 0
    private var cancelled = 0

    init(concurrency: Int, queueLimit: Int) {
        self.concurrency = max(1, concurrency)
        self.queueLimit = max(0, queueLimit)
    }

    struct Full: Error {}

    /// How a generation that held a slot ended.
    enum Ending {
        /// It ran to its end (an answer or an error of its own).
        case finished
        /// Its client went away (or the server shut down) and it stopped early.
        case cancelled
    }

    struct Status: Sendable {
        var running: Int
        var waiting: Int
        var finished: Int
        var cancelled: Int
    }

    var status: Status { Status(running: running, waiting: waiting.count, finished: finished, cancelled: cancelled) }

    /// Waits for a slot; throws `Full` when the queue is full, or `CancellationError` if cancelled while waiting.
    func acquire() async throws {
        if running < concurrency {
            running += 1
            return
        }
        guard waiting.count < queueLimit else { throw Full() }
        let id = nextID
        nextID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiting.append((id, continuation))
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Hands the slot to the next waiter, or frees it.
    func release(_ ending: Ending) {
        switch ending {
        case .finished: finished += 1
        case .cancelled: cancelled += 1
        }
        if waiting.isEmpty {
            running = max(0, running - 1)
        } else {
            waiting.removeFirst().continuation.resume()
        }
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiting.firstIndex(where: { $0.id == id }) else { return }
        waiting.remove(at: index).continuation.resume(throwing: CancellationError())
    }
}
