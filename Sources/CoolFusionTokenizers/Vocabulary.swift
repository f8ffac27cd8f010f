import CoolFusionGGUF

/// A model's vocabulary as read from GGUF metadata, with the special ids and flags llama.cpp derives.
///
/// Immutable and shared by every encode/decode call (llama.cpp's `llama_vocab`).
public struct Vocabulary: Sendable {
    public let model: TokenizerModel
    /// `tokenizer.ggml.pre`, or "default" when absent.
    public let preTokenizerName: String
    /// [count] token texts as stored (SPM texts use `▁` for spaces; BPE texts are byte-mapped).
    public let tokens: [String]
    /// [count] SPM merge scores (0 when the file has none).
    public let scores: [Float]
    /// [count] token types as stored in the file.
    public let types: [TokenType]
    /// BPE merge rules "left right", in rank order (empty for SPM).
    public let merges: [String]

    public let bosID: TokenID?
    public let eosID: TokenID?
    /// End-of-turn token (`<|im_end|>`, `<end_of_turn>`, ...), from metadata or recognised by name.
    public let eotID: TokenID?
    public let unkID: TokenID?
    public let padID: TokenID?
    /// Whether callers should put BOS in front of a prompt (encode never adds it).
    public let addBOS: Bool
    public let addEOS: Bool
    /// SPM only: whether a space is put in front of text that starts a fragment.
    public let addSpacePrefix: Bool
    /// Tokens that end generation: EOS, EOT and control tokens named like end-of-turn markers.
    public let endOfGeneration: Set<TokenID>

    /// [count] attribute bits after llama.cpp's by-name adjustments.
    let attributes: [TokenAttributes]
    /// Token text bytes → id, for every token.
    let textToID: ByteStringTable
    /// Ids the special-token pass may match (control, user-defined, unknown), longest text first.
    let specialTokensLongestFirst: [TokenID]

    public var count: Int { tokens.count }

    /// True for control tokens (`<|im_start|>`, `<bos>`); they render as text only on request.
    public func isControl(_ id: TokenID) -> Bool {
        guard id >= 0, Int(id) < count else { return false }
        return attributes[Int(id)].contains(.control)
    }

    public func type(of id: TokenID) -> TokenType? {
        guard id >= 0, Int(id) < count else { return nil }
        return types[Int(id)]
    }

    /// The id of the token whose text is exactly `text`, if any.
    public func id(of text: String) -> TokenID? {
        textToID.find(Array(text.utf8))
    }
}

extension Vocabulary {
    /// Reads the vocabulary from a GGUF file's `tokenizer.ggml.*` metadata.
    public init(gguf: GGUFFile) throws(TokenizerError) {
        let modelName: String
        do { modelName = try gguf.string("tokenizer.ggml.model") } catch { throw .metadata(error) }
        guard let model = TokenizerModel(rawValue: modelName) else {
            throw .unsupportedModel(modelName, supported: TokenizerModel.allCases.map(\.rawValue))
        }
        self.model = model

        let texts: [String]
        var scores: [Float]
        var types: [TokenType]
        var merges: [String] = []
        var preName = "default"
        do {
            texts = try gguf.stringArray("tokenizer.ggml.tokens")
            scores = gguf.contains("tokenizer.ggml.scores") ? try gguf.floatArray("tokenizer.ggml.scores") : []
            let rawTypes = gguf.contains("tokenizer.ggml.token_type") ? try gguf.intArray("tokenizer.ggml.token_type") : []
            types = rawTypes.map { TokenType(rawValue: $0) ?? .undefined }
            if model == .byteLevelBPE {
                merges = try gguf.stringArray("tokenizer.ggml.merges")
                preName = try gguf.optionalString("tokenizer.ggml.pre") ?? "default"
            }
        } catch { throw .metadata(error) }
        let n = texts.count
        if scores.isEmpty { scores = [Float](repeating: 0, count: n) }
        if types.isEmpty { types = [TokenType](repeating: .normal, count: n) }
        guard scores.count >= n else { throw .arrayTooShort(key: "tokenizer.ggml.scores", count: scores.count, needed: n) }
        guard types.count >= n else { throw .arrayTooShort(key: "tokenizer.ggml.token_type", count: types.count, needed: n) }
        self.preTokenizerName = preName
        self.merges = merges
        self.scores = Array(scores.prefix(n))
        self.types = Array(types.prefix(n))

        // llama.cpp renames empty entries so every token has a distinct, non-empty text.
        var tokens = texts
        var table = ByteStringTable(expectedCount: n)
        for i in 0..<n {
            if tokens[i].isEmpty { tokens[i] = "[EMPTY_\(i)]" }
            if let first = table.insert(tokens[i].utf8, value: Int32(i)) {
                throw .duplicateToken(text: tokens[i], firstID: Int(first), secondID: i)
            }
        }
        self.tokens = tokens
        self.textToID = table
        var attributes = self.types.map(TokenAttributes.init)

        // Special ids: llama.cpp's family defaults, then the file's values when in range.
        func metadataID(_ key: String, default fallback: TokenID?) throws(TokenizerError) -> TokenID? {
            var id = fallback.flatMap { $0 < n ? $0 : nil }
            let value: Int?
            do { value = try gguf.optionalInt(key) } catch { throw .metadata(error) }
            if let value, value >= 0, value < n { id = TokenID(value) }
            return id
        }
        let isSPM = model == .sentencePiece
        let bos = try metadataID("tokenizer.ggml.bos_token_id", default: isSPM ? 1 : 11)
        let eos = try metadataID("tokenizer.ggml.eos_token_id", default: isSPM ? 2 : 11)
        var eot = try metadataID("tokenizer.ggml.eot_token_id", default: nil)
        var eom = try metadataID("tokenizer.ggml.eom_token_id", default: nil)
        let unk = try metadataID("tokenizer.ggml.unknown_token_id", default: isSPM ? 0 : nil)
        let pad = try metadataID("tokenizer.ggml.padding_token_id", default: nil)
        var fimPad = try metadataID("tokenizer.ggml.fim_pad_token_id", default: nil)
        var fimRep = try metadataID("tokenizer.ggml.fim_rep_token_id", default: nil)
        var fimSep = try metadataID("tokenizer.ggml.fim_sep_token_id", default: nil)
        var fimOthers: [TokenID?] = [
            try metadataID("tokenizer.ggml.fim_pre_token_id", default: nil),
            try metadataID("tokenizer.ggml.fim_suf_token_id", default: nil),
            try metadataID("tokenizer.ggml.fim_mid_token_id", default: nil),
        ]

        var addBOS = isSPM
        var addEOS = false
        var addSpacePrefix = isSPM
        if model == .byteLevelBPE, PreTokenizerPreset.llama3Names.contains(preName) { addBOS = true }
        do {
            addBOS = try gguf.optionalBool("tokenizer.ggml.add_bos_token") ?? addBOS
            addEOS = try gguf.optionalBool("tokenizer.ggml.add_eos_token") ?? addEOS
            addSpacePrefix = try gguf.optionalBool("tokenizer.ggml.add_space_prefix") ?? addSpacePrefix
        } catch { throw .metadata(error) }

        // Name-based detection, as llama.cpp does it: a token found this way becomes a control token.
        func detect(_ slot: inout TokenID?, _ names: Set<String>) {
            guard slot == nil else { return }
            for (i, text) in tokens.enumerated() where names.contains(text) {
                slot = TokenID(i)
                attributes[i].insert(.control)
                return
            }
        }
        detect(&eot, SpecialTokenNames.endOfTurn)
        detect(&eom, ["<|eom_id|>"])
        for (index, names) in SpecialTokenNames.fillInTheMiddle.enumerated() { detect(&fimOthers[index], names) }
        detect(&fimPad, SpecialTokenNames.fimPad)
        detect(&fimRep, SpecialTokenNames.fimRepo)
        detect(&fimSep, ["<|file_sep|>"])

        var endOfGeneration = Set([fimPad, fimRep, fimSep].compactMap { $0 })
        for (i, text) in tokens.enumerated() where SpecialTokenNames.endOfGeneration.contains(text) {
            endOfGeneration.insert(TokenID(i))
            attributes[i].insert(.control)
        }
        for (i, text) in tokens.enumerated() where SpecialTokenNames.alwaysRendered.contains(text) {
            attributes[i] = .userDefined
        }
        for id in [eos, eot, eom].compactMap({ $0 }) { endOfGeneration.insert(id) }

        self.bosID = bos
        self.eosID = eos
        self.eotID = eot
        self.unkID = unk
        self.padID = pad
        self.addBOS = addBOS
        self.addEOS = addEOS
        self.addSpacePrefix = model == .sentencePiece ? addSpacePrefix : false
        self.endOfGeneration = endOfGeneration
        self.attributes = attributes

        let matchable: TokenAttributes = [.control, .userDefined, .unknown]
        self.specialTokensLongestFirst = (0..<n)
            .filter { !attributes[$0].isDisjoint(with: matchable) }
            .map { TokenID($0) }
            .sorted { a, b in
                let la = tokens[Int(a)].utf8.count, lb = tokens[Int(b)].utf8.count
                return la != lb ? la > lb : a < b
            }
    }
}

/// Token texts llama.cpp (`llama-vocab.cpp`, `load`) recognises by name.
enum SpecialTokenNames {
    static let endOfTurn: Set<String> = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
        "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>",
    ]
    static let fillInTheMiddle: [Set<String>] = [
        ["<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>"],
        ["<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>"],
        ["<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>"],
    ]
    static let fimPad: Set<String> = ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"]
    static let fimRepo: Set<String> = ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"]
    static let endOfGeneration: Set<String> = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
        "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
        "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
        "<｜end▁of▁sentence｜>", "[e~[",
    ]
    /// gpt-oss markers llama.cpp always renders (it makes them user-defined).
    static let alwaysRendered: Set<String> = ["<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"]
}
