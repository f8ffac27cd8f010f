import CoolFusionGGUF
import CoolFusionTokenizers
import Foundation
import Testing

/// Damaged or unsupported tokenizer metadata is a typed error naming the problem, never a crash.
@Suite struct VocabularyErrorTests {
    private func tokenizer(_ entries: [(String, GGUFValue)]) throws -> Tokenizer {
        var writer = GGUFWriter()
        for (key, value) in entries { writer.add(key, value) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("coolfusion-vocab-\(UUID().uuidString).gguf")
        try Data(writer.bytes()).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try Tokenizer(path: url.path)
    }

    private let tokens: (String, GGUFValue) = ("tokenizer.ggml.tokens", .array(.string(["a", "b", "ab"])))

    @Test func unsupportedTokenizerModel() {
        #expect(throws: TokenizerError.unsupportedModel("t5", supported: ["llama", "gpt2"])) {
            try tokenizer([("tokenizer.ggml.model", .string("t5")), tokens])
        }
    }

    @Test func unknownPreTokenizerNamesTheSupportedOnes() throws {
        do {
            _ = try tokenizer([("tokenizer.ggml.model", .string("gpt2")), ("tokenizer.ggml.pre", .string("mystery")), tokens,
                               ("tokenizer.ggml.merges", .array(.string(["a b"])))])
            Issue.record("expected an error")
        } catch let error as TokenizerError {
            guard case .unknownPreTokenizer(let name, let supported) = error else { Issue.record("\(error)"); return }
            #expect(name == "mystery" && supported.contains("qwen2") && supported.contains("deepseek-llm"))
        }
    }

    @Test func missingOrMistypedMetadata() {
        #expect(throws: TokenizerError.metadata(.missingKey("tokenizer.ggml.tokens"))) {
            try tokenizer([("tokenizer.ggml.model", .string("llama"))])
        }
        #expect(throws: TokenizerError.self) {
            try tokenizer([("tokenizer.ggml.model", .string("llama")), ("tokenizer.ggml.tokens", .uint32(3))])
        }
        #expect(throws: TokenizerError.arrayTooShort(key: "tokenizer.ggml.scores", count: 1, needed: 3)) {
            try tokenizer([("tokenizer.ggml.model", .string("llama")), tokens, ("tokenizer.ggml.scores", .array(.float32([0])))])
        }
        #expect(throws: TokenizerError.duplicateToken(text: "a", firstID: 0, secondID: 1)) {
            try tokenizer([("tokenizer.ggml.model", .string("llama")), ("tokenizer.ggml.tokens", .array(.string(["a", "a"])))])
        }
    }

    /// A tiny SPM vocabulary built by hand: spaces become `▁` and the highest-scoring merge wins.
    @Test func tinySentencePieceVocabulary() throws {
        let spm = try tokenizer([
            ("tokenizer.ggml.model", .string("llama")),
            ("tokenizer.ggml.tokens", .array(.string(["<unk>", "<s>", "</s>", "a", "b", "ab", "▁", "▁ab"]))),
            ("tokenizer.ggml.scores", .array(.float32([0, 0, 0, -1, -1, -0.5, -1, -0.1]))),
            ("tokenizer.ggml.token_type", .array(.int32([2, 3, 3, 1, 1, 1, 1, 1]))),
            ("tokenizer.ggml.add_space_prefix", .bool(false)),
        ])
        #expect(spm.encode("ab") == [5])
        #expect(spm.encode(" ab") == [7])
        #expect(spm.encode("ba") == [4, 3])
        #expect(spm.decode([7, 3]) == " aba")
    }
}
