import Foundation
import Testing

/// The real `openai` Python package (pinned in scripts/openai_client_test.py) against `coolfusion serve`:
/// a chat completion, a streamed one, a completion and error cases.
@Suite struct OpenAIClientTests {
    static let pinned = "openai==3.51.0"

    static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// scripts/ of this package, found from this source file's location.
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/openai_client_test.py").path
    }

    @Test func openAIPythonClientTalksToServe() throws {
        if try Self.python(["-c", "import openai; assert openai.__version__ == '\(Self.pinned.dropFirst(8))'"]).status != 0 {
            let install = try Self.python(["-m", "pip", "install", "--quiet", Self.pinned])
            try #require(install.status == 0, "pip install \(Self.pinned) failed: \(install.output)")
        }
        let server = try ServerProcess(["serve", "--model", "smollm2-135m", "--model", "gemma3-270m"])
        defer { server.stop() }
        let run = try Self.python([Self.script, "--base-url", server.url + "/v1"])
        #expect(run.status == 0, "\(run.output)\nserver log:\n\(server.log)")
        #expect(run.output.contains(" passed, 0 failed"), "\(run.output)")
    }
}
