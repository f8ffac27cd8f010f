/// The byte-level BPE pre-tokenizer presets we implement, selected by `tokenizer.ggml.pre`.
///
/// Each preset is the chain of splitting rules llama.cpp applies for that name
/// (`llm_tokenizer_bpe` in `llama-vocab.cpp`); a later rule splits the pieces of the earlier ones.
public enum PreTokenizerPreset: String, Sendable, CaseIterable {
    /// GPT-2 regex preceded by punctuation runs and followed by number runs and digit triples.
    case `default` = "default"
    /// The GPT-2 regex alone (also `gpt-2`, `phi-2`, `mpt`, `olmo`, ...).
    case gpt2 = "gpt2"
    /// Llama-3: case-insensitive contractions, letters with one leading non-letter, numbers in groups of three.
    case llama3 = "llama-bpe"
    /// Qwen2: as Llama-3 but every digit is a piece of its own.
    case qwen2 = "qwen2"
    /// SmolLM / StarCoder: every digit a piece, then the GPT-2 regex.
    case smollm = "smollm"

    /// `tokenizer.ggml.pre` names llama.cpp maps onto each preset.
    static let names: [String: PreTokenizerPreset] = {
        var map: [String: PreTokenizerPreset] = ["default": .default]
        for name in ["gpt2", "gpt-2", "phi-2", "mpt", "olmo", "jais", "jina-es", "jina-de", "gigachat", "jina-v2-es",
                     "jina-v2-de", "a.x-4.0", "mellum", "modern-bert", "exaone4", "trillion", "granite-docling"] {
            map[name] = .gpt2
        }
        for name in llama3Names { map[name] = .llama3 }
        for name in ["dbrx", "smaug-bpe"] { map[name] = .llama3 }
        for name in ["qwen2", "deepseek-r1-qwen", "stablelm2", "megrez", "hunyuan", "kormo"] { map[name] = .qwen2 }
        for name in ["smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva-7b"] { map[name] = .smollm }
        return map
    }()

    /// Names for which llama.cpp also turns on `ignore_merges` and `add_bos`.
    static let llama3Names: Set<String> = [
        "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
    ]

    /// The preset for a `tokenizer.ggml.pre` value, or an error listing the supported names.
    public static func named(_ name: String) throws(TokenizerError) -> PreTokenizerPreset {
        guard let preset = names[name] else {
            throw .unknownPreTokenizer(name, supported: names.keys.sorted())
        }
        return preset
    }

    /// The rules applied in order; each splits every piece produced so far.
    var rules: [PreTokenizerRule] {
        switch self {
        case .default: [.punctuationRuns, .gpt2, .numberRuns, .asciiDigitTriples]
        case .gpt2: [.gpt2]
        case .llama3: [.llama3(maxDigits: 3)]
        case .qwen2: [.llama3(maxDigits: 1)]
        case .smollm: [.eachNumber, .gpt2]
        }
    }
}

/// One splitting rule. Each is a hand-written matcher equivalent to a regex llama.cpp uses.
enum PreTokenizerRule: Sendable, Equatable {
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    case gpt2
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,maxDigits}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    case llama3(maxDigits: Int)
    /// `\p{N}`: each number character alone, the text between as pieces.
    case eachNumber
    /// `\p{N}+`
    case numberRuns
    /// `[\p{P}\$\+<=>\^~\|]+`
    case punctuationRuns
    /// `[0-9][0-9][0-9]`
    case asciiDigitTriples
}
