import CoolFusionTestModels
import CoolFusionTokenizers
import Testing

/// The synthetic models' vocabularies load through the normal GGUF path as the tokenizer kind they
/// claim, encode with their merges or scored pieces, round-trip ASCII text, and have additive word
/// boundaries: what the logic tests that fuse them rely on.
@Suite struct SyntheticVocabularyTests {
    static let texts = [
        "Question: What is two plus three?\nAnswer: five",
        "The capital of France is Paris.  And the answer is 42!",
        "count: one, two, three\n\n\tfour",
        "x = y + 1; // the end",
    ]

    @Test(arguments: SyntheticModel.allCases)
    func loadsAsItsKindAndRoundTrips(kind: SyntheticModel) throws {
        let tokenizer = try Tokenizer(path: try kind.path())
        #expect(tokenizer.vocabulary.model == (kind == .bytePairs ? .byteLevelBPE : .sentencePiece))
        #expect(tokenizer.vocabulary.addBOS == (kind == .sentencePiece))
        #expect(tokenizer.endOfGenerationToken != nil)
        for text in Self.texts {
            let tokens = tokenizer.encode(text)
            #expect(tokenizer.decode(tokens) == text, "\(text.debugDescription)")
        }
        // The word pieces are used: " the answer" is fewer tokens than its characters.
        #expect(tokenizer.encode(" the answer").count < " the answer".count)
    }

    @Test(arguments: SyntheticModel.allCases)
    func everyWordBoundaryIsAdditive(kind: SyntheticModel) throws {
        let tokenizer = try Tokenizer(path: try kind.path())
        var checked = 0
        for text in Self.texts {
            let bytes = Array(text.utf8)
            let whole = tokenizer.encode(text)
            for word in tokenizer.words(text).dropLast() {
                let left = String(decoding: bytes[..<word.upperBound], as: UTF8.self)
                let right = String(decoding: bytes[word.upperBound...], as: UTF8.self)
                #expect(tokenizer.encode(left) + tokenizer.encode(right) == whole, "\(left.debugDescription) | \(right.debugDescription)")
                checked += 1
            }
        }
        #expect(checked > 20)
    }

    @Test func theTwoKindsTokenizeDifferently() throws {
        let bpe = try Tokenizer(path: try SyntheticModel.bytePairs.path())
        let spm = try Tokenizer(path: try SyntheticModel.sentencePiece.path())
        let text = Self.texts[0]
        #expect(bpe.words(text) != spm.words(text) || bpe.encode(text).count != spm.encode(text).count)
        #expect(bpe.encodePrompt(text).first != spm.encodePrompt(text).first)
    }
}
