import CoolFusionGGUF

/// Everything that can go wrong when building a tokenizer from a GGUF file or feeding it input.
/// Each case names the problem, so a user sees what is wrong instead of a crash.
public enum TokenizerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The GGUF metadata is missing, mistyped or inconsistent.
    case metadata(GGUFError)
    /// `tokenizer.ggml.model` names a tokenizer family we do not implement.
    case unsupportedModel(String, supported: [String])
    /// `tokenizer.ggml.pre` names a pre-tokenizer preset we do not implement.
    case unknownPreTokenizer(String, supported: [String])
    /// Two vocabulary entries have the same text (llama.cpp rejects such files too).
    case duplicateToken(text: String, firstID: Int, secondID: Int)
    /// A per-token array (scores, types) is shorter than the token list.
    case arrayTooShort(key: String, count: Int, needed: Int)
    /// Input bytes are not valid UTF-8; `offset` is the first bad byte.
    case invalidUTF8(offset: Int)
    /// A token id outside the vocabulary was given to a decoder.
    case tokenOutOfRange(TokenID, vocabularySize: Int)

    public var description: String {
        switch self {
        case .metadata(let error):
            "tokenizer metadata: \(error)"
        case .unsupportedModel(let name, let supported):
            "unsupported tokenizer model '\(name)' (supported: \(supported.joined(separator: ", ")))"
        case .unknownPreTokenizer(let name, let supported):
            "unknown pre-tokenizer '\(name)' (supported: \(supported.joined(separator: ", ")))"
        case .duplicateToken(let text, let first, let second):
            "duplicate token in vocabulary: '\(text)' has ids \(first) and \(second)"
        case .arrayTooShort(let key, let count, let needed):
            "metadata array '\(key)' has \(count) entries, the vocabulary needs \(needed)"
        case .invalidUTF8(let offset):
            "input is not valid UTF-8 (first invalid byte at offset \(offset))"
        case .tokenOutOfRange(let id, let size):
            "token id \(id) is outside the vocabulary (size \(size))"
        }
    }
}
