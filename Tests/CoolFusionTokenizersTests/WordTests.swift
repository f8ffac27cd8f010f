import CoolFusionTokenizers
import Testing

/// Words (the paper's T2): they tile the input, split where each family should, and every
/// complete word boundary is additive (tokens of the two sides = tokens of the whole).
@Suite struct WordTests {
    @Test(arguments: TestModels.aliases)
    func wordsConcatenateToTheInput(alias: String) throws {
        let tokenizer = try TestModels.tokenizer(alias)
        for text in GoldenFile.corpus {
            let bytes = Array(text.utf8)
            let words = tokenizer.words(text)
            var cursor = 0
            for word in words {
                #expect(word.lowerBound == cursor && word.upperBound > word.lowerBound, "\(text.debugDescription)")
                cursor = word.upperBound
            }
            #expect(cursor == bytes.count, "\(text.debugDescription)")
            // Words start on character boundaries.
            for word in words { #expect(bytes[word.lowerBound] & 0xC0 != 0x80) }
        }
    }

    @Test(arguments: TestModels.aliases)
    func everyWordBoundaryIsAdditive(alias: String) throws {
        let tokenizer = try TestModels.tokenizer(alias)
        var checked = 0
        var failures: [String] = []
        for parseSpecial in [false, true] {
            for text in GoldenFile.corpus {
                let bytes = Array(text.utf8)
                let whole = tokenizer.encode(text, parseSpecial: parseSpecial)
                for word in tokenizer.words(text, parseSpecial: parseSpecial).dropLast() {
                    let left = String(decoding: bytes[..<word.upperBound], as: UTF8.self)
                    let right = String(decoding: bytes[word.upperBound...], as: UTF8.self)
                    let joined = tokenizer.encode(left, parseSpecial: parseSpecial) + tokenizer.encode(right, parseSpecial: parseSpecial)
                    checked += 1
                    if joined != whole { failures.append("\(left.debugDescription.suffix(30)) | \(right.debugDescription.prefix(30))") }
                }
            }
        }
        #expect(checked > 1000)
        #expect(failures.isEmpty, "\(failures.count) of \(checked) boundaries not additive:\n\(failures.prefix(10).joined(separator: "\n"))")
    }

    @Test(arguments: TestModels.aliases)
    func encodeWithWordsAgreesWithEncodeAndWords(alias: String) throws {
        let tokenizer = try TestModels.tokenizer(alias)
        for text in GoldenFile.corpus.prefix(200) {
            let encoding = tokenizer.encodeWithWords(text)
            #expect(encoding.tokens == tokenizer.encode(text))
            #expect(encoding.words.map(\.byteRange) == tokenizer.words(text))
        }
    }

    private func split(_ tokenizer: Tokenizer, _ text: String) -> [String] {
        let encoding = tokenizer.encodeWithWords(text)
        return encoding.words.map { $0.text(in: text) }
    }

    @Test func byteLevelBPEWordsArePreTokenizerPieces() throws {
        let smol = try TestModels.tokenizer("smollm2-135m")
        let qwen = try TestModels.tokenizer("qwen2.5-coder-0.5b")
        #expect(split(smol, "Multi-tasking") == ["Multi", "-", "tasking"])
        #expect(split(qwen, "Multi-tasking") == ["Multi", "-tasking"])  // [^\r\n\p{L}\p{N}]?\p{L}+
        for tokenizer in [smol, qwen] {
            #expect(split(tokenizer, "Hello world") == ["Hello", " world"])
            #expect(split(tokenizer, "don't") == ["don", "'t"])
            #expect(split(tokenizer, "12345") == ["1", "2", "3", "4", "5"])  // both split every digit
        }
        // SmolLM (GPT-2 regex): a space before a digit is its own piece; a space attaches to CJK letters.
        #expect(split(smol, "in 2024") == ["in", " ", "2", "0", "2", "4"])
        #expect(split(smol, "a   b") == ["a", "  ", " b"])
        // A lone whitespace split off a run by the lookahead joins the next piece (additivity).
        #expect(split(smol, "a\n\nb") == ["a", "\n", "\nb"])
        #expect(split(qwen, "  42") == [" ", " 4", "2"])
        #expect(split(smol, "你好 世界") == ["你好", " 世界"])
        #expect(split(smol, "  leading") == [" ", " leading"])
        // Qwen2 (Llama-3 style): punctuation takes a following letter run; newlines group.
        #expect(split(qwen, "a.b") == ["a", ".b"])
        #expect(split(qwen, "x\n\n  y") == ["x", "\n\n", "  y"])  // pieces "\n\n", " ", " y"; the lone " " joins
        #expect(split(qwen, "你好 世界") == ["你好", " 世界"])
        #expect(split(qwen, "  leading") == [" ", " leading"])
    }

    @Test func sentencePieceWordsSplitBeforeSpaceRunsAndAroundNewlines() throws {
        let gemma = try TestModels.tokenizer("gemma3-270m")
        #expect(split(gemma, "Multi-tasking") == ["Multi-tasking"])
        #expect(split(gemma, "Hello world") == ["Hello", " world"])
        #expect(split(gemma, "a  b") == ["a", "  b"])
        #expect(split(gemma, "in 2024, 12345") == ["in", " 2024,", " 12345"])
        #expect(split(gemma, "你好世界 再见") == ["你好世界", " 再见"])
        #expect(split(gemma, "  leading") == ["  leading"])
        #expect(split(gemma, " Yes\n\nQuestion:") == [" Yes", "\n\n", "Question:"])
        #expect(split(gemma, "a\r\nb") == ["a\r", "\n", "b"])
    }
}
