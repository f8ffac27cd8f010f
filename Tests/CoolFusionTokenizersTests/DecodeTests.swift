import CoolFusionTokenizers
import Testing

/// Decoding each golden sequence gives back the input, except where llama.cpp's own detokenize
/// does not either (then we must give what it gives): SmolLM2 has no token for byte 0x1D, and in
/// Gemma a literal `▁` in the input decodes as a space.
@Suite struct DecodeTests {
    @Test(arguments: TestModels.aliases)
    func goldenSequencesDecodeToTheirText(alias: String) throws {
        let tokenizer = try TestModels.tokenizer(alias)
        let golden = try GoldenFile.load(alias)
        var failures: [String] = []
        for (index, text) in GoldenFile.corpus.enumerated() {
            for (mode, tokens) in [("plain", golden.plain[index]), ("special", golden.special[index])] {
                let expected = golden.detokenize_differs["\(mode):\(index)"] ?? text
                let decoded = tokenizer.decode(tokens)
                if decoded != expected { failures.append("\(mode):\(index) \(text.debugDescription.prefix(50)) → \(decoded.debugDescription.prefix(50))") }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) decode failures:\n\(failures.prefix(10).joined(separator: "\n"))")
        // Every exception is one of the two known kinds; anything else is a regression in the golden data.
        for key in golden.detokenize_differs.keys {
            let index = try #require(key.split(separator: ":").last.flatMap { Int($0) })
            let text = GoldenFile.corpus[index]
            #expect(text.contains("▁") || text.unicodeScalars.contains("\u{1D}"), "unexpected detokenize difference \(key)")
        }
    }

    @Test(arguments: TestModels.aliases)
    func vocabularyFlags(alias: String) throws {
        let vocabulary = try TestModels.tokenizer(alias).vocabulary
        let eos = try #require(vocabulary.eosID)
        #expect(vocabulary.endOfGeneration.contains(eos))
        #expect(vocabulary.isControl(eos))
        switch alias {
        case "gemma3-270m":
            #expect(vocabulary.count == 262_144)
            #expect(vocabulary.bosID == 2 && vocabulary.addBOS)
            #expect(vocabulary.eotID == vocabulary.id(of: "<end_of_turn>"))
            #expect(!vocabulary.addSpacePrefix)
        case "smollm2-135m":
            #expect(vocabulary.count == 49_152)
            #expect(vocabulary.eotID == vocabulary.id(of: "<|im_end|>") || vocabulary.eotID == vocabulary.id(of: "<|endoftext|>"))
            #expect(!vocabulary.addBOS)
        default:
            #expect(vocabulary.count == 151_936)
            #expect(vocabulary.endOfGeneration.isSuperset(of: [151_643, 151_645]))
        }
    }
}
