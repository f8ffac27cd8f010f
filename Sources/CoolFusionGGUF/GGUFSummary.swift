/// The facts about a model that the GGUF spec's standard keys give, for `coolfusion inspect`.
///
/// Hyperparameters live under the architecture's own prefix (`llama.block_count`,
/// `gemma3.context_length`); absent keys are nil rather than errors, since a summary should
/// describe any GGUF file, including ones we cannot run.
public struct GGUFSummary: Sendable, Codable, Equatable {
    public var architecture: String?
    public var name: String?
    public var parameterCount: Int
    public var blockCount: Int?
    public var contextLength: Int?
    public var embeddingLength: Int?
    public var feedForwardLength: Int?
    public var headCount: Int?
    public var headCountKV: Int?
    public var vocabSize: Int?
    public var tokenizerModel: String?
    public var tokenizerPre: String?
    public var specialTokens: [String: Int]
    public var hasChatTemplate: Bool
    public var tensorCount: Int
    /// ggml type name → number of tensors of that type.
    public var tensorTypes: [String: Int]
    public var fileSize: Int
    public var ggufVersion: Int

    enum CodingKeys: String, CodingKey {
        case architecture, name
        case parameterCount = "parameter_count"
        case blockCount = "block_count"
        case contextLength = "context_length"
        case embeddingLength = "embedding_length"
        case feedForwardLength = "feed_forward_length"
        case headCount = "head_count"
        case headCountKV = "head_count_kv"
        case vocabSize = "vocab_size"
        case tokenizerModel = "tokenizer_model"
        case tokenizerPre = "tokenizer_pre"
        case specialTokens = "special_tokens"
        case hasChatTemplate = "has_chat_template"
        case tensorCount = "tensor_count"
        case tensorTypes = "tensor_types"
        case fileSize = "file_size"
        case ggufVersion = "gguf_version"
    }

    public init(_ file: GGUFFile) {
        let arch = file.architecture
        func hyper(_ suffix: String) -> Int? {
            arch.flatMap { file["\($0).\(suffix)"]?.integerValue }
        }
        architecture = arch
        name = try? file.string("general.name")
        parameterCount = file.parameterCount
        blockCount = hyper("block_count")
        contextLength = hyper("context_length")
        embeddingLength = hyper("embedding_length")
        feedForwardLength = hyper("feed_forward_length")
        headCount = hyper("attention.head_count")
        headCountKV = hyper("attention.head_count_kv")
        if case .array(let tokens)? = file["tokenizer.ggml.tokens"] {
            vocabSize = tokens.count
        } else {
            vocabSize = hyper("vocab_size")
        }
        tokenizerModel = try? file.string("tokenizer.ggml.model")
        tokenizerPre = try? file.string("tokenizer.ggml.pre")
        var special: [String: Int] = [:]
        for entry in file.metadataEntries where entry.key.hasPrefix("tokenizer.ggml.") && entry.key.hasSuffix("_token_id") {
            let role = entry.key.dropFirst("tokenizer.ggml.".count).dropLast("_token_id".count)
            if let id = entry.value.integerValue { special[String(role)] = id }
        }
        specialTokens = special
        hasChatTemplate = file.contains("tokenizer.chat_template")
        tensorCount = file.tensors.count
        var histogram: [String: Int] = [:]
        for tensor in file.tensors { histogram[tensor.type.name, default: 0] += 1 }
        tensorTypes = histogram
        fileSize = file.fileSize
        ggufVersion = Int(file.version)
    }
}
