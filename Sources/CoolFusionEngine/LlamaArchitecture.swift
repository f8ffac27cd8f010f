import CoolFusionGGUF

/// `llama`: SmolLM2, Llama 2/3, Mistral. Pre-norm, RoPE on adjacent pairs, SwiGLU feed-forward.
struct LlamaArchitecture: Architecture {
    static let name = "llama"
    let hyperparameters: Hyperparameters
    let weights: ModelWeights

    init(file: GGUFFile) throws(EngineError) {
        let hp = try Hyperparameters(file: file, architecture: Self.name,
                                     vocabularySize: try Architectures.vocabularySize(file))
        let loader = WeightLoader(file: file)
        hyperparameters = hp
        weights = try ModelWeights(loader: loader, hyperparameters: hp) { layer throws(EngineError) in
            try LayerWeights(loader: loader, layer: layer, hyperparameters: hp)
        }
    }

    func forward(_ pass: ForwardPass, tokens: [Int32], outputRows: [Int],
                 consume: (Int, UnsafeMutablePointer<Float>) throws -> Void) throws {
        let hp = hyperparameters
        try pass.embed(tokens, table: weights.tokenEmbedding)                         // hidden [N][D]
        pass.record("inp_embd", nil, pass.hidden)
        for (l, w) in weights.layers.enumerated() {
            pass.rmsNorm(pass.hidden, weight: w.attentionNorm, into: pass.normed)     // attn_norm
            pass.record("attn_norm", l, pass.normed)
            let keys = pass.keys(layer: l), values = pass.values(layer: l)
            pass.linear(w.query, pass.normed, into: pass.query)                       // Qcur [N][H·Dk]
            pass.record("Qcur", l, pass.query)
            pass.linear(w.key, pass.normed, into: keys)                               // Kcur [N][Hkv·Dk]
            pass.record("Kcur", l, keys)
            pass.linear(w.value, pass.normed, into: values)                           // Vcur [N][Hkv·Dv]
            pass.record("Vcur", l, values)
            pass.rope(pass.query, width: hp.keyWidth, base: hp.ropeBase, positionScale: hp.ropePositionScale, style: .adjacentPairs)
            pass.rope(keys, width: hp.keyWidth, base: hp.ropeBase, positionScale: hp.ropePositionScale, style: .adjacentPairs)
            pass.record("Qcur", l, pass.query); pass.record("Kcur", l, keys)
            pass.roundToHalf(keys); pass.roundToHalf(values)                          // F16 KV cache
            pass.attend(layer: l, window: 0, scale: hp.attentionScale)                // attended [N][H·Dv]
            pass.record("kqv_out", l, pass.attended)
            pass.linear(w.output, pass.attended, into: pass.delta)                    // attn_out [N][D]
            pass.record("attn_out", l, pass.delta)
            pass.addResidual()                                                        // ffn_inp
            pass.record("ffn_inp", l, pass.hidden)
            pass.rmsNorm(pass.hidden, weight: w.ffnNorm, into: pass.normed)           // ffn_norm
            pass.record("ffn_norm", l, pass.normed)
            pass.gatedFeedForward(w, layer: l, activation: .silu)                     // ffn_out
            pass.record("ffn_out", l, pass.delta)
            pass.addResidual()                                                        // l_out
            pass.record("l_out", l, pass.hidden)
        }
        try pass.logits(rows: outputRows, outputNorm: weights.outputNorm, head: weights.output,
                        softcap: hp.finalLogitSoftcap, consume: consume)             // result_output [V]
    }
}
