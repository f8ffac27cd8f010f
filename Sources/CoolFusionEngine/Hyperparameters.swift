import CoolFusionGGUF

/// The numbers that size a transformer, read from the GGUF's `<arch>.*` keys.
///
/// Dimension legend used across the engine:
///   D  = embedding width (`embedding_length`)
///   F  = feed-forward width (`feed_forward_length`)
///   H  = query heads, Hkv = key/value heads (grouped-query attention: H is a multiple of Hkv)
///   Dk = key/query head width (`attention.key_length`, default D/H), Dv = value head width
///   V  = vocabulary size, L = layer count, N = tokens in a forward batch
public struct Hyperparameters: Sendable, Equatable {
    public var embeddingWidth: Int          // D
    public var feedForwardWidth: Int        // F
    public var layerCount: Int              // L
    public var headCount: Int               // H
    public var kvHeadCount: Int             // Hkv
    public var keyWidth: Int                // Dk
    public var valueWidth: Int              // Dv
    public var vocabularySize: Int          // V
    public var contextLength: Int
    public var rmsEpsilon: Float
    /// RoPE base frequency of full-attention layers.
    public var ropeBase: Float
    /// Multiplier on positions for full-attention layers (1 / linear scaling factor).
    public var ropePositionScale: Float
    /// Number of leading dimensions of each head that RoPE rotates.
    public var ropeDimensions: Int
    /// Sliding-window attention: window size in tokens (0 = none), RoPE base of window layers,
    /// and which layers use the window.
    public var slidingWindow: Int
    public var slidingRopeBase: Float
    public var slidingLayers: [Bool]
    /// Scale applied to q·k (default 1/√Dk).
    public var attentionScale: Float
    /// `cap·tanh(logit/cap)` on the output logits when non-nil (Gemma 2 style).
    public var finalLogitSoftcap: Float?

    public var queryWidth: Int { headCount * keyWidth }     // H·Dk
    public var kvWidth: Int { kvHeadCount * keyWidth }      // Hkv·Dk
    public var valueRowWidth: Int { kvHeadCount * valueWidth } // Hkv·Dv

    /// Reads the keys common to all supported architectures; architecture files adjust the rest.
    init(file: GGUFFile, architecture arch: String, vocabularySize: Int) throws(EngineError) {
        func int(_ key: String) throws(EngineError) -> Int {
            do { return try file.int("\(arch).\(key)") } catch { throw .file(error) }
        }
        func optionalInt(_ key: String) throws(EngineError) -> Int? {
            do { return try file.optionalInt("\(arch).\(key)") } catch { throw .file(error) }
        }
        func optionalFloat(_ key: String) throws(EngineError) -> Float? {
            do { return try file.optionalFloat("\(arch).\(key)") } catch { throw .file(error) }
        }
        embeddingWidth = try int("embedding_length")
        feedForwardWidth = try int("feed_forward_length")
        layerCount = try int("block_count")
        headCount = try int("attention.head_count")
        kvHeadCount = try optionalInt("attention.head_count_kv") ?? headCount
        contextLength = try int("context_length")
        guard embeddingWidth > 0, feedForwardWidth > 0, layerCount > 0, headCount > 0, kvHeadCount > 0,
              headCount % kvHeadCount == 0, contextLength > 0
        else {
            throw .invalidHyperparameter(
                "\(arch): D=\(embeddingWidth) F=\(feedForwardWidth) L=\(layerCount) H=\(headCount) Hkv=\(kvHeadCount) ctx=\(contextLength)")
        }
        keyWidth = try optionalInt("attention.key_length") ?? embeddingWidth / headCount
        valueWidth = try optionalInt("attention.value_length") ?? keyWidth
        guard keyWidth > 0, keyWidth % 2 == 0, valueWidth > 0 else {
            throw .invalidHyperparameter("\(arch): head widths Dk=\(keyWidth) Dv=\(valueWidth)")
        }
        self.vocabularySize = vocabularySize
        rmsEpsilon = try optionalFloat("attention.layer_norm_rms_epsilon") ?? 1e-5
        ropeBase = try optionalFloat("rope.freq_base") ?? 10_000
        ropeDimensions = try optionalInt("rope.dimension_count") ?? keyWidth
        guard ropeDimensions > 0, ropeDimensions <= keyWidth, ropeDimensions % 2 == 0 else {
            throw .invalidHyperparameter("\(arch): rope.dimension_count \(ropeDimensions) with head width \(keyWidth)")
        }
        ropePositionScale = 1
        let scalingType: String?
        do { scalingType = try file.optionalString("\(arch).rope.scaling.type") } catch { throw .file(error) }
        if let scalingType, scalingType != "none" {
            guard scalingType == "linear", let factor = try optionalFloat("rope.scaling.factor"), factor > 0 else {
                throw .invalidHyperparameter("\(arch): RoPE scaling '\(scalingType)' is not supported (only linear)")
            }
            ropePositionScale = 1 / factor
        }
        slidingWindow = 0
        slidingRopeBase = ropeBase
        slidingLayers = Array(repeating: false, count: layerCount)
        attentionScale = 1 / Float(keyWidth).squareRoot()
        finalLogitSoftcap = try optionalFloat("final_logit_softcapping")
    }
}
