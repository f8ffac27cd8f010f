/// Geometry of the key/value cache: how many positions a block holds and the row widths.
struct KVLayout: Sendable, Equatable {
    /// Positions per block. Small enough that copying a block on write is cheap, large enough that
    /// a long sequence is a short array of blocks.
    var blockSize: Int = 32
    var layerCount: Int          // L
    var keyRowWidth: Int         // Hkv·Dk
    var valueRowWidth: Int       // Hkv·Dv

    /// Floats one layer takes in one block: keys [blockSize][Hkv·Dk] then values [blockSize][Hkv·Dv].
    var floatsPerLayer: Int { blockSize * (keyRowWidth + valueRowWidth) }
    var floatsPerBlock: Int { layerCount * floatsPerLayer }
}

/// Keys and values of `blockSize` consecutive positions for every layer.
///
/// Blocks are shared between forked sessions by reference; a session writes into a block only when
/// it holds the sole reference (`isKnownUniquelyReferenced`), else it copies the block first. So a
/// fork costs one array of references, and diverging copies at most one partial block.
///
/// Storage: [L][ keys [blockSize][Hkv·Dk], values [blockSize][Hkv·Dv] ]
final class KVBlock: @unchecked Sendable {
    let layout: KVLayout
    let storage: UnsafeMutablePointer<Float>

    init(layout: KVLayout) {
        self.layout = layout
        storage = .allocate(capacity: layout.floatsPerBlock)
    }

    deinit { storage.deallocate() }

    /// A private copy of the first `rows` positions (the rest is left uninitialized: never read).
    func copy(rows: Int) -> KVBlock {
        let block = KVBlock(layout: layout)
        for layer in 0..<layout.layerCount {
            let source = storage + layer * layout.floatsPerLayer
            let target = block.storage + layer * layout.floatsPerLayer
            target.update(from: source, count: rows * layout.keyRowWidth)
            let valueOffset = layout.blockSize * layout.keyRowWidth
            (target + valueOffset).update(from: source + valueOffset, count: rows * layout.valueRowWidth)
        }
        return block
    }

    /// Key rows of `layer`: [blockSize][Hkv·Dk].
    @inline(__always) func keys(layer: Int) -> UnsafeMutablePointer<Float> {
        storage + layer * layout.floatsPerLayer
    }

    /// Value rows of `layer`: [blockSize][Hkv·Dv].
    @inline(__always) func values(layer: Int) -> UnsafeMutablePointer<Float> {
        storage + layer * layout.floatsPerLayer + layout.blockSize * layout.keyRowWidth
    }
}
