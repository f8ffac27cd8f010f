import CoolFusionGGUF
import CoolFusionModelStore
import CoolFusionTokenizers
import Foundation
import Testing

/// llama.cpp gives special tokens of models named Phi-3 the rstrip flag (the whitespace after
/// them is dropped). Checked against llama.cpp on Gemma-3's vocabulary renamed "Phi-3 strip test"
/// (with `<unused0>` renamed `<|endoftext|>`, which llama.cpp's rule needs), both special modes.
@Suite struct StripFlagTests {
    struct StripGolden: Decodable {
        let plain: [[TokenID]]
        let special: [[TokenID]]
    }

    @Test func phi3NamedModelStripsWhitespaceAfterSpecialTokens() throws {
        let tokenizer = try TestModels.variant(of: "gemma3-270m", setting: ["general.name": .string("Phi-3 strip test")],
                                               renaming: ["<unused0>": "<|endoftext|>"])

        let goldenURL = try #require(Bundle.module.url(forResource: "strip-phi3", withExtension: "json", subdirectory: "Golden"))
        let golden = try JSONDecoder().decode(StripGolden.self, from: Data(contentsOf: goldenURL))
        var mismatches: [String] = []
        for (index, text) in GoldenFile.corpus.enumerated() {
            for (parseSpecial, expected) in [(false, golden.plain[index]), (true, golden.special[index])] {
                let tokens = tokenizer.encode(text, parseSpecial: parseSpecial)
                if tokens != expected { mismatches.append("#\(index) special=\(parseSpecial) \(text.debugDescription.prefix(50))") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) differ:\n\(mismatches.prefix(8).joined(separator: "\n"))")
        // The flag matters: the single space after "<b>" is dropped ("  " runs are tokens themselves, and
        // longer tokens claim text first, so they are never stripped).
        let gemma = try TestModels.tokenizer("gemma3-270m")
        #expect(tokenizer.encode("<b> bold") == gemma.encode("<b>bold"))
        #expect(gemma.encode("<b> bold") != gemma.encode("<b>bold"))
    }
}
