import CoolFusionKernels
import Foundation

extension ForwardPass {
    /// Final norm and output head for the batch rows `rows`, in chunks so a 262k vocabulary never
    /// needs more than `chunkRows` logit rows at once. Calls `consume(k, logits)` for the k-th
    /// requested row with its logits [V] (valid only during the call).
    func logits(rows: [Int], outputNorm: [Float], head: WeightMatrix, softcap: Float?,
                consume: (Int, UnsafeMutablePointer<Float>) throws -> Void) rethrows {
        guard !rows.isEmpty else { return }
        let began = ContinuousClock.now
        defer { outputSeconds += Session.seconds(since: began) }
        let chunkRows = 16
        let vocabulary = head.rows
        let selected = Activations.allocate(rows: min(chunkRows, rows.count), cols: hp.embeddingWidth)
        let output = Activations.allocate(rows: selected.rows, cols: vocabulary)
        defer { selected.deallocate(); output.deallocate() }
        var start = 0
        while start < rows.count {
            let count = min(chunkRows, rows.count - start)
            outputNorm.withUnsafeBufferPointer { w in
                for k in 0..<count {
                    VectorMath.rmsNorm(hidden.row(rows[start + k]), weight: w.baseAddress!, count: hp.embeddingWidth,
                                       epsilon: hp.rmsEpsilon, into: selected.row(k))
                }
            }
            record("result_norm", nil, Activations(rows: count, cols: hp.embeddingWidth, base: selected.base))
            Kernels.matmul(head, x: selected.base, n: count, y: output.base, pool: pool, rounding: rounding)
            record("result_output", nil, Activations(rows: count, cols: vocabulary, base: output.base))
            for k in 0..<count {
                let row = output.row(k)
                if let cap = softcap {
                    for j in 0..<vocabulary { row[j] = cap * tanhf(row[j] / cap) }
                }
                try consume(start + k, row)
            }
            start += count
        }
    }
}
