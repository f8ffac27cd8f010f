import CoolFusionGGUF

/// The vocabulary of a synthetic model: special tokens, every ASCII byte (so any token sequence
/// decodes to valid UTF-8 and any ASCII text can be encoded), and pieces of a few English words,
/// written in the `tokenizer.ggml.*` keys llama.cpp reads.
///
/// A model with random weights may still generate a text in tokens other than the tokenizer's own
/// (`▁t` `h` `e` for `▁the`); the fusion then commits the tokenizer's tokens, as for any model.
struct SyntheticVocabulary {
    /// Token types as llama.cpp numbers them.
    enum TokenType: Int32 {
        case normal = 1, unknown = 2, control = 3, byte = 6
    }

    /// Words whose pieces the vocabularies hold, so common text tokenizes into more than characters.
    static let words = ["the", "and", "answer", "question", "is", "of", "to", "in", "two", "three", "four", "five",
                        "plus", "one", "capital", "France", "Paris", "count"]

    let kind: SyntheticModel
    private(set) var tokens: [String] = []
    private(set) var types: [Int32] = []
    private(set) var scores: [Float] = []
    private(set) var merges: [String] = []

    init(_ kind: SyntheticModel) {
        self.kind = kind
        switch kind {
        case .bytePairs: buildBytePairs()
        case .sentencePiece: buildSentencePiece()
        }
    }

    private mutating func add(_ text: String, _ type: TokenType, score: Float = 0) {
        guard !tokens.contains(text) else { return }
        tokens.append(text)
        types.append(type.rawValue)
        scores.append(score)
    }

    /// GPT-2 style: token texts are written in the byte-level alphabet (a space is `Ġ`, a newline `Ċ`);
    /// each word is built by merges from its first character on, with its leading space.
    private mutating func buildBytePairs() {
        add("<|endoftext|>", .control)
        for byte in 0..<128 { add(Self.byteLevelCharacter(UInt8(byte)), .normal) }
        for word in Self.words {
            var symbol = "Ġ"
            for character in word {
                let next = String(character)
                let merged = symbol + next
                if !tokens.contains(merged) {
                    merges.append("\(symbol) \(next)")
                    add(merged, .normal)
                }
                symbol = merged
            }
        }
    }

    /// SentencePiece style: `▁` marks a space; pieces have scores (longer pieces higher, so words win
    /// over their characters), and bytes without a piece fall back to `<0xNN>` tokens.
    private mutating func buildSentencePiece() {
        add("<unk>", .unknown)
        add("<s>", .control)
        add("</s>", .control)
        // Byte tokens only for the bytes no piece covers (controls, DEL): a byte that had both could be
        // generated either way, and text a model generates should tokenize back as it was generated.
        for byte in Array(0..<0x20) + [0x7F] {
            let hex = String(byte, radix: 16, uppercase: true)
            add("<0x" + (hex.count == 1 ? "0" + hex : hex) + ">", .byte)
        }
        add("▁", .normal, score: -100)
        for byte in 0x21..<0x7F { add(String(UnicodeScalar(UInt8(byte))), .normal, score: -100) }
        for word in Self.words {
            let piece = Array("▁" + word)
            for length in 2...piece.count { add(String(piece[..<length]), .normal, score: Float(length - 100)) }
        }
    }

    /// The character GPT-2's byte-level alphabet writes `byte` as: printable ASCII as itself, the rest
    /// (controls, space, DEL) as U+0100 onwards in byte order.
    static func byteLevelCharacter(_ byte: UInt8) -> String {
        if (0x21...0x7E).contains(byte) { return String(UnicodeScalar(byte)) }
        let unprintableBefore = byte < 0x21 ? Int(byte) : 0x21 + Int(byte - 0x7F)
        return Unicode.Scalar(UInt32(0x100 + unprintableBefore)).map { String(Character($0)) } ?? "?"
    }

    func write(to writer: inout GGUFWriter) {
        switch kind {
        case .bytePairs:
            writer.add("tokenizer.ggml.model", .string("gpt2"))
            writer.add("tokenizer.ggml.pre", .string("gpt-2"))
            writer.add("tokenizer.ggml.merges", .array(.string(merges)))
            writer.add("tokenizer.ggml.bos_token_id", .uint32(0))
            writer.add("tokenizer.ggml.eos_token_id", .uint32(0))
            writer.add("tokenizer.ggml.add_bos_token", .bool(false))
        case .sentencePiece:
            writer.add("tokenizer.ggml.model", .string("llama"))
            writer.add("tokenizer.ggml.scores", .array(.float32(scores)))
            writer.add("tokenizer.ggml.unknown_token_id", .uint32(0))
            writer.add("tokenizer.ggml.bos_token_id", .uint32(1))
            writer.add("tokenizer.ggml.eos_token_id", .uint32(2))
            writer.add("tokenizer.ggml.add_bos_token", .bool(true))
            writer.add("tokenizer.ggml.add_space_prefix", .bool(false))
        }
        writer.add("tokenizer.ggml.tokens", .array(.string(tokens)))
        writer.add("tokenizer.ggml.token_type", .array(.int32(types)))
    }
}
