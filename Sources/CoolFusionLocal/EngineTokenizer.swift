import CoolFusion
import CoolFusionTokenizers

/// A model's real tokenizer (CoolFusionTokenizers) seen as a `FusionTokenizer`.
public struct EngineTokenizer: FusionTokenizer {
    public let tokenizer: Tokenizer

    public init(_ tokenizer: Tokenizer) {
        self.tokenizer = tokenizer
    }

    public func encodePrompt(_ text: String) -> [TokenID] { tokenizer.encodePrompt(text) }

    /// Generated text is plain text: special-token syntax in it is not parsed.
    public func encodeContinuation(_ text: String) -> [TokenID] {
        tokenizer.encode(text)
    }

    public func bytes(of token: TokenID) -> [UInt8] { tokenizer.tokenBytes(token) }

    public func isEndOfGeneration(_ token: TokenID) -> Bool { tokenizer.isEndOfGeneration(token) }

    public var endOfGenerationToken: TokenID? { tokenizer.endOfGenerationToken }

    public func wordRanges(in text: String) -> [Range<Int>] { tokenizer.words(text) }
}
