/// The type of a vocabulary entry, with the numbers GGUF stores in `tokenizer.ggml.token_type`.
public enum TokenType: Int, Sendable {
    case undefined = 0, normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
}

/// llama.cpp's per-token attribute bits (`llama_token_attr`), derived from the token type and then
/// adjusted by name (an end-of-turn token is made a control token even if the file says otherwise).
/// They decide which tokens the special-token pass matches and how a token renders as text.
struct TokenAttributes: OptionSet, Sendable {
    let rawValue: UInt16
    static let undefined = TokenAttributes(rawValue: 0)
    static let unknown = TokenAttributes(rawValue: 1 << 0)
    static let unused = TokenAttributes(rawValue: 1 << 1)
    static let normal = TokenAttributes(rawValue: 1 << 2)
    static let control = TokenAttributes(rawValue: 1 << 3)
    static let userDefined = TokenAttributes(rawValue: 1 << 4)
    static let byte = TokenAttributes(rawValue: 1 << 5)

    init(rawValue: UInt16) { self.rawValue = rawValue }

    init(_ type: TokenType) {
        switch type {
        case .undefined: self = .undefined
        case .normal: self = .normal
        case .unknown: self = .unknown
        case .control: self = .control
        case .userDefined: self = .userDefined
        case .unused: self = .unused
        case .byte: self = .byte
        }
    }
}

/// The tokenizer family named by `tokenizer.ggml.model`.
public enum TokenizerModel: String, Sendable, CaseIterable {
    /// SentencePiece-style: spaces become `▁`, score-driven merges, `<0xNN>` byte fallback.
    case sentencePiece = "llama"
    /// Byte-level BPE (GPT-2 style): bytes mapped to printable characters, merge ranks, pre-tokenizer.
    case byteLevelBPE = "gpt2"
}
