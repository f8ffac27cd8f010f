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

    let hidden: Activations
    let normed: Activations
    let query: Activations
    let attended: Activations
    let delta: Activations
    let gate: Activations
    let up: Activations

    init(hyperparameters hp: Hyperparameters, layout: BatchLayout, prefix: KVCache, pool: ThreadPool) {
        self.hp = hp
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
        Kernels.matmul(w, x: input.base, n: input.rows, y: output.base, pool: pool)
        if let bias {
            for i in 0..<output.rows { VectorMath.axpy(1, bias, output.row(i), count: output.cols) }
        }
    }

    /// Rotates the first `hp.ropeDimensions` dims of every head of width `width` by its token's position.
    func rope(_ m: Activations, width: Int, base: Float, positionScale: Float, style: RopeStyle) {
        let rotated = hp.ropeDimensions
        let half = rotated / 2
        // Inverse frequencies base^(−2j/n), j < n/2, in Double so positions in the thousands keep precision.
        let inverseFrequency = (0..<half).map { j in Foundation.pow(Double(base), -2 * Double(j) / Double(rotated)) }
        var cosines = [Float](repeating: 0, count: half)
        var sines = [Float](repeating: 0, count: half)
        for i in 0..<m.rows {
            let position = Double(layout.position(of: i)) * Double(positionScale)
            for j in 0..<half {
                let angle = position * inverseFrequency[j]
                cosines[j] = Float(Foundation.cos(angle))
                sines[j] = Float(Foundation.sin(angle))
            }
            for head in 0..<(m.cols / width) {
                let x = m.row(i) + head * width
                for j in 0..<half {
                    let (a, b) = style == .adjacentPairs ? (2 * j, 2 * j + 1) : (j, j + half)
                    let x0 = x[a], x1 = x[b]
                    x[a] = x0 * cosines[j] - x1 * sines[j]
                    x[b] = x0 * sines[j] + x1 * cosines[j]
                }
            }
        }
    }

    /// up = act(gate(normed)) · up(normed); delta = down(up). The gated feed-forward of every
    /// supported architecture; only the activation differs.
    func gatedFeedForward(_ w: LayerWeights, activation: (Float) -> Float) {
        linear(w.gate, normed, into: gate)
        linear(w.up, normed, into: up)
        let count = up.rows * up.cols
        for i in 0..<count { up.base[i] = activation(gate.base[i]) * up.base[i] }
        linear(w.down, up, into: delta)
    }

    /// hidden += delta.
    func addResidual() {
        VectorMath.axpy(1, delta.base, hidden.base, count: hidden.rows * hidden.cols)
    }
}
