import CoolFusionGGUF

/// `gemma3` (text): embeddings scaled by √D; RMS norms on each q/k head; norms after attention and
/// after the FFN (before each residual add); GELU-tanh gated FFN; RoPE on halves; sliding-window
/// layers (5 of every 6 by default) with their own RoPE base; optional final logit soft-capping.
///
/// Norm weights are used as stored: llama.cpp's converter already folds Gemma's `(1 + w)` into
/// the GGUF, and llama.cpp's graph multiplies by the stored value.
struct Gemma3Architecture: Architecture {
    static let name = "gemma3"
    let hyperparameters: Hyperparameters
    let weights: ModelWeights

    init(file: GGUFFile) throws(EngineError) {
        var hp = try Hyperparameters(file: file, architecture: Self.name,
                                     vocabularySize: try Architectures.vocabularySize(file))
        do {
            hp.slidingWindow = try file.optionalInt("gemma3.attention.sliding_window") ?? 0
            // Window layers use their own RoPE base; llama.cpp fixes it at 10000 when the file has none.
            hp.slidingRopeBase = try file.optionalFloat("gemma3.rope.local.freq_base")
                ?? file.optionalFloat("gemma3.rope.freq_base_swa") ?? 10_000
            // Every `pattern`-th layer attends globally, the others through the window (llama.cpp: 6).
            let pattern = try file.optionalInt("gemma3.attention.sliding_window_pattern") ?? 6
            guard pattern > 0 else { throw EngineError.invalidHyperparameter("gemma3.attention.sliding_window_pattern \(pattern)") }
            hp.slidingLayers = (0..<hp.layerCount).map { hp.slidingWindow > 0 && $0 % pattern < pattern - 1 }
        } catch let error as GGUFError {
            throw .file(error)
        } catch let error as EngineError {
            throw error
        } catch {
            throw .invalidHyperparameter("gemma3: \(error)")
        }
        let loader = WeightLoader(file: file)
        let frozen = hp
        hyperparameters = hp
        weights = try ModelWeights(loader: loader, hyperparameters: hp) { layer throws(EngineError) in
            let p = "blk.\(layer)."
            var w = try LayerWeights(loader: loader, layer: layer, hyperparameters: frozen)
            w.queryNorm = try loader.vector(p + "attn_q_norm.weight", count: frozen.keyWidth)
            w.keyNorm = try loader.vector(p + "attn_k_norm.weight", count: frozen.keyWidth)
            w.postAttentionNorm = try loader.vector(p + "post_attention_norm.weight", count: frozen.embeddingWidth)
            w.postFFNNorm = try loader.vector(p + "post_ffw_norm.weight", count: frozen.embeddingWidth)
            return w
        }
    }

    func forward(_ pass: ForwardPass, tokens: [Int32], outputRows: [Int],
                 consume: (Int, UnsafeMutablePointer<Float>) throws -> Void) throws {
        let hp = hyperparameters
        try pass.embed(tokens, table: weights.tokenEmbedding,
                       scale: Float(hp.embeddingWidth).squareRoot())                  // inp_scaled [N][D]
        pass.record("inp_scaled", nil, pass.hidden)
        for (l, w) in weights.layers.enumerated() {
            let sliding = hp.slidingLayers[l]
            let ropeBase = sliding ? hp.slidingRopeBase : hp.ropeBase
            let positionScale = sliding ? 1 : hp.ropePositionScale
            pass.rmsNorm(pass.hidden, weight: w.attentionNorm, into: pass.normed)     // attn_norm
            pass.record("attn_norm", l, pass.normed)
            let keys = pass.keys(layer: l), values = pass.values(layer: l)
            pass.linear(w.query, pass.normed, into: pass.query)                       // Qcur [N][H·Dk]
            pass.record("Qcur", l, pass.query)
            pass.linear(w.key, pass.normed, into: keys)                               // Kcur [N][Hkv·Dk]
            pass.record("Kcur", l, keys)
            pass.linear(w.value, pass.normed, into: values)                           // Vcur [N][Hkv·Dv]
            pass.record("Vcur", l, values)
            if let norm = w.queryNorm { pass.headNorm(pass.query, width: hp.keyWidth, weight: norm) } // Qcur_normed
            if let norm = w.keyNorm { pass.headNorm(keys, width: hp.keyWidth, weight: norm) }         // Kcur_normed
            pass.record("Qcur_normed", l, pass.query); pass.record("Kcur_normed", l, keys)
            pass.rope(pass.query, width: hp.keyWidth, base: ropeBase, positionScale: positionScale, style: .halves)
            pass.rope(keys, width: hp.keyWidth, base: ropeBase, positionScale: positionScale, style: .halves)
            pass.record("Qcur", l, pass.query); pass.record("Kcur", l, keys)
            pass.roundToHalf(keys); pass.roundToHalf(values)                          // F16 KV cache
            pass.attend(layer: l, window: sliding ? hp.slidingWindow : 0, scale: hp.attentionScale)
            pass.record("kqv_out", l, pass.attended)
            pass.linear(w.output, pass.attended, into: pass.delta)                    // attn_out [N][D]
            pass.record("attn_out", l, pass.delta)
            if let norm = w.postAttentionNorm { pass.rmsNorm(pass.delta, weight: norm, into: pass.delta) } // attn_post_norm
            pass.record("attn_post_norm", l, pass.delta)
            pass.addResidual()                                                        // sa_out
            pass.record("sa_out", l, pass.hidden)
            pass.rmsNorm(pass.hidden, weight: w.ffnNorm, into: pass.normed)           // ffn_norm
            pass.record("ffn_norm", l, pass.normed)
            pass.gatedFeedForward(w, layer: l, activation: .geluTanh)                 // ffn_out
            pass.record("ffn_out", l, pass.delta)
            if let norm = w.postFFNNorm { pass.rmsNorm(pass.delta, weight: norm, into: pass.delta) }  // ffn_post_norm
            pass.record("ffn_post_norm", l, pass.delta)
            pass.addResidual()                                                        // l_out
            pass.record("l_out", l, pass.hidden)
        }
        try pass.logits(rows: outputRows, outputNorm: weights.outputNorm, head: weights.output,
                        softcap: hp.finalLogitSoftcap, consume: consume)             // result_output [V]
    }
}
