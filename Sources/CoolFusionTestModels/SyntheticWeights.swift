import CoolFusionGGUF
import CoolFusionTestSupport

/// The tensors of a synthetic `llama` network, named and shaped as llama.cpp writes them (ggml shapes
/// are [inputs, outputs]).
struct SyntheticWeights {
    let shape: SyntheticShape
    let vocabularySize: Int
    let seed: UInt64
    /// Without `output.weight` the engine uses the embedding table as the output head: one model of
    /// each kind covers both paths.
    let tiedOutput: Bool

    func write(to writer: inout GGUFWriter) {
        let d = shape.embedding, f = shape.feedForward
        let q = shape.heads * shape.headWidth, kv = shape.kvHeads * shape.headWidth
        writer.add("llama.context_length", .uint32(UInt32(shape.context)))
        writer.add("llama.embedding_length", .uint32(UInt32(d)))
        writer.add("llama.feed_forward_length", .uint32(UInt32(f)))
        writer.add("llama.block_count", .uint32(UInt32(shape.layers)))
        writer.add("llama.attention.head_count", .uint32(UInt32(shape.heads)))
        writer.add("llama.attention.head_count_kv", .uint32(UInt32(shape.kvHeads)))
        writer.add("llama.attention.layer_norm_rms_epsilon", .float32(1e-5))
        writer.add("llama.rope.freq_base", .float32(10_000))

        var random = SeededGenerator(seed: seed)
        // Embeddings of unit scale; each matrix scaled by 1/√inputs so activations stay of order one,
        // and the output head by 4/√D so the next-token distribution has clear favourites.
        func uniform(_ count: Int, bound: Float) -> [Float] {
            (0..<count).map { _ in Float.random(in: -bound...bound, using: &random) }
        }
        func matrix(_ name: String, inputs: Int, outputs: Int, scale: Float = 1) {
            let bound = scale / Float(inputs).squareRoot()
            writer.addTensor(name, shape: [inputs, outputs], values: uniform(inputs * outputs, bound: bound))
        }
        func ones(_ name: String, _ count: Int) {
            writer.addTensor(name, shape: [count], values: [Float](repeating: 1, count: count))
        }
        writer.addTensor("token_embd.weight", shape: [d, vocabularySize], values: uniform(d * vocabularySize, bound: 1))
        for layer in 0..<shape.layers {
            let p = "blk.\(layer)."
            ones(p + "attn_norm.weight", d)
            matrix(p + "attn_q.weight", inputs: d, outputs: q)
            matrix(p + "attn_k.weight", inputs: d, outputs: kv)
            matrix(p + "attn_v.weight", inputs: d, outputs: kv)
            matrix(p + "attn_output.weight", inputs: q, outputs: d)
            ones(p + "ffn_norm.weight", d)
            matrix(p + "ffn_gate.weight", inputs: d, outputs: f)
            matrix(p + "ffn_up.weight", inputs: d, outputs: f)
            matrix(p + "ffn_down.weight", inputs: f, outputs: d)
        }
        ones("output_norm.weight", d)
        if !tiedOutput { matrix("output.weight", inputs: d, outputs: vocabularySize, scale: 4) }
    }
}
