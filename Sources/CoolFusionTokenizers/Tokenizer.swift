import CoolFusionGGUF

/// A model's tokenizer, built from its GGUF file, matching llama.cpp's tokenization exactly.
///
/// ```swift
/// let tokenizer = try Tokenizer(path: try ModelStore().resolve("gemma3-270m"))
/// let tokens = tokenizer.encode("Hello world")          // [9259, 1902], never BOS/EOS
/// let words = tokenizer.words("Multi-tasking is hard")  // UTF-8 byte ranges of the T2 words
/// let text = tokenizer.decode(tokens)                   // "Hello world"
/// var stream = StreamingDecoder(tokenizer: tokenizer)   // for generation, never half a character
/// ```
///
/// Immutable and thread-safe: per-call working memory lives in the call, as llama.cpp's
/// `*_session` structs do. `encode` never adds BOS/EOS; `encodePrompt` (Tokenizer+Prompt.swift)
/// is how a prompt is read.
public final class Tokenizer: Sendable {
    public let vocabulary: Vocabulary
    /// The byte-level BPE pre-tokenizer preset, or nil for SentencePiece.
    public let preset: PreTokenizerPreset?

    private enum Engine: Sendable {
        case sentencePiece(SentencePieceEncoder)
        case byteLevelBPE(ByteLevelBPEEncoder, PreTokenizer)
    }

    private let engine: Engine
    /// Finds user-defined tokens only (what llama.cpp matches when `parse_special` is false).
    private let plainTextMatcher: SpecialTokenMatcher
    /// Finds control, user-defined and unknown tokens (`parse_special` true).
    private let specialMatcher: SpecialTokenMatcher

    /// Reads the tokenizer of the GGUF file at `path`.
    public convenience init(path: String) throws {
        try self.init(gguf: GGUFFile(path: path))
    }

    public convenience init(gguf: GGUFFile) throws(TokenizerError) {
        try self.init(vocabulary: Vocabulary(gguf: gguf))
    }

    public init(vocabulary: Vocabulary) throws(TokenizerError) {
        self.vocabulary = vocabulary
        switch vocabulary.model {
        case .sentencePiece:
            preset = nil
            engine = .sentencePiece(SentencePieceEncoder(vocabulary: vocabulary))
        case .byteLevelBPE:
            let preset = try PreTokenizerPreset.named(vocabulary.preTokenizerName)
            self.preset = preset
            let ignoreMerges = preset == .llama3 && PreTokenizerPreset.llama3Names.contains(vocabulary.preTokenizerName)
            engine = .byteLevelBPE(ByteLevelBPEEncoder(vocabulary: vocabulary, ignoreMerges: ignoreMerges),
                                   PreTokenizer(rules: preset.rules))
        }
        let special = vocabulary.specialTokensLongestFirst
        specialMatcher = SpecialTokenMatcher(tokens: special, texts: vocabulary.tokens, attributes: vocabulary.attributes)
        let notInPlainText: TokenAttributes = [.control, .unknown]
        plainTextMatcher = SpecialTokenMatcher(
            tokens: special.filter { vocabulary.attributes[Int($0)].isDisjoint(with: notInPlainText) },
            texts: vocabulary.tokens, attributes: vocabulary.attributes)
    }

    // MARK: Encoding

    /// The tokens of `text`. With `parseSpecial`, control tokens written in the text
    /// (`<|im_start|>`) become single tokens; user-defined tokens always do, as in llama.cpp.
    public func encode(_ text: String, parseSpecial: Bool = false) -> [TokenID] {
        if let tokens = text.utf8.withContiguousStorageIfAvailable({ run($0, parseSpecial: parseSpecial).tokens }) {
            return tokens
        }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { run($0, parseSpecial: parseSpecial).tokens }
    }

    /// The text of UTF-8 bytes (e.g. read from stdin); invalid UTF-8 is an error naming its offset.
    public static func text(utf8 bytes: [UInt8]) throws(TokenizerError) -> String {
        if let offset = UTF8Scalar.firstInvalidOffset(bytes) { throw .invalidUTF8(offset: offset) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The tokens of UTF-8 bytes (e.g. read from stdin); invalid UTF-8 is an error, not a crash.
    public func encode(utf8 bytes: [UInt8], parseSpecial: Bool = false) throws(TokenizerError) -> [TokenID] {
        if let offset = UTF8Scalar.firstInvalidOffset(bytes) { throw .invalidUTF8(offset: offset) }
        return bytes.withUnsafeBufferPointer { run($0, parseSpecial: parseSpecial).tokens }
    }

    /// Tokens and words of `text`, each word with its UTF-8 byte range in `text`.
    public func encodeWithWords(_ text: String, parseSpecial: Bool = false) -> Encoding {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            let (tokens, pieces) = run(buffer, parseSpecial: parseSpecial, collectPieces: vocabulary.model == .byteLevelBPE)
            let words = vocabulary.model == .sentencePiece
                ? SentencePieceWords.split(buffer) : ByteLevelWords.join(pieces, in: buffer)
            return Encoding(tokens: tokens, words: words.map(Word.init(byteRange:)))
        }
    }

    /// UTF-8 byte ranges of the words of `text` (see `Word`).
    public func words(_ text: String, parseSpecial: Bool = false) -> [Range<Int>] {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            if vocabulary.model == .sentencePiece { return SentencePieceWords.split(buffer) }
            let pieces = run(buffer, parseSpecial: parseSpecial, collectPieces: true, tokenize: false).pieces
            return ByteLevelWords.join(pieces, in: buffer)
        }
    }

    /// The shared encode path: special-token partition, then the model's tokenizer per fragment.
    /// With `collectPieces`, byte-level BPE also returns each pre-tokenizer piece and special token
    /// as a byte range; without `tokenize` it only splits.
    private func run(_ text: UnsafeBufferPointer<UInt8>, parseSpecial: Bool, collectPieces: Bool = false,
                     tokenize: Bool = true) -> (tokens: [TokenID], pieces: [Range<Int>]) {
        var output: [TokenID] = []
        var collected: [Range<Int>] = []
        let fragments = (parseSpecial ? specialMatcher : plainTextMatcher).partition(text)
        switch engine {
        case .sentencePiece(let encoder):
            var scratch = SentencePieceEncoder.Scratch()
            var previousWasSpecial = true
            for fragment in fragments {
                switch fragment {
                case .token(let id, _):
                    output.append(id)
                    previousWasSpecial = true
                case .text(let range):
                    encoder.encode(UnsafeBufferPointer(rebasing: text[range]),
                                   prefixSpace: vocabulary.addSpacePrefix && previousWasSpecial,
                                   scratch: &scratch, into: &output)
                    previousWasSpecial = false
                }
            }
        case .byteLevelBPE(let encoder, let preTokenizer):
            var scratch = ByteLevelBPEEncoder.Scratch()
            var preScratch = PreTokenizer.Scratch()
            var pieces: [Range<Int>] = []
            for fragment in fragments {
                switch fragment {
                case .token(let id, let range):
                    output.append(id)
                    if collectPieces { collected.append(range) }
                case .text(let range):
                    pieces.removeAll(keepingCapacity: true)
                    preTokenizer.split(text, range, scratch: &preScratch, into: &pieces)
                    if collectPieces { collected.append(contentsOf: pieces) }
                    guard tokenize else { continue }
                    for piece in pieces {
                        encoder.encode(UnsafeBufferPointer(rebasing: text[piece]), scratch: &scratch, into: &output)
                    }
                }
            }
        }
        return (output, collected)
    }
}
