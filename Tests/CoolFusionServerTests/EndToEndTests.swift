import AsyncHTTPClient
import CoolFusion
import CoolFusionRemote
import Foundation
import NIOCore
import Testing

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
        let process = Process()
        process.executableURL = Executable.coolfusion
        process.arguments = ["generate", "--json", "--model", "smollm2-135m", "--model", "gemma3-270m",
                             "--max-tokens", String(maxTokens), prompt]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return try #require(object?["text"] as? String)
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
