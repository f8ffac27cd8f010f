import Foundation
import CoolFusionTestSupport

/// A `coolfusion worker` or `coolfusion serve` child process on a free loopback port: started with
/// `--port 0`, it prints the address it bound, which this waits for (bounded).
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    private let output = Pipe()
    private let errors = Pipe()
    private let lock = NSLock()
    private var stdoutText = ""
    private var stderrText = ""
    private var exitDate: Date?
    private(set) var url = ""

    /// - Parameter port: the port to listen on (0: any free one).
    init(_ arguments: [String], port: Int = 0, waitUpTo limit: TimeInterval = 120) throws {
        process.executableURL = try CoolFusionExecutable.url()
        process.arguments = arguments + ["--host", "127.0.0.1", "--port", String(port)]
        process.standardOutput = output
        process.standardError = errors
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            self?.lock.withLock { self?.stdoutText += String(decoding: data, as: UTF8.self) }
        }
        errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            self?.lock.withLock { self?.stderrText += String(decoding: data, as: UTF8.self) }
        }
        // Recorded on Foundation's own thread, so the time is right even when the test's tasks are slow
        // to run (a suite sharing two cores).
        process.terminationHandler = { [weak self] _ in
            guard let self else { return }
            self.lock.withLock { self.exitDate = Date() }
        }
        try process.run()
        let deadline = Date().addingTimeInterval(limit)
        while Date() < deadline {
            if let found = announcedURL() {
                url = found
                return
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop()
        throw ProcessError.didNotStart(arguments: arguments, stderr: log)
    }

    enum ProcessError: Error, CustomStringConvertible {
        case didNotStart(arguments: [String], stderr: String)
        var description: String {
            switch self {
            case .didNotStart(let arguments, let stderr):
                return "coolfusion \(arguments.joined(separator: " ")) did not start: \(stderr)"
            }
        }
    }

    private func announcedURL() -> String? {
        lock.withLock {
            guard let range = stdoutText.range(of: "listening on ") else { return nil }
            let rest = stdoutText[range.upperBound...]
            guard let end = rest.firstIndex(of: "\n") else { return nil }
            return String(rest[..<end])
        }
    }

    /// When the process exited (nil while it runs).
    var exitedAt: Date? { lock.withLock { exitDate } }

    /// Everything the process wrote to standard error so far.
    var log: String { lock.withLock { stderrText } }

    /// Kills the process at once (SIGKILL), as a crashed or unplugged worker would vanish.
    func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Asks the process to stop (SIGTERM, graceful) and waits a bounded time before killing it.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        kill()
    }

    deinit {
        stop()
        output.fileHandleForReading.readabilityHandler = nil
        errors.fileHandleForReading.readabilityHandler = nil
    }
}
