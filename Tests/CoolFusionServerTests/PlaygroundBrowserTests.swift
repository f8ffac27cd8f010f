import CoolFusionTestModels
import CoolFusionTestSupport
import Foundation
import Testing

/// The playground in a real headless browser (Chromium driven by Selenium, scripts/playground_browser_check.py)
/// against `coolfusion serve` on the synthetic models: one local, one behind a `coolfusion worker`
/// process, with one generation slot and no queue, so the script can also make the server busy (503) and
/// a worker fail (stopped, so the server's worker timeout ends the generation with an error event).
///
/// Disabled, with the reason, where the browser or its driver or the pinned selenium is missing (a
/// developer's machine); `.ci/run` installs them, so CI runs it.
@Suite(.serialized) struct PlaygroundBrowserTests {
    static let selenium = "4.51.0"
    static let script = RepositoryFiles.path("scripts/playground_browser_check.py")

    /// What is missing to run a browser here, or nil.
    static let missingTools: String? = {
        var missing = ["chromium", "chromedriver"].filter { executable(named: $0) == nil }
        let check = run(["python3", "-c", "import selenium, sys; sys.exit(selenium.__version__ != '\(selenium)')"])
        if check.status != 0 { missing.append("selenium==\(selenium) (pip)") }
        return missing.isEmpty ? nil : missing.joined(separator: ", ")
    }()

    static func executable(named name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a command found on PATH, with standard output and error together.
    static func run(_ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (-1, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(.disabled(if: missingTools != nil, Comment(rawValue:
        "needs a headless browser: apt-get install chromium chromium-driver, pip install selenium==\(selenium) "
        + "(.ci/run installs them); missing here: \(missingTools ?? "")")))
    func playgroundStreamsColouredSegmentsAndExplainsThem() throws {
        let worker = try ServerProcess(["worker", "--model", try SyntheticModel.sentencePiece.path()])
        let workerID = worker.process.processIdentifier
        defer {
            kill(workerID, SIGCONT)
            worker.stop()
        }
        // The worker timeout is how long the script's second tab has to find the server busy while the first
        // tab's generation waits on the stopped worker: generous, for a machine busy with the whole suite.
        let master = try ServerProcess(["serve", "--model", try SyntheticModel.bytePairs.path(), "--worker", worker.url,
                                        "--concurrency", "1", "--queue", "0", "--worker-timeout", "60"])
        defer { master.stop() }
        let check = Self.run(["python3", Self.script, "--url", master.url, "--worker-pid", String(workerID)])
        #expect(check.status == 0, "\(check.output)\nserver log:\n\(master.log)")
        #expect(check.output.contains(" passed, 0 failed"), "\(check.output)")
        #expect(check.output.contains("busy: a second request shows the busy message"), "\(check.output)")
    }

    @Test(.disabled(if: missingTools != nil, Comment(rawValue:
        "needs a headless browser: apt-get install chromium chromium-driver, pip install selenium==\(selenium) "
        + "(.ci/run installs them); missing here: \(missingTools ?? "")")))
    func playgroundSamplesWithLocalModels() throws {
        // Both models in process: the sampling controls are offered, and a sampled completion streams.
        let master = try ServerProcess(["serve", "--model", try SyntheticModel.bytePairs.path(),
                                        "--model", try SyntheticModel.sentencePiece.path()])
        defer { master.stop() }
        let check = Self.run(["python3", Self.script, "--url", master.url])
        #expect(check.status == 0, "\(check.output)\nserver log:\n\(master.log)")
        #expect(check.output.contains(" passed, 0 failed"), "\(check.output)")
        #expect(check.output.contains("ok   sampling controls are offered exactly when the server can sample"), "\(check.output)")
    }
}
