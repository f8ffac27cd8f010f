import Foundation

/// A second SIGTERM or SIGINT ends the process at once. The first starts a graceful shutdown (running
/// requests finish, each wait on a worker still bounded by its timeout); an operator who asks again
/// does not want to wait for it.
enum ForcedExit {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var received = 0
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    static func install() {
        for signalNumber in [SIGTERM, SIGINT] {
            // Ignored by default so the dispatch sources (this one and the graceful shutdown's) see it.
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                let count = lock.withLock { () -> Int in
                    received += 1
                    return received
                }
                guard count >= 2 else { return }
                FileHandle.standardError.write(Data("second stop signal: exiting without waiting for running requests\n".utf8))
                exit(1)
            }
            source.resume()
            lock.withLock { sources.append(source) }
        }
    }
}
