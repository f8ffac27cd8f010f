/// The keys and values of one sequence, position p at block p / blockSize, row p % blockSize.
///
/// A value type over shared blocks: copying a `KVCache` is a fork (no key/value data is copied),
/// and every write first makes the target block unique (copy-on-write of at most the last,
/// partial block).
struct KVCache: Sendable {
    let layout: KVLayout
    private(set) var blocks: [KVBlock] = []
    /// Positions stored.
    private(set) var count: Int = 0

    init(layout: KVLayout) { self.layout = layout }

    /// Appends rows `rows` of a forward pass's new keys/values (all layers) at the end.
    mutating func append(from batch: BatchKV, rows: Range<Int>) {
        for row in rows {
            let position = count
            let blockIndex = position / layout.blockSize
            let slot = position % layout.blockSize
            if blockIndex == blocks.count {
                blocks.append(KVBlock(layout: layout))
            } else if !isKnownUniquelyReferenced(&blocks[blockIndex]) {
                blocks[blockIndex] = blocks[blockIndex].copy(rows: slot)
            }
            let block = blocks[blockIndex]
            for layer in 0..<layout.layerCount {
                (block.keys(layer: layer) + slot * layout.keyRowWidth)
                    .update(from: batch.keys(layer: layer, row: row), count: layout.keyRowWidth)
                (block.values(layer: layer) + slot * layout.valueRowWidth)
                    .update(from: batch.values(layer: layer, row: row), count: layout.valueRowWidth)
            }
            count += 1
        }
    }

    /// Keeps the first `newCount` positions. Blocks past them are released; a block still holding
    /// kept positions stays shared until the next write copies it.
    mutating func truncate(to newCount: Int) {
        guard newCount < count else { return }
        count = max(0, newCount)
        let blocksNeeded = (count + layout.blockSize - 1) / layout.blockSize
        blocks.removeLast(blocks.count - blocksNeeded)
    }
}

/// Keys and values a forward pass computes for its new tokens, before they join a cache.
///
/// Storage: keys [L][N][Hkv·Dk], values [L][N][Hkv·Dv].
final class BatchKV {
    let layout: KVLayout
    let rowCount: Int     // N
    private let keyStorage: UnsafeMutablePointer<Float>
    private let valueStorage: UnsafeMutablePointer<Float>

    init(layout: KVLayout, rowCount: Int) {
        self.layout = layout
        self.rowCount = rowCount
        keyStorage = .allocate(capacity: layout.layerCount * rowCount * layout.keyRowWidth)
        valueStorage = .allocate(capacity: layout.layerCount * rowCount * layout.valueRowWidth)
    }

    deinit {
        keyStorage.deallocate()
        valueStorage.deallocate()
    }

    @inline(__always) func keys(layer: Int, row: Int) -> UnsafeMutablePointer<Float> {
        keyStorage + (layer * rowCount + row) * layout.keyRowWidth
    }

    @inline(__always) func values(layer: Int, row: Int) -> UnsafeMutablePointer<Float> {
        valueStorage + (layer * rowCount + row) * layout.valueRowWidth
    }
}
