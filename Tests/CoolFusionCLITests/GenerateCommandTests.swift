import CoolFusionModelStore
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

    /// The statistics count each model's forward passes: at least one per token it generated beyond
    /// what one pass gives (its rows at least its generated tokens), and the bytes a pass streams.
    /// And the rows whose distribution a pass computed, with the seconds the passes and those rows took.
    @Test("--json reports every model's forward passes, rows, output rows, their seconds and weight bytes per pass")
    func passesAreReported() throws {
        let stats = try #require(try fusedText(["--sequential"])["stats"] as? [String: Any])
        let passes = try #require(stats["forwardPasses"] as? [Int])
        let rows = try #require(stats["forwardRows"] as? [Int])
        let outputRows = try #require(stats["outputRows"] as? [Int])
        let seconds = try #require(stats["forwardSeconds"] as? [Double])
        let outputSeconds = try #require(stats["outputSeconds"] as? [Double])
        let bytes = try #require(stats["weightBytesPerPass"] as? [Int])
        let generated = try #require(stats["tokensGenerated"] as? [Int])
        #expect(passes.count == 2 && rows.count == 2 && bytes.count == 2 && outputRows.count == 2)
        for model in 0..<2 {
            #expect(passes[model] >= 1 && rows[model] >= passes[model], "\(passes) \(rows)")
            // The prompt's pass gives the first token; every further one costs a pass at most.
            #expect(rows[model] >= generated[model], "\(rows) \(generated)")
            // Every generated token was read from an output row; a prompt's rows but its last have none.
            #expect(outputRows[model] >= generated[model] && outputRows[model] < rows[model], "\(outputRows) \(rows)")
            #expect(outputSeconds[model] > 0 && outputSeconds[model] < seconds[model], "\(outputSeconds) \(seconds)")
            #expect(bytes[model] > 0)
        }
        // One model at a time: the passes are part of the generation's time, not more.
        let total = try #require(stats["seconds"] as? Double)
        #expect(seconds.reduce(0, +) < total, "\(seconds) in \(total) s")
        // The files' sizes bound what a pass streams.
        for (path, read) in zip(try Self.models().map(Self.file), bytes) {
            let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
            #expect(read <= size && read > size / 4, "\(read) of \(size)")
        }
    }

    static func file(_ model: String) throws -> String {
        model.hasSuffix(".gguf") ? model : try ModelStore().resolve(model)
    }
}
