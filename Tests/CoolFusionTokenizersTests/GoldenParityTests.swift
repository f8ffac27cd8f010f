import CoolFusionTokenizers
import Testing

/// Exact parity with llama.cpp (llama-cpp-python 0.3.36) on every corpus string, both special modes.
@Suite struct GoldenParityTests {
    @Test func corpusIsLargeEnough() {
        #expect(GoldenFile.corpus.count >= 300)
    }

    @Test(arguments: TestModels.aliases)
    func everyGoldenSequenceMatches(alias: String) throws {
        let tokenizer = try TestModels.tokenizer(alias)
        let golden = try GoldenFile.load(alias)
        #expect(golden.llama_cpp_python == "0.3.36")
        let corpus = GoldenFile.corpus
        try #require(golden.plain.count == corpus.count && golden.special.count == corpus.count)
        var mismatches: [String] = []
        for (index, text) in corpus.enumerated() {
            for (parseSpecial, expected) in [(false, golden.plain[index]), (true, golden.special[index])] {
                let tokens = tokenizer.encode(text, parseSpecial: parseSpecial)
                if tokens != expected {
                    mismatches.append("#\(index) special=\(parseSpecial) \(text.debugDescription.prefix(60)): got \(tokens.prefix(20)) want \(expected.prefix(20))")
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(corpus.count * 2) sequences differ:\n\(mismatches.prefix(10).joined(separator: "\n"))")
    }

    @Test(arguments: TestModels.aliases)
    func byteInputMatchesStringInput(alias: String) throws {
        let tokenizer = try TestModels.tokenizer(alias)
        for text in GoldenFile.corpus.prefix(100) {
            #expect(try tokenizer.encode(utf8: Array(text.utf8)) == tokenizer.encode(text))
        }
    }
}
