import AsyncHTTPClient
import CoolFusion
import CoolFusionRemote
import Foundation
import NIOCore
import Testing
import CoolFusionTestSupport

/// Real processes on loopback ports: two `coolfusion worker`s and a `coolfusion serve` master fusing
/// them must give the in-process fusion's text; killing a worker mid-request must end that request
/// with an error naming the worker, within the bounded timeouts.
@Suite(.serialized) struct EndToEndTests {
    static let prompt = "Question: Which planet is known as the Red Planet?\nAnswer:"

    static func post(_ url: String, _ json: String, timeout: TimeAmount = .seconds(120)) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: 1 << 24)
        return (Int(response.status.code), String(buffer: body))
    }

    static func jsonString(_ text: String) throws -> String {
        String(decoding: try JSONEncoder().encode(text), as: UTF8.self)
    }

    /// `coolfusion generate --json` on the same models: the in-process fusion.
    static func inProcessText(maxTokens: Int) throws -> String {
        try generatedText(["--model", "smollm2-135m", "--model", "gemma3-270m", "--max-tokens", String(maxTokens)])
    }

    /// The text of `coolfusion generate --json ARGUMENTS PROMPT`.
    static func generatedText(_ arguments: [String]) throws -> String {
        try #require(try generatedJSON(arguments)["text"] as? String)
    }

    /// The whole answer of `coolfusion generate --json ARGUMENTS PROMPT`.
    static func generatedJSON(_ arguments: [String], prompt: String = EndToEndTests.prompt) throws -> [String: Any] {
        let process = Process()
        process.executableURL = try CoolFusionExecutable.url()
        process.arguments = ["generate", "--json"] + arguments + [prompt]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// `serve --weights-file` with per-task accuracies: a request's `task` picks that task's weights
    /// (with the leader rule, the task's best model writes alone), and the tasks are announced.
    @Test func serveTakesPerTaskWeightsFromACalibrationFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("serve-tasks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("weights.json").path
        try CalibratedWeights(task: "qa", data: "dev", shots: 3, models: [
            .init(name: "smollm2-135m", items: 20, correct: 5, subsetAccuracy: ["sums": 0.6, "logic": 0]),
            .init(name: "gemma3-270m", items: 20, correct: 9, subsetAccuracy: ["sums": 0.3, "logic": 0.6]),
        ]).write(to: path)
        let master = try ServerProcess(["serve", "--model", "smollm2-135m", "--model", "gemma3-270m",
                                        "--selection", "leader", "--weights-file", path])
        defer { master.stop() }
        // Written before the address the process announces; standard error is read separately, so wait for it.
        let announcement = "per-task weights for requests with \"task\": logic, sums"
        let deadline = Date().addingTimeInterval(30)
        while !master.log.contains(announcement), Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(master.log.contains(announcement))
        let expected = try ["smollm2-135m", "gemma3-270m"].map {
            try Self.generatedText(["--method", "single", "--model", $0, "--max-tokens", "8"])
        }
        #expect(expected[0] != expected[1], "the test needs the two models to answer differently")
        for (task, text) in [("sums", expected[0]), ("logic", expected[1])] {
            let answer = try await Self.post(master.url + "/v1/completions",
                                             #"{"prompt": \#(try Self.jsonString(Self.prompt)), "max_tokens": 8, "task": "\#(task)"}"#)
            #expect(answer.status == 200, "\(answer.body)")
            let decoded = try WireCoding.decoder().decode(OpenAIWire.CompletionResponse.self, from: Data(answer.body.utf8))
            #expect(decoded.choices.first?.text == text, "task \(task)")
        }
    }

    @Test func fusionThroughWorkersEqualsInProcessFusionAndAKilledWorkerIsNamed() async throws {
        let smol = try ServerProcess(["worker", "--model", "smollm2-135m"])
        let gemma = try ServerProcess(["worker", "--model", "gemma3-270m"])
        let master = try ServerProcess(["serve", "--worker", smol.url, "--worker", gemma.url, "--worker-timeout", "15"])
        defer {
            master.stop()
            smol.stop()
            gemma.stop()
        }

        let expected = try Self.inProcessText(maxTokens: 16)
        let answer = try await Self.post(master.url + "/v1/completions",
                                         #"{"prompt": \#(try Self.jsonString(Self.prompt)), "max_tokens": 16}"#)
        #expect(answer.status == 200, "\(answer.body)")
        let decoded = try WireCoding.decoder().decode(OpenAIWire.CompletionResponse.self, from: Data(answer.body.utf8))
        #expect(decoded.choices.first?.text == expected)
        #expect(decoded.coolFusion?.models == ["smollm2-135m", "gemma3-270m"])

        // A long request; the Gemma worker dies one second in.
        let clock = ContinuousClock()
        let start = clock.now
        async let failed = Self.post(master.url + "/v1/completions",
                                     #"{"prompt": "Write a long story about a dragon.", "max_tokens": 2000}"#)
        try await Task.sleep(for: .seconds(1))
        gemma.kill()
        let failure = try await failed
        #expect(failure.status == 502 || failure.status == 504, "\(failure.body)")
        #expect(failure.body.contains("gemma3-270m"))
        #expect(failure.body.contains(gemma.url))
        // No hang: the failure arrives long before the 2,000-token generation could end. The bound is
        // generous on purpose: the broken connection fails at once, but a step already running on the
        // surviving worker finishes first, which on a loaded 2-core machine took 52 s; a hang would last
        // the whole generation.
        #expect(clock.now - start < .seconds(120))

        // The master still answers; its health lists both models.
        var health = HTTPClientRequest(url: master.url + "/health")
        health.method = .GET
        let healthResponse = try await HTTPClient.shared.execute(health, timeout: .seconds(10))
        #expect(healthResponse.status.code == 200)
    }

    @Test func droppedWorkerLetsTheFusionFinish() async throws {
        let smol = try ServerProcess(["worker", "--model", "smollm2-135m"])
        let gemma = try ServerProcess(["worker", "--model", "gemma3-270m"])
        let master = try ServerProcess(["serve", "--worker", smol.url, "--worker", gemma.url, "--worker-timeout", "15",
                                        "--drop-failed-workers"])
        defer {
            master.stop()
            smol.stop()
        }
        gemma.kill()
        let answer = try await Self.post(master.url + "/v1/completions", #"{"prompt": "The capital of France is", "max_tokens": 6}"#)
        #expect(answer.status == 200, "\(answer.body)")
        #expect(answer.body.contains("gemma3-270m dropped"))
    }
}
