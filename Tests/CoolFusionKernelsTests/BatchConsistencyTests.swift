import CoolFusionGGUF
import CoolFusionKernels
import CoolFusionTestSupport
import Foundation
import Testing

/// Row k of a batched product must be bit for bit the product of row k alone. The engine relies
/// on it: a prompt prefilled in one batch has to give the same logits as the same tokens decoded
/// one at a time (batch/step and fork/commit equivalence). A last-bit difference is not harmless
/// here: the next layer quantizes its input to int8, a value sitting on a rounding boundary moves
/// a whole step, and with the outlier channels of real residual streams (|x| ~ 1e3) that step is
/// large; over a model's layers the logits of the two paths drifted apart by ~0.4.
@Suite("Batched and single-row products agree exactly")
struct BatchConsistencyTests {
    /// Activations shaped like a transformer's residual stream: mostly O(1) values, a few
    /// channels with huge magnitudes (fixed per model, as in real hidden states), and a
    /// magnitude that varies from row to row.
    static func residualLikeRows(n: Int, cols: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        let outlierChannels = [3, cols / 3, cols - 5]
        var x = [Float](repeating: 0, count: n * cols)
        for i in 0..<n {
            let rowScale = Float.random(in: 0.05...8, using: &rng)
            for c in 0..<cols { x[i * cols + c] = rowScale * Float.random(in: -1...1, using: &rng) }
            for c in outlierChannels { x[i * cols + c] = Float.random(in: -1200...1200, using: &rng) }
        }
        return x
    }

    /// Rows of `n`-row products (n = 1...17: the 8- and 4-row kernels, their remainders and
    /// several panels) that differ in any bit from the n = 1 product of the same row.
    static func mismatches(_ w: WeightMatrix, x: [Float], pool: ThreadPool) -> [String] {
        let maxN = x.count / w.cols
        var single = [Float](repeating: .nan, count: maxN * w.rows)   // [maxN][rows]
        for k in 0..<maxN {
            x.withUnsafeBufferPointer { xs in
                single.withUnsafeMutableBufferPointer { ys in
                    Kernels.matmul(w, x: xs.baseAddress! + k * w.cols, n: 1, y: ys.baseAddress! + k * w.rows, pool: pool)
                }
            }
        }
        var found: [String] = []
        for n in 1...maxN {
            var batched = [Float](repeating: .nan, count: n * w.rows)   // [n][rows]
            Kernels.matmul(w, x: x, n: n, y: &batched, pool: pool)
            for k in 0..<n {
                let differing = (0..<w.rows).filter { batched[k * w.rows + $0].bitPattern != single[k * w.rows + $0].bitPattern }
                if let r = differing.first {
                    found.append("\(w.type.name) cols=\(w.cols) n=\(n) row \(k): \(differing.count) outputs differ, e.g. [\(r)] \(batched[k * w.rows + r]) vs \(single[k * w.rows + r])")
                }
            }
        }
        return found
    }

    @Test("real weights of the default models: every tensor type, n = 1...17, 1 and 2 threads",
          arguments: RealModelTests.models)
    func realWeights(model: String) throws {
        let path = try defaultModelPath(model)
        let file = try GGUFFile(path: path)
        // One tensor per (type, row length): covers Qwen's 896/4864 and Gemma's 640/2048 widths.
        var seen = Set<String>()
        for info in file.tensors where info.shape.count == 2 && seen.insert("\(info.type.name)/\(info.rowLength)").inserted {
            let full = try WeightMatrix(info: info, data: file.data(of: info))
            let w = try WeightMatrix(type: full.type, rows: min(full.rows, 53), cols: full.cols, data: full.data)
            let x = Self.residualLikeRows(n: 17, cols: w.cols, seed: UInt64(w.cols))
            for threads in [1, 2] {
                let found = Self.mismatches(w, x: x, pool: ThreadPool(threads: threads))
                let mismatchedRows = found.count   // a count, so a failure prints 3 examples, not all
                #expect(mismatchedRows == 0, "\(model) \(info.name) threads=\(threads): \(found.prefix(3))")
            }
            // And the SIMD result is the scalar reference's up to summation order.
            var simd = [Float](repeating: .nan, count: 17 * w.rows), scalar = simd
            Kernels.matmul(w, x: x, n: 17, y: &simd, pool: ThreadPool(threads: 2))
            Kernels.matmul(w, x: x, n: 17, y: &scalar, pool: ThreadPool(threads: 1), implementation: .scalarReference)
            #expect(nmse(simd, scalar) < 1e-10, "\(model) \(info.name): SIMD vs scalar NMSE \(nmse(simd, scalar))")
        }
    }

    @Test("every kernel type on random blocks with outlier activations, n = 1...17", arguments: kernelTypes)
    func everyType(type: GGMLType) throws {
        for cols in [512, 2048] {
            let rows = 37
            let bytes = randomBlocks(type, blocks: rows * cols / type.blockSize, seed: UInt64(cols) &+ UInt64(type.rawValue))
            try bytes.withUnsafeBytes { raw in
                let w = try WeightMatrix(type: type, rows: rows, cols: cols, data: raw.baseAddress!)
                let found = Self.mismatches(w, x: Self.residualLikeRows(n: 17, cols: cols, seed: 7), pool: ThreadPool(threads: 2))
                let mismatchedRows = found.count
                #expect(mismatchedRows == 0, "\(found.prefix(3))")
            }
        }
    }

    @Test("dotRows: a key's score does not depend on how many keys are scored with it, and SIMD equals the scalar reference")
    func dotRowsIsPerRow() {
        for width in [8, 24, 64, 72, 128, 256] {
            let stride = width + 40   // keys interleaved with other heads, as in a KV cache
            let keys = Self.residualLikeRows(n: 13, cols: stride, seed: UInt64(width))
            let q = randomFloats(width, seed: 99, range: -3...3)
            let scale: Float = 1 / Float(width).squareRoot()
            keys.withUnsafeBufferPointer { k in
                var alone = [Float](repeating: .nan, count: 13)
                for t in 0..<13 {
                    Kernels.dotRows(q, rows: k.baseAddress! + t * stride, stride: stride, count: 1, width: width, scale: scale,
                                    into: &alone[t], implementation: .scalarReference)
                }
                for count in 1...13 {
                    var scores = [Float](repeating: .nan, count: count)
                    Kernels.dotRows(q, rows: k.baseAddress!, stride: stride, count: count, width: width, scale: scale, into: &scores)
                    for t in 0..<count {
                        #expect(scores[t].bitPattern == alone[t].bitPattern,
                                "width \(width) count \(count) key \(t): \(scores[t]) vs \(alone[t])")
                    }
                }
            }
        }
    }
}
