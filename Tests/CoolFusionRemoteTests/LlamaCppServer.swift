import CoolFusionRemote
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// llama.cpp's own OpenAI-compatible server (`python3 -m llama_cpp.server`, from
/// `llama-cpp-python[server]==0.3.36`, installed by `.ci/run`) run as a child process on a free
/// loopback port, for tests of a real external engine as a fusion member.
enum LlamaCppServer {
    /// Whether `python3 -c "import llama_cpp.server"` works (checked once per test process).
    static let isInstalled: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import llama_cpp.server"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `body` with the URL of a llama.cpp server serving `modelPath`, and stops the server
    /// afterwards, whether `body` returned or threw. The server computes every position's logits
    /// (`--logits_all true`: prompt log-probabilities need them) on two threads.
    static func with<T: Sendable>(model modelPath: String, contextLength: Int = 2048,
                                  readinessDeadline: Duration = .seconds(240),
                                  _ body: (String) async throws -> T) async throws -> T {
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "llama_cpp.server", "--model", modelPath, "--host", "127.0.0.1",
                             "--port", String(port), "--logits_all", "true", "--n_ctx", String(contextLength),
                             "--n_threads", "2", "--n_threads_batch", "2", "--verbose", "false"]
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("llama-cpp-server-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        // Output to a file: a pipe nobody reads could fill and stall the server.
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let url = "http://127.0.0.1:\(port)"
        do {
            try await waitUntilReady(url: url, process: process, log: log, deadline: readinessDeadline)
            let result = try await body(url)
            await stop(process)
            return result
        } catch {
            await stop(process)
            throw error
        }
    }

    /// Polls `GET /v1/models` until it answers 200, the process exits, or the deadline passes.
    private static func waitUntilReady(url: String, process: Process, log: URL, deadline: Duration) async throws {
        let client = WorkerClient(baseURL: url, workerName: "llama.cpp server", timeout: .seconds(5))
        let clock = ContinuousClock()
        let end = clock.now + deadline
        while clock.now < end {
            guard process.isRunning else {
                let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw Failure(description: "llama.cpp's server exited with status \(process.terminationStatus) before "
                              + "answering: \(output.suffix(2000))")
            }
            if let answer = try? await client.send(.GET, "/v1/models", operation: "readiness"), answer.status == 200 {
                return
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw Failure(description: "llama.cpp's server at \(url) did not answer within \(deadline): \(output.suffix(2000))")
    }

    /// SIGTERM, then SIGKILL if it has not exited ten seconds later.
    private static func stop(_ process: Process) async {
        guard process.isRunning else { return }
        process.terminate()
        let clock = ContinuousClock()
        let end = clock.now + .seconds(10)
        while process.isRunning, clock.now < end { try? await Task.sleep(for: .milliseconds(100)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        while process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
    }

    /// A loopback port nothing listens on now (the kernel's choice for a socket bound to port 0).
    static func freePort() throws -> Int {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "could not bind a loopback port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
