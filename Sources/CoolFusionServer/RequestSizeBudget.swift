import CoolFusionTokenizers

/// How large a request can be and still fit the models, derived from their contexts, so that what
/// cannot fit is refused before it is tokenised (tokenising costs far more memory than the text).
///
/// A token stands for at most as many bytes of text as the longest token of its vocabulary (its
/// spelling in the vocabulary is never shorter than the bytes it decodes to), so a prompt of more
/// than `context × longest token` bytes has more tokens than the context holds, whatever it says.
struct RequestSizeBudget: Sendable {
    /// Per member, in member order: the most bytes a prompt can have and still fit its context.
    let promptBytes: [Int]
    /// The largest request body read: the largest prompt, escaped in JSON at worst (`\uXXXX` is six
    /// bytes for one), and room for the rest of the request.
    let bodyBytes: Int

    /// Room in a request body for what is not the prompt (fields, a conversation's markup).
    static let bodyOverhead = 1 << 20

    init(members: [any FusionMember]) {
        promptBytes = members.map { $0.contextLength * Self.longestTokenBytes($0.tokenizer) }
        bodyBytes = (promptBytes.max() ?? 0) * 6 + Self.bodyOverhead
    }

    static func longestTokenBytes(_ tokenizer: Tokenizer) -> Int {
        max(1, tokenizer.vocabulary.tokens.lazy.map(\.utf8.count).max() ?? 1)
    }
}
