import CoolFusionTokenizers
import Testing

@Suite struct StreamingDecoderTests {
    /// Feeding a sequence token by token yields the same text as decoding it at once, and never
    /// a partial character (no U+FFFD on the way) even where tokens split characters.
    @Test(arguments: TestModels.aliases)
    func tokenByTokenEqualsWholeDecode(alias: String) throws {
        let tokenizer = try TestModels.tokenizer(alias)
        var sawSplitCharacter = false
        for text in GoldenFile.corpus where !text.contains("\u{1D}") && !text.contains("▁") {
            var decoder = StreamingDecoder(tokenizer: tokenizer)
            var streamed = ""
            for token in tokenizer.encode(text) {
                let piece = decoder.append(token)
                #expect(!piece.contains("\u{FFFD}"), "\(text.debugDescription)")
                if !decoder.isComplete { sawSplitCharacter = true }
                streamed += piece
            }
            #expect(decoder.isComplete)
            #expect(streamed == text)
        }
        #expect(sawSplitCharacter, "the corpus should contain characters split across tokens")
    }

    @Test func holdsIncompleteBytesOfByteFallbackTokens() throws {
        let gemma = try TestModels.tokenizer("gemma3-270m")
        let bytes = try #require(gemma.vocabulary.id(of: "<0xE4>"))
        let second = try #require(gemma.vocabulary.id(of: "<0xBD>"))
        let third = try #require(gemma.vocabulary.id(of: "<0xA0>"))
        var decoder = StreamingDecoder(tokenizer: gemma)
        #expect(decoder.append(bytes) == "")
        #expect(!decoder.isComplete)
        #expect(decoder.append(second) == "")
        #expect(decoder.pendingBytes == [0xE4, 0xBD])
        #expect(decoder.append(third) == "你")
        #expect(decoder.isComplete)
    }

    @Test func invalidBytesDoNotStallTheStream() throws {
        let gemma = try TestModels.tokenizer("gemma3-270m")
        let lone = try #require(gemma.vocabulary.id(of: "<0xBF>"))  // a continuation byte with no lead
        let a = try #require(gemma.vocabulary.id(of: "a"))
        var decoder = StreamingDecoder(tokenizer: gemma)
        #expect(decoder.append([lone, a]) == "\u{FFFD}a")
        #expect(decoder.isComplete)
    }

    @Test func invalidUTF8InputIsATypedError() throws {
        let tokenizer = try TestModels.tokenizer("qwen2.5-coder-0.5b")
        #expect(throws: TokenizerError.invalidUTF8(offset: 3)) {
            try tokenizer.encode(utf8: [0x61, 0x62, 0x63, 0xFF, 0x64])
        }
        #expect(throws: TokenizerError.invalidUTF8(offset: 1)) {
            try tokenizer.encode(utf8: [0x61, 0xE4, 0xBD])  // truncated sequence
        }
        #expect(TokenizerError.invalidUTF8(offset: 3).description.contains("not valid UTF-8"))
    }

    @Test func unknownPreTokenizerListsSupportedOnes() {
        #expect(throws: TokenizerError.self) { try PreTokenizerPreset.named("no-such-preset") }
        do {
            _ = try PreTokenizerPreset.named("no-such-preset")
        } catch {
            #expect(error.description.contains("no-such-preset"))
            #expect(error.description.contains("qwen2") && error.description.contains("smollm") && error.description.contains("llama-bpe"))
        }
    }
}
