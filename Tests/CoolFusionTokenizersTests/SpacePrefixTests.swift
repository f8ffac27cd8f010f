import CoolFusionGGUF
import CoolFusionTokenizers
import Foundation
import Testing

/// SPM `add_space_prefix` (Llama-2-style models): a space goes in front of the text at the start
/// and after every special token, and decoding drops the first leading space. Checked against
/// llama.cpp on Gemma-3's vocabulary with the flag turned on, tokens and decoded text.
@Suite struct SpacePrefixTests {
    struct SpacePrefixGolden: Decodable {
        let plain: [[TokenID]]
        let special: [[TokenID]]
        let detokenized_special: [String]
    }

    @Test func addSpacePrefixMatchesLlamaCpp() throws {
        let tokenizer = try TestModels.variant(of: "gemma3-270m", setting: ["tokenizer.ggml.add_space_prefix": .bool(true)])
        #expect(tokenizer.vocabulary.addSpacePrefix)
        let url = try #require(Bundle.module.url(forResource: "space-prefix", withExtension: "json", subdirectory: "Golden"))
        let golden = try JSONDecoder().decode(SpacePrefixGolden.self, from: Data(contentsOf: url))
        var mismatches: [String] = []
        for (index, text) in GoldenFile.corpus.enumerated() {
            if tokenizer.encode(text) != golden.plain[index] { mismatches.append("#\(index) plain") }
            if tokenizer.encode(text, parseSpecial: true) != golden.special[index] { mismatches.append("#\(index) special") }
            if tokenizer.decode(golden.special[index]) != golden.detokenized_special[index] { mismatches.append("#\(index) decode") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) differ: \(mismatches.prefix(10))")
        #expect(tokenizer.encode("Hi") == (try TestModels.tokenizer("gemma3-270m")).encode(" Hi"))
    }
}
