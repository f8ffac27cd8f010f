import Foundation
import Testing

/// A master checks on every worker session that the model behind the worker's URL is the one it saw
/// at start-up: another model started on the same address is refused with an error that says so,
/// never fused under the old model's name.
@Suite(.serialized) struct WorkerIdentityTests {
    @Test func aModelSwappedBehindTheWorkersURLIsRefusedByName() async throws {
        let original = try ServerProcess(["worker", "--model", "smollm2-135m"])
        let master = try ServerProcess(["serve", "--worker", original.url, "--worker-timeout", "120"])
        defer { master.stop() }
        let first = try await EndToEndTests.post(master.url + "/v1/completions", #"{"prompt": "Hello", "max_tokens": 2}"#)
        #expect(first.status == 200, "\(first.body)")

        // The same address, another model (under the same name, as a careless restart would).
        let port = try WorkerSessionReleaseTests.port(of: original.url)
        original.kill()
        let impostor = try ServerProcess(["worker", "--model", "gemma3-270m", "--name", "smollm2-135m"], port: port)
        defer { impostor.stop() }
        let refused = try await EndToEndTests.post(master.url + "/v1/completions", #"{"prompt": "Hello", "max_tokens": 2}"#)
        #expect(refused.status == 502, "\(refused.body)")
        #expect(refused.body.contains("now serves a different model"), "\(refused.body)")
        #expect(refused.body.contains(original.url), "\(refused.body)")
        // The refused session was closed on the impostor.
        struct Info: Decodable { var sessions: Int }
        let info = try await WorkerSessionReleaseTests.get(Info.self, port: port, "/v1/worker")
        #expect(info.sessions == 0)
    }
}
