import CoolFusionTokenizers
import Foundation
import Testing

/// Pre-tokenizer presets no default model uses, checked against llama.cpp on Qwen2.5's vocabulary
/// with `tokenizer.ggml.pre` replaced (see scripts/golden_tokenizers.py).
@Suite struct PresetParityTests {
    struct PresetGolden: Decodable {
        let pre: String
        let plain: [[TokenID]]
    }

    @Test(arguments: ["default", "gpt-2", "phi-2", "mpt", "llama-bpe", "starcoder", "deepseek-llm"])
    func presetMatchesLlamaCpp(pre: String) throws {
        let base = try TestModels.tokenizer("qwen2.5-coder-0.5b")
        let tokenizer = try Tokenizer(vocabulary: base.vocabulary.withPreTokenizerName(pre))
        let url = try #require(Bundle.module.url(forResource: "preset-\(pre)", withExtension: "json", subdirectory: "Golden"))
        let golden = try JSONDecoder().decode(PresetGolden.self, from: Data(contentsOf: url))
        let corpus = GoldenFile.corpus
        try #require(golden.plain.count == corpus.count)
        var mismatches: [String] = []
        for (index, text) in corpus.enumerated() where tokenizer.encode(text) != golden.plain[index] {
            mismatches.append("#\(index) \(text.debugDescription.prefix(60)): got \(tokenizer.encode(text).prefix(16)) want \(golden.plain[index].prefix(16))")
        }
        #expect(mismatches.isEmpty, "\(pre): \(mismatches.count) of \(corpus.count) differ:\n\(mismatches.prefix(8).joined(separator: "\n"))")
    }
}
