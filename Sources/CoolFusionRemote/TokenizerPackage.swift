import CoolFusionGGUF
import CoolFusionTokenizers

/// A model's tokenizer as a self-contained file: a GGUF holding only the `tokenizer.*` metadata
/// (vocabulary, merges, special ids, chat template) and no tensors, identified by its SHA-256.
///
/// This is how tokenizers travel between master and workers: a worker serves its own package so the
/// master can tokenize and split words for it locally, and the master uploads the other models'
/// packages to a worker so its segment generation (T1) can cut at boundaries common to all tokenizers
/// (the paper's workers hold "instances of tokenizers, one for every source LLM", §2.4).
public struct TokenizerPackage: Sendable, Equatable {
    /// The GGUF file's bytes.
    public let bytes: [UInt8]
    /// Lowercase hex SHA-256 of `bytes`: the package's name in the worker protocol.
    public let digest: String

    public init(bytes: [UInt8]) {
        self.bytes = bytes
        var hash = SHA256()
        hash.update(bytes)
        digest = hash.finalizeHex()
    }

    /// Copies every `tokenizer.*` key of a model file (plus `general.architecture` and `general.name`
    /// for display) into a tensor-free GGUF.
    public static func extract(from file: GGUFFile) -> TokenizerPackage {
        var writer = GGUFWriter()
        for (key, value) in file.metadataEntries
        where key.hasPrefix("tokenizer.") || key == "general.architecture" || key == "general.name" {
            writer.add(key, value)
        }
        return TokenizerPackage(bytes: writer.bytes())
    }

    /// Parses the package and builds its tokenizer.
    public func makeTokenizer() throws -> Tokenizer {
        let file = try GGUFFile(bytes: bytes, name: "tokenizer \(digest.prefix(12))")
        return try Tokenizer(gguf: file)
    }

    /// The chat template in the package, if the model has one.
    public func chatTemplate() -> String? {
        guard let file = try? GGUFFile(bytes: bytes, name: "tokenizer \(digest.prefix(12))") else { return nil }
        return try? file.optionalString("tokenizer.chat_template")
    }
}
