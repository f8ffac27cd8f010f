import CoolFusionKernels

/// Weights of one transformer layer. Matrices stay in the memory map; norms and biases are small
/// float copies. Optional members are the ones only some architectures have.
struct LayerWeights: @unchecked Sendable {
    var attentionNorm: [Float]            // [D]
    var query: WeightMatrix               // [H·Dk] × D
    var key: WeightMatrix                 // [Hkv·Dk] × D
    var value: WeightMatrix               // [Hkv·Dv] × D
    var output: WeightMatrix              // D × [H·Dv]
    var queryBias: [Float]? = nil         // [H·Dk]   (qwen2)
    var keyBias: [Float]? = nil           // [Hkv·Dk] (qwen2)
    var valueBias: [Float]? = nil         // [Hkv·Dv] (qwen2)
    var queryNorm: [Float]? = nil         // [Dk] per head (gemma3)
    var keyNorm: [Float]? = nil           // [Dk] per head (gemma3)
    var postAttentionNorm: [Float]? = nil // [D] (gemma3)
    var ffnNorm: [Float]                  // [D]
    var gate: WeightMatrix                // F × D
    var up: WeightMatrix                  // F × D
    var down: WeightMatrix                // D × F
    var postFFNNorm: [Float]? = nil       // [D] (gemma3)

    /// Loads the tensors every supported architecture shares (`blk.N.*` names as llama.cpp writes them).
    init(loader: WeightLoader, layer: Int, hyperparameters hp: Hyperparameters) throws(EngineError) {
        let p = "blk.\(layer)."
        let d = hp.embeddingWidth
        attentionNorm = try loader.vector(p + "attn_norm.weight", count: d)
        query = try loader.matrix(p + "attn_q.weight", rows: hp.queryWidth, cols: d)
        key = try loader.matrix(p + "attn_k.weight", rows: hp.kvWidth, cols: d)
        value = try loader.matrix(p + "attn_v.weight", rows: hp.valueRowWidth, cols: d)
        output = try loader.matrix(p + "attn_output.weight", rows: d, cols: hp.headCount * hp.valueWidth)
        ffnNorm = try loader.vector(p + "ffn_norm.weight", count: d)
        gate = try loader.matrix(p + "ffn_gate.weight", rows: hp.feedForwardWidth, cols: d)
        up = try loader.matrix(p + "ffn_up.weight", rows: hp.feedForwardWidth, cols: d)
        down = try loader.matrix(p + "ffn_down.weight", rows: d, cols: hp.feedForwardWidth)
    }
}

/// Weights outside the layers.
struct ModelWeights: @unchecked Sendable {
    var tokenEmbedding: WeightMatrix      // V × D (rows dequantized one at a time on lookup)
    var layers: [LayerWeights]
    var outputNorm: [Float]               // [D]
    var output: WeightMatrix              // V × D (the embedding table when the file ties them)

    init(loader: WeightLoader, hyperparameters hp: Hyperparameters,
         layer loadLayer: (Int) throws(EngineError) -> LayerWeights) throws(EngineError) {
        tokenEmbedding = try loader.matrix("token_embd.weight", rows: hp.vocabularySize, cols: hp.embeddingWidth)
        var layers: [LayerWeights] = []
        for index in 0..<hp.layerCount { layers.append(try loadLayer(index)) }
        self.layers = layers
        outputNorm = try loader.vector("output_norm.weight", count: hp.embeddingWidth)
        output = loader.has("output.weight")
            ? try loader.matrix("output.weight", rows: hp.vocabularySize, cols: hp.embeddingWidth)
            : tokenEmbedding
    }
}
