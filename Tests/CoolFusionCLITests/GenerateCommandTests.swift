import CoolFusionTestModels
import Foundation
import Testing
import CoolFusionTestSupport

/// `coolfusion generate` as a user runs it: on two real default models in release builds, and on the
/// two synthetic models (GGUF paths, two tokenizer kinds) in debug builds, where real models are too slow.
@Suite("coolfusion generate")
struct GenerateCommandTests {
    static func models() throws -> [String] {
        BuildMode.isRelease ? ["smollm2-135m", "gemma3-270m"] : try SyntheticModel.allCases.map { try $0.path() }
    }

    private func fusedText(_ extra: [String]) throws -> [String: Any] {
        let models = try Self.models().flatMap { ["--model", $0] }
        let result = try CoolFusionExecutable.run(["generate", "--json"] + models
                                                  + ["--max-tokens", "16"] + extra + ["Question: What is 7 + 5?\\nAnswer:"])
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    /// Each model on a pool of its own (`--threads`) computes the same numbers as on the shared pool:
    /// the fusion's rounding does not depend on how a product is split across threads.
    @Test("--threads gives each model its own pool and the same fused text")
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
