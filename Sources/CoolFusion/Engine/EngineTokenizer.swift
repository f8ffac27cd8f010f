import CoolFusionTokenizers

/// A model's real tokenizer (CoolFusionTokenizers) seen as a `FusionTokenizer`.
public struct EngineTokenizer: FusionTokenizer {
    public let tokenizer: Tokenizer

    public init(_ tokenizer: Tokenizer) {
        self.tokenizer = tokenizer
    }

    /// BOS when the model wants it, then the prompt with special tokens parsed, so a prompt may be
    /// written in the model's chat format (`<|im_start|>user ...`), as llama.cpp's CLI does.
    public func encodePrompt(_ text: String) -> [TokenID] {
        let vocabulary = tokenizer.vocabulary
        let bos = vocabulary.addBOS ? vocabulary.bosID.map { [$0] } ?? [] : []
        return bos + tokenizer.encode(text, parseSpecial: true)
    }

    /// Generated text is plain text: special-token syntax in it is not parsed.
    public func encodeContinuation(_ text: String) -> [TokenID] {
        tokenizer.encode(text)
    }

    public func bytes(of token: TokenID) -> [UInt8] { tokenizer.tokenBytes(token) }

    public func isEndOfGeneration(_ token: TokenID) -> Bool { tokenizer.vocabulary.endOfGeneration.contains(token) }

    /// EOS (or, without one, end-of-turn) marks a final candidate in scoring.
    public var endOfGenerationToken: TokenID? {
        let vocabulary = tokenizer.vocabulary
        return vocabulary.eosID ?? vocabulary.eotID ?? vocabulary.endOfGeneration.min()
    }

    public func wordRanges(in text: String) -> [Range<Int>] { tokenizer.words(text) }
}
