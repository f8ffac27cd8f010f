import CoolFusionKernels
import Foundation

/// One forward pass of a batch of new tokens after a cached prefix: the scratch buffers and the
/// operations architectures compose (one file per architecture says in which order).
///
/// Buffers ([N] = tokens in the batch):
///   hidden [N][D] residual stream · normed [N][D] · query [N][H·Dk] · attended [N][H·Dv]
///   delta [N][D] output of a sublayer before the residual add · gate, up [N][F]
///   keys/values of the new tokens live in `newKV` ([L][N][Hkv·Dk], [L][N][Hkv·Dv]).
final class ForwardPass {
    let hp: Hyperparameters
    let layout: BatchLayout
    let prefix: KVCache
    let newKV: BatchKV
    let pool: ThreadPool
    let rounding: MatmulRounding
    /// Debug observer of intermediates (nil in normal use).
    let trace: ForwardTrace?

    let hidden: Activations
    let normed: Activations
    let query: Activations
    let attended: Activations
    let delta: Activations
    let gate: Activations
    let up: Activations
    /// Seconds spent on the output rows (`logits(rows:...)`), for the model's `PassCounter`.
    var outputSeconds = 0.0

    init(hyperparameters hp: Hyperparameters, layout: BatchLayout, prefix: KVCache, pool: ThreadPool,
         rounding: MatmulRounding, trace: ForwardTrace? = nil) {
        self.rounding = rounding
        self.hp = hp
        self.trace = trace
        self.layout = layout
        self.prefix = prefix
        self.pool = pool
        let n = layout.tokenCount
        newKV = BatchKV(layout: prefix.layout, rowCount: n)
        hidden = .allocate(rows: n, cols: hp.embeddingWidth)
        normed = .allocate(rows: n, cols: hp.embeddingWidth)
        query = .allocate(rows: n, cols: hp.queryWidth)
        attended = .allocate(rows: n, cols: hp.headCount * hp.valueWidth)
        delta = .allocate(rows: n, cols: hp.embeddingWidth)
        gate = .allocate(rows: n, cols: hp.feedForwardWidth)
        up = .allocate(rows: n, cols: hp.feedForwardWidth)
    }

    deinit {
        for buffer in [hidden, normed, query, attended, delta, gate, up] { buffer.deallocate() }
    }

    /// Keys of the batch at `layer` as a matrix [N][Hkv·Dk] (a view into `newKV`).
    func keys(layer: Int) -> Activations {
        Activations(rows: layout.tokenCount, cols: hp.kvWidth, base: newKV.keys(layer: layer, row: 0))
    }

    /// Values of the batch at `layer` as a matrix [N][Hkv·Dv] (a view into `newKV`).
    func values(layer: Int) -> Activations {
        Activations(rows: layout.tokenCount, cols: hp.valueRowWidth, base: newKV.values(layer: layer, row: 0))
    }

    /// Hands `m` to the trace under llama.cpp's name for it (`name-layer`), when tracing.
    @inline(__always) func record(_ name: String, _ layer: Int? = nil, _ m: Activations) {
        guard let trace else { return }
        trace(layer.map { "\(name)-\($0)" } ?? name, m.rows, m.cols, m.base)
    }

    // MARK: Operations

    /// hidden[i] = scale · embedding row of tokens[i] (rows dequantized on lookup, never the table).
    func embed(_ tokens: [Int32], table: WeightMatrix, scale: Float = 1) throws {
        for (i, token) in tokens.enumerated() {
            try Kernels.dequantizeRow(table, row: Int(token), to: hidden.row(i))
            if scale != 1 { for j in 0..<table.cols { hidden.row(i)[j] *= scale } }
        }
    }

    /// output[i] = RMSNorm(input[i]) · weight, row by row.
    func rmsNorm(_ input: Activations, weight: [Float], into output: Activations) {
        weight.withUnsafeBufferPointer { w in
            for i in 0..<input.rows {
                VectorMath.rmsNorm(input.row(i), weight: w.baseAddress!, count: input.cols, epsilon: hp.rmsEpsilon,
                                   into: output.row(i))
            }
        }
    }

    /// RMSNorm over each head of width `width` separately, in place (Gemma's q/k norms).
    func headNorm(_ m: Activations, width: Int, weight: [Float]) {
        weight.withUnsafeBufferPointer { w in
            for i in 0..<m.rows {
                for head in 0..<(m.cols / width) {
                    let x = m.row(i) + head * width
                    VectorMath.rmsNorm(x, weight: w.baseAddress!, count: width, epsilon: hp.rmsEpsilon, into: x)
                }
            }
        }
    }

    /// output = input · Wᵀ (+ bias): [N][cols] → [N][rows].
    func linear(_ w: WeightMatrix, _ input: Activations, into output: Activations, bias: [Float]? = nil) {
        Kernels.matmul(w, x: input.base, n: input.rows, y: output.base, pool: pool, rounding: rounding)
        if let bias {
            for i in 0..<output.rows { Kernels.add(bias, to: output.row(i), count: output.cols) }
        }
    }

    /// Rotates the first `hp.ropeDimensions` dims of every head of width `width` by its token's position.
    ///
    /// Rounds exactly as llama.cpp's CPU rope does (its compiler fuses the rotation into FMAs):
    /// θ starts at the position (a Float) and is multiplied by base^(−2/n) (powf) once per pair,
    /// then scaled by `positionScale` (ggml's freq_scale); cos/sin in Float; the rotation is
    /// fma(x0, cos, −x1·sin) and fma(x0, sin, x1·cos). Bit-exactness matters here because keys and
    /// queries are rounded to f16 next: a last-bit difference can flip that rounding, and with
    /// keys of magnitude ~20 (Qwen2's k bias) one flipped f16 step moves a score by ~0.01.
    func rope(_ m: Activations, width: Int, base: Float, positionScale: Float, style: RopeStyle) {
        let rotated = hp.ropeDimensions
        let half = rotated / 2
        let thetaScale = Foundation.powf(base, -2 / Float(rotated))
        var cosines = [Float](repeating: 0, count: half)
        var sines = [Float](repeating: 0, count: half)
        for i in 0..<m.rows {
            var theta = Float(layout.position(of: i))
            for j in 0..<half {
                let angle = positionScale * theta
                cosines[j] = Foundation.cosf(angle)
                sines[j] = Foundation.sinf(angle)
                theta *= thetaScale
            }
            for head in 0..<(m.cols / width) {
                let x = m.row(i) + head * width
                for j in 0..<half {
                    let (a, b) = style == .adjacentPairs ? (2 * j, 2 * j + 1) : (j, j + half)
                    let x0 = x[a], x1 = x[b]
                    x[a] = (-(x1 * sines[j])).addingProduct(x0, cosines[j])
                    x[b] = (x1 * cosines[j]).addingProduct(x0, sines[j])
                }
            }
        }
    }

    /// Rounds a matrix to f16 values in place: keys and values as llama.cpp's F16 KV cache holds them.
    func roundToHalf(_ m: Activations) {
        Kernels.roundToHalf(m.base, count: m.rows * m.cols)
    }

    /// The gate activation of a gated feed-forward.
    enum GateActivation { case silu, geluTanh }

    /// gate = act(gate(normed)) · up(normed); delta = down(gate). The gated feed-forward of every
    /// supported architecture; only the activation differs.
    func gatedFeedForward(_ w: LayerWeights, layer: Int, activation: GateActivation) {
        linear(w.gate, normed, into: gate)
        record("ffn_gate", layer, gate)
        linear(w.up, normed, into: up)
        record("ffn_up", layer, up)
        let count = up.rows * up.cols
        switch activation {
        case .silu: Kernels.siluMultiply(gate: gate.base, up: up.base, count: count)
        case .geluTanh: Kernels.geluMultiply(gate: gate.base, up: up.base, count: count)
        }
        record(activation == .silu ? "ffn_swiglu" : "ffn_geglu", layer, gate)
        linear(w.down, gate, into: delta)
    }

    /// hidden += delta.
    func addResidual() {
        Kernels.add(delta.base, to: hidden.base, count: hidden.rows * hidden.cols)
    }
}
