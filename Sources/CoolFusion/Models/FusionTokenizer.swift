import CoolFusionTokenizers
/// What `LocalSourceModel` needs from a model's tokenizer. Adapters wrap the real tokenizers
/// (CoolFusionTokenizers); tests use scripted ones.
public protocol FusionTokenizer: WordSplitter {
    /// Tokens for a prompt: BOS prepended when the tokenizer's metadata asks for one.
    func encodePrompt(_ text: String) -> [TokenID]
    /// Tokens for a piece of continuation text (a candidate, committed text): no BOS, special-token
    /// syntax not parsed, so generated text is always read as plain text.
    func encodeContinuation(_ text: String) -> [TokenID]
    /// The raw bytes one token stands for in running text (no leading-space stripping), so the text of
    /// a token sequence is the concatenation of its tokens' bytes. Control tokens give no bytes.
    func bytes(of token: TokenID) -> [UInt8]
    /// Whether `token` ends a generation (EOS, end-of-turn, ...).
    func isEndOfGeneration(_ token: TokenID) -> Bool
    /// The token appended when scoring a final candidate; nil if the vocabulary has none.
    var endOfGenerationToken: TokenID? { get }
}

extension FusionTokenizer {
    /// The bytes of a token sequence.
    public func bytes(of tokens: some Sequence<TokenID>) -> [UInt8] {
        var out: [UInt8] = []
        for token in tokens { out += bytes(of: token) }
        return out
    }
}
