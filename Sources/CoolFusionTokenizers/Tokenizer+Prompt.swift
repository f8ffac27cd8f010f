/// How a model reads a prompt and how it ends a generation: the one place that decides both, so
/// every caller (local sessions, workers, remote engines, the server's context check, `run`, `bench`)
/// sees the same tokens.
extension Tokenizer {
    /// The tokens of a prompt as the model expects it: BOS first when the vocabulary asks for one
    /// (`tokenizer.ggml.add_bos_token`), then the text with special-token syntax parsed, so a prompt may
    /// be written in the model's chat format (`<|im_start|>user ...`), as llama.cpp's CLI reads it.
    /// Continuations (generated or candidate text) are plain text: use `encode(_:)`, never this.
    public func encodePrompt(_ text: String) -> [TokenID] {
        bosTokens + encode(text, parseSpecial: true)
    }

    /// The number of tokens `encodePrompt(text)` gives, without building them twice.
    public func promptTokenCount(_ text: String) -> Int {
        bosTokens.count + encode(text, parseSpecial: true).count
    }

    /// The token that stands for "the generation ends here" when a finished text is scored: EOS, or
    /// without one end-of-turn, or else the lowest end-of-generation token; nil if the vocabulary has none.
    public var endOfGenerationToken: TokenID? {
        vocabulary.eosID ?? vocabulary.eotID ?? vocabulary.endOfGeneration.min()
    }

    /// Whether `token` ends a generation (EOS, end-of-turn, and the other end-of-generation tokens).
    public func isEndOfGeneration(_ token: TokenID) -> Bool {
        vocabulary.endOfGeneration.contains(token)
    }

    private var bosTokens: [TokenID] {
        guard vocabulary.addBOS, let bos = vocabulary.bosID else { return [] }
        return [bos]
    }
}
