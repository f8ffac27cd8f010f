import CoolFusionGGUF
import Foundation

/// Tiny GGUF models written at test time, so the fusion, selection, server and eval logic can be
/// tested in seconds in a debug build without downloading anything.
///
/// Each is a `llama` network (2 layers, width 32, 4 query heads over 2 key/value heads, F32 weights
/// from a fixed seed) with a small vocabulary of ASCII pieces and a few English words, loaded through
/// the same paths as a real model (`GGUFFile`, `Tokenizer`, `Model`). The two kinds have different
/// tokenizers, as fused models do. Their weights are random, so what they write is gibberish: tests
/// on them check behaviour (boundaries, bookkeeping, protocols), never the quality of the text.
public enum SyntheticModel: String, CaseIterable, Sendable {
    /// Byte-level BPE (`tokenizer.ggml.model = gpt2`, the `gpt-2` pre-tokenizer, merges), no BOS.
    case bytePairs = "synthetic-bpe"
    /// SentencePiece (`tokenizer.ggml.model = llama`, scored pieces, byte fallback), BOS added.
    case sentencePiece = "synthetic-spm"

    /// The name tests give the model (traces, servers, results).
    public var name: String { rawValue }

    /// The network's size: small enough that a debug build runs a forward pass in a millisecond or so.
    public static let shape = SyntheticShape(embedding: 32, feedForward: 64, layers: 2, heads: 4, kvHeads: 2, context: 4096)

    /// The complete GGUF file.
    public func bytes() -> [UInt8] {
        var writer = GGUFWriter()
        writer.add("general.architecture", .string("llama"))
        writer.add("general.name", .string(name))
        let vocabulary = SyntheticVocabulary(self)
        vocabulary.write(to: &writer)
        SyntheticWeights(shape: Self.shape, vocabularySize: vocabulary.tokens.count, seed: seed,
                         tiedOutput: self == .bytePairs).write(to: &writer)
        return writer.bytes()
    }

    /// The weights' seed: the two models compute different functions.
    var seed: UInt64 { self == .bytePairs ? 0x5EED_0001 : 0x5EED_0002 }

    /// The path of this model's file, written once per process into a temporary folder.
    public func path() throws -> String {
        try SyntheticModelFiles.shared.path(of: self)
    }
}
