import Foundation
import Testing
import CoolFusionTestSupport

@Suite("coolfusion generate")
struct GenerateCommandTests {
    static let isRelease = BuildMode.isRelease

    private func fusedText(_ extra: [String]) throws -> [String: Any] {
        let result = try CoolFusionExecutable.run(["generate", "--json", "--model", "smollm2-135m", "--model", "gemma3-270m",
                                        "--max-tokens", "16"] + extra + ["Question: What is 7 + 5?\\nAnswer:"])
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    /// Each model on a pool of its own (`--threads`) computes the same numbers as on the shared pool:
    /// the fusion's rounding does not depend on how a product is split across threads.
    @Test("--threads gives each model its own pool and the same fused text",
          .enabled(if: isRelease, "real models run in release builds: swift test -c release"))
    func ownPoolsGiveTheSameText() throws {
        let shared = try fusedText([])
        let text = try #require(shared["text"] as? String)
        #expect(!text.isEmpty)
        for threads in ["1", "2"] {
            let own = try fusedText(["--threads", threads])
            #expect(own["text"] as? String == text, "--threads \(threads)")
        }
        let refused = try CoolFusionExecutable.run(["generate", "--threads", "0", "x"])
        #expect(refused.status != 0 && refused.stderr.contains("--threads must be at least 1"))
    }
}
