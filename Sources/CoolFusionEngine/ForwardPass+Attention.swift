import CoolFusionKernels
import Foundation

extension ForwardPass {
    /// Scaled dot-product attention of every batch token over the cached prefix and the earlier
    /// tokens of its own segment (see `BatchLayout`), with grouped-query heads.
    ///
    /// Reads `query` [N][H·Dk] and this layer's new keys/values in `newKV`; writes `attended` [N][H·Dv].
    /// `window` > 0 limits each query to keys fewer than `window` positions behind it (sliding-window
    /// layers: key position kp is visible from query position qp when qp − kp < window).
    func attend(layer: Int, window: Int, scale: Float) {
        let heads = hp.headCount
        let n = layout.tokenCount
        let tasks = n * heads
        let chunk = max(1, (tasks + 31) / 32)
        let chunks = (tasks + chunk - 1) / chunk
        ParallelLoop.run(count: chunks, pool: pool) { c in
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: layout.prefixCount + n)
            defer { scores.deallocate() }
            for task in (c * chunk)..<min(tasks, (c + 1) * chunk) {
                attendOne(token: task / heads, head: task % heads, layer: layer, window: window, scale: scale, scores: scores)
            }
        }
    }

    /// Attention of one query head of one batch token. `scores` has room for P + N floats.
    @inline(__always)
    private func attendOne(token i: Int, head: Int, layer: Int, window: Int, scale: Float,
                           scores: UnsafeMutablePointer<Float>) {
        let dk = hp.keyWidth, dv = hp.valueWidth
        let kvHead = head / (hp.headCount / hp.kvHeadCount)
        let q = query.row(i) + head * dk
        let out = attended.row(i) + head * dv
        let prefixCount = layout.prefixCount
        let queryPosition = layout.position(of: i)
        let lowest = window > 0 ? max(0, queryPosition - window + 1) : 0
        let blockSize = prefix.layout.blockSize
        let keyRow = prefix.layout.keyRowWidth, valueRow = prefix.layout.valueRowWidth
        let segmentStart = layout.segmentStartOfToken[i]
        let firstOwn = max(segmentStart, segmentStart + lowest - prefixCount)

        // Scores: prefix keys [lowest, P), then own-segment keys of batch rows [firstOwn, i].
        var count = 0
        var maximum = -Float.infinity
        var position = lowest
        while position < prefixCount {
            let block = prefix.blocks[position / blockSize]
            let k = block.keys(layer: layer) + (position % blockSize) * keyRow + kvHead * dk
            let s = Kernels.dot(q, k, count: dk) * scale
            scores[count] = s
            maximum = max(maximum, s)
            count += 1
            position += 1
        }
        if firstOwn <= i {
            for row in firstOwn...i {
                let k = newKV.keys(layer: layer, row: row) + kvHead * dk
                let s = Kernels.dot(q, k, count: dk) * scale
                scores[count] = s
                maximum = max(maximum, s)
                count += 1
            }
        }

        var sum: Float = 0
        for j in 0..<count {
            let e = Foundation.exp(scores[j] - maximum)
            scores[j] = e
            sum += e
        }
        let normalizer = 1 / sum

        out.initialize(repeating: 0, count: dv)
        count = 0
        position = lowest
        while position < prefixCount {
            let block = prefix.blocks[position / blockSize]
            let v = block.values(layer: layer) + (position % blockSize) * valueRow + kvHead * dv
            Kernels.axpy(scores[count] * normalizer, x: v, y: out, count: dv)
            count += 1
            position += 1
        }
        if firstOwn <= i {
            for row in firstOwn...i {
                let v = newKV.values(layer: layer, row: row) + kvHead * dv
                Kernels.axpy(scores[count] * normalizer, x: v, y: out, count: dv)
                count += 1
            }
        }
    }
}
