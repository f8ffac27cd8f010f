import CoolFusionKernels
import Foundation

extension ForwardPass {
    /// Scaled dot-product attention of every batch token over the cached prefix and the earlier
    /// tokens of its own segment (see `BatchLayout`), with grouped-query heads.
    ///
    /// Rounds exactly as llama.cpp's CPU attention (F16 KV cache, no flash attention) does, so
    /// greedy decoding follows it: keys and values are f16 values already (see `roundToHalf`); the
    /// query is rounded to f16; scores and the value sums use the accumulation order of the product
    /// llama.cpp runs for this batch size (`AttentionOrder`), in which a key's lane is its position
    /// mod 8 or 32; the softmax runs over positions aligned to 8 (masked ones −∞, as llama.cpp's
    /// padded cache rows); its weights are rounded to f16.
    ///
    /// Batch-invariant rounding attends in the batch order for every pass, one token included, so a
    /// row is computed the same whether it is decoded alone, prefilled with a prompt, or scored
    /// among candidates: otherwise a prompt whose last token was re-run alone (reusing a held
    /// prefix) would round differently from a fresh prefill and could turn near-tied answers.
    ///
    /// Reads `query` [N][H·Dk] and this layer's new keys/values in `newKV`; writes `attended` [N][H·Dv].
    /// `window` > 0 limits each query to keys fewer than `window` positions behind it (sliding-window
    /// layers: key position kp is visible from query position qp when qp − kp < window).
    func attend(layer: Int, window: Int, scale: Float) {
        let heads = hp.headCount
        let n = layout.tokenCount
        let tasks = n * heads
        let scoreCapacity = layout.prefixCount + n + 16   // + alignment below and padding above
        let dk = hp.keyWidth, dv = hp.valueWidth
        let order: AttentionOrder = n == 1 && rounding == .llamaCpp ? .single : .batch
        pool.parallelFor(tasks) { range in
            let scratch = AttentionScratch(scores: scoreCapacity, queryWidth: dk, valueWidth: dv, lanes: order.laneCount)
            defer { scratch.deallocate() }
            for task in range {
                attendOne(token: task / heads, head: task % heads, layer: layer, window: window, scale: scale,
                          order: order, scratch: scratch)
            }
        }
    }

    /// Key/value rows token `i` attends to, as runs of rows contiguous in memory (a prefix block's
    /// rows, then the token's own segment in the batch), in ascending key position.
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
                              values: block.values(layer: layer) + slot * prefix.layout.valueRowWidth,
                              position: position, count: count))
            position += count
        }
        let segmentStart = layout.segmentStartOfToken[i]
        let firstOwn = max(segmentStart, segmentStart + lowest - prefixCount)
        if firstOwn <= i {
            runs.append(KVRun(keys: newKV.keys(layer: layer, row: firstOwn), values: newKV.values(layer: layer, row: firstOwn),
                              position: layout.position(of: firstOwn), count: i - firstOwn + 1))
        }
        return runs
    }

    /// Attention of one query head of one batch token.
    private func attendOne(token i: Int, head: Int, layer: Int, window: Int, scale: Float, order: AttentionOrder,
                           scratch: AttentionScratch) {
        let dk = hp.keyWidth, dv = hp.valueWidth
        let kvHead = head / (hp.headCount / hp.kvHeadCount)
        let out = attended.row(i) + head * dv
        let keyStride = prefix.layout.keyRowWidth, valueStride = prefix.layout.valueRowWidth
        let runs = visibleRuns(token: i, layer: layer, window: window)
        guard let first = runs.first else { out.initialize(repeating: 0, count: dv); return }

        let q = scratch.query
        q.update(from: query.row(i) + head * dk, count: dk)
        Kernels.roundToHalf(q, count: dk)
        // scores[k] belongs to key position base + k; base and the length are multiples of 8.
        let base = first.position - first.position % 8
        let end = layout.position(of: i) + 1
        let total = (end - base + 7) / 8 * 8
        let scores = scratch.scores
        scores.initialize(repeating: -.infinity, count: total)
        for run in runs {
            Kernels.dotRows(q, rows: run.keys + kvHead * dk, stride: keyStride, count: run.count, width: dk,
                            scale: scale, into: scores + (run.position - base), order: order)
        }
        Kernels.softmax(scores, count: total)
        Kernels.roundToHalf(scores, count: total)
        let lanes = scratch.lanes
        lanes.initialize(repeating: 0, count: order.laneCount * dv)
        for run in runs {
            Kernels.weightedSumLanes(scores + (run.position - base), rows: run.values + kvHead * dv, stride: valueStride,
                                     count: run.count, width: dv, firstLane: run.position % order.laneCount, lanes: lanes,
                                     order: order)
        }
        Kernels.reduceLanes(lanes, width: dv, into: out, order: order)
    }
}

/// `count` consecutive key rows and value rows (row strides Hkv·Dk and Hkv·Dv) starting at key `position`.
struct KVRun {
    let keys: UnsafeMutablePointer<Float>
    let values: UnsafeMutablePointer<Float>
    let position: Int
    let count: Int
}

/// Per-thread buffers of `attend`: scores [P + N + 16], the f16-rounded query head [Dk], and the
/// partial value sums [8 or 32][Dv].
struct AttentionScratch {
    let scores: UnsafeMutablePointer<Float>
    let query: UnsafeMutablePointer<Float>
    let lanes: UnsafeMutablePointer<Float>

    init(scores: Int, queryWidth: Int, valueWidth: Int, lanes laneCount: Int) {
        self.scores = .allocate(capacity: scores)
        query = .allocate(capacity: queryWidth)
        lanes = .allocate(capacity: laneCount * valueWidth)
    }

    func deallocate() {
        scores.deallocate()
        query.deallocate()
        lanes.deallocate()
    }
}
