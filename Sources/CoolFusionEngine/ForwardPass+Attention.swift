import CoolFusionKernels
import Foundation

extension ForwardPass {
    /// Scaled dot-product attention of every batch token over the cached prefix and the earlier
    /// tokens of its own segment (see `BatchLayout`), with grouped-query heads.
    ///
    /// Rounds as llama.cpp's CPU attention (F16 KV cache, no flash attention) does: keys and
    /// values are f16 values already (see `roundToHalf`); the query is rounded to f16 before q·k,
    /// and the softmax weights are rounded to f16 before they weight the values.
    ///
    /// Reads `query` [N][H·Dk] and this layer's new keys/values in `newKV`; writes `attended` [N][H·Dv].
    /// `window` > 0 limits each query to keys fewer than `window` positions behind it (sliding-window
    /// layers: key position kp is visible from query position qp when qp − kp < window).
    func attend(layer: Int, window: Int, scale: Float) {
        let heads = hp.headCount
        let n = layout.tokenCount
        let tasks = n * heads
        let scoreCapacity = layout.prefixCount + n
        let dk = hp.keyWidth
        pool.parallelFor(tasks) { range in
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: scoreCapacity)
            let roundedQuery = UnsafeMutablePointer<Float>.allocate(capacity: dk)
            defer { scores.deallocate(); roundedQuery.deallocate() }
            for task in range {
                attendOne(token: task / heads, head: task % heads, layer: layer, window: window, scale: scale, scores: scores,
                          roundedQuery: roundedQuery)
            }
        }
    }

    /// Key/value rows token `i` attends to, as runs of rows contiguous in memory (a prefix block's
    /// rows, then the token's own segment in the batch): (first key, first value, row count).
    private func visibleRuns(token i: Int, layer: Int, window: Int) -> [KVRun] {
        let prefixCount = layout.prefixCount
        let queryPosition = layout.position(of: i)
        let lowest = window > 0 ? max(0, queryPosition - window + 1) : 0
        let blockSize = prefix.layout.blockSize
        var runs: [KVRun] = []
        var position = lowest
        while position < prefixCount {
            let block = prefix.blocks[position / blockSize]
            let slot = position % blockSize
            let count = min(blockSize - slot, prefixCount - position)
            runs.append(KVRun(keys: block.keys(layer: layer) + slot * prefix.layout.keyRowWidth,
                              values: block.values(layer: layer) + slot * prefix.layout.valueRowWidth, count: count))
            position += count
        }
        let segmentStart = layout.segmentStartOfToken[i]
        let firstOwn = max(segmentStart, segmentStart + lowest - prefixCount)
        if firstOwn <= i {
            runs.append(KVRun(keys: newKV.keys(layer: layer, row: firstOwn), values: newKV.values(layer: layer, row: firstOwn),
                              count: i - firstOwn + 1))
        }
        return runs
    }

    /// Attention of one query head of one batch token. `scores` has room for P + N floats,
    /// `roundedQuery` for Dk.
    private func attendOne(token i: Int, head: Int, layer: Int, window: Int, scale: Float,
                           scores: UnsafeMutablePointer<Float>, roundedQuery q: UnsafeMutablePointer<Float>) {
        let dk = hp.keyWidth, dv = hp.valueWidth
        let kvHead = head / (hp.headCount / hp.kvHeadCount)
        q.update(from: query.row(i) + head * dk, count: dk)
        Kernels.roundToHalf(q, count: dk)
        let out = attended.row(i) + head * dv
        let keyStride = prefix.layout.keyRowWidth, valueStride = prefix.layout.valueRowWidth
        let runs = visibleRuns(token: i, layer: layer, window: window)

        var total = 0
        for run in runs {
            Kernels.dotRows(q, rows: run.keys + kvHead * dk, stride: keyStride, count: run.count, width: dk,
                            scale: scale, into: scores + total)
            total += run.count
        }
        Kernels.softmax(scores, count: total)
        Kernels.roundToHalf(scores, count: total)
        out.initialize(repeating: 0, count: dv)
        total = 0
        for run in runs {
            Kernels.weightedSumRows(scores + total, rows: run.values + kvHead * dv, stride: valueStride, count: run.count,
                                    width: dv, into: out)
            total += run.count
        }
    }
}

/// `count` consecutive key rows and value rows (row strides Hkv·Dk and Hkv·Dv).
struct KVRun {
    let keys: UnsafeMutablePointer<Float>
    let values: UnsafeMutablePointer<Float>
    let count: Int
}
