import Foundation

/// A dedicated thread for long synchronous engine work (prefill, decode, scoring), usable as the
/// serial executor of an actor that owns a model's state.
///
/// Why: Swift's cooperative pool has one thread per core (two on a small machine). A forward pass
/// holds its thread for up to seconds without suspending, so with every pool thread inside the
/// engine, nothing else async can run: a server's `/health` or a new request waits, a client's
/// hang-up goes unnoticed. Engine work on its own threads leaves the pool to I/O and bookkeeping.
/// This does not oversubscribe the cores: matrix products still go through the shared
/// `ThreadPool`, which serializes callers; the extra threads mostly wait for it.
public final class ComputeThread: SerialExecutor, @unchecked Sendable {
    private let queue = WorkQueue()

    /// Starts the thread; it ends when this object is released and its queue is drained.
    /// - Parameter name: thread name as debuggers and `top -H` show it; Linux keeps 15 bytes of it.
    public init(name: String) {
        let queue = self.queue
        let shortName = Self.threadName(name)
        let started = DispatchSemaphore(value: 0)
        let thread = Thread {
            // Why wait, and why name it here: on Linux, Foundation's name setter goes through the
            // pthread handle that `start` stores only once thread creation returns (a thread naming
            // itself earlier is ignored silently), and its thread start re-applies the name the new
            // thread had then, so a name given from outside can be overwritten. Either way the
            // thread kept its creator's name (a Swift pool thread's "oot.default-qos" in a loaded
            // CI run).
            started.wait()
            Thread.current.name = shortName
            queue.runUntilClosed()
        }
        thread.start()
        started.signal()
    }

    /// `name` cut to the 15 bytes a Linux thread name holds (longer ones are refused), at a
    /// character boundary.
    static func threadName(_ name: String) -> String {
        var result = ""
        for character in name {
            guard result.utf8.count + character.utf8.count <= 15 else { break }
            result.append(character)
        }
        return result
    }

    deinit { queue.close() }

    public func enqueue(_ job: consuming ExecutorJob) {
        queue.push(.job(UnownedJob(job), asUnownedSerialExecutor()))
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Runs `body` on this thread, after the work queued before it, and returns its result.
    public func perform<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.push(.closure { continuation.resume(with: Result { try body() }) })
        }
    }

    /// Runs `body` on a new thread of its own (ended afterwards), for one-off synchronous work.
    public static func detached<T: Sendable>(name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await ComputeThread(name: name).perform(body)
    }
}

/// The thread's queue: jobs and closures in arrival order, and whether its owner is gone.
private final class WorkQueue: @unchecked Sendable {
    enum Item {
        case job(UnownedJob, UnownedSerialExecutor)
        case closure(() -> Void)
    }

    private let condition = NSCondition()
    private var items: [Item] = []
    private var head = 0
    private var closed = false

    func push(_ item: Item) {
        condition.lock()
        items.append(item)
        condition.signal()
        condition.unlock()
    }

    func close() {
        condition.lock()
        closed = true
        condition.signal()
        condition.unlock()
    }

    /// The thread's body: runs items until the queue is closed and empty.
    func runUntilClosed() {
        while let item = next() {
            switch item {
            case .job(let job, let executor): job.runSynchronously(on: executor)
            case .closure(let body): body()
            }
        }
    }

    private func next() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count {
            if closed { return nil }
            condition.wait()
        }
        let item = items[head]
        head += 1
        if head == items.count {
            // Drained: reuse the storage instead of letting consumed items pile up.
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        return item
    }
}
