import Foundation

/// Ctrl-C in `coolfusion chat`: during a generation it stops that generation (the chat goes on); at
/// the prompt the first press says how to leave and a second one leaves.
final class ChatInterrupts: @unchecked Sendable {
    private let lock = NSLock()
    private var generation: Task<Void, Never>?
    private var armed = false
    private var source: (any DispatchSourceSignal)?
    private let say: @Sendable (String) -> Void

    init(say: @escaping @Sendable (String) -> Void) {
        self.say = say
    }

    /// Takes SIGINT over from the default handler (which would end the process at once).
    func install() {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in self?.interrupted() }
        source.resume()
        self.source = source
    }

    /// While `task` runs, Ctrl-C cancels it.
    func generating(_ task: Task<Void, Never>?) {
        lock.lock()
        defer { lock.unlock() }
        generation = task
        armed = false
    }

    /// A line was read: a later Ctrl-C at the prompt is a first press again.
    func disarm() {
        lock.lock()
        defer { lock.unlock() }
        armed = false
    }

    private func interrupted() {
        lock.lock()
        defer { lock.unlock() }
        if let generation {
            generation.cancel()
            self.generation = nil
        } else if armed {
            say("\n")
            exit(130)
        } else {
            armed = true
            say("\n(Ctrl-C again or /quit to leave)\n> ")
        }
    }
}
