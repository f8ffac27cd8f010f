/// BPE merge rules keyed by the ids of the two symbols: (left, right) → (rank, merged symbol).
///
/// llama.cpp keys its ranks by the two texts; we give every text that appears in a merge an id
/// (its vocabulary id, or a "virtual" id past the vocabulary when the text is not a token), so the
/// merge loop never builds strings. Open addressing over 64-bit keys.
struct MergeTable: Sendable {
    private var keys: [UInt64]    // [capacity] left << 32 | right, or `empty`
    private var ranks: [Int32]    // [capacity]
    private var merged: [Int32]   // [capacity]
    private let mask: Int
    private static let empty = UInt64.max

    init(capacity expected: Int) {
        var capacity = 16
        while capacity < expected * 2 { capacity <<= 1 }
        keys = [UInt64](repeating: Self.empty, count: capacity)
        ranks = [Int32](repeating: 0, count: capacity)
        merged = [Int32](repeating: 0, count: capacity)
        mask = capacity - 1
    }

    @inline(__always) private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 24) & mask
    }

    /// Adds a rule unless the pair already has one (the first, lowest rank wins, as in llama.cpp).
    mutating func insert(left: Int32, right: Int32, rank: Int32, result: Int32) {
        let key = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
        var slot = Self.slot(key, mask)
        while keys[slot] != Self.empty {
            if keys[slot] == key { return }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        ranks[slot] = rank
        merged[slot] = result
    }

    @inline(__always)
    func find(left: Int32, right: Int32) -> (rank: Int32, result: Int32)? {
        let key = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
        var slot = Self.slot(key, mask)
        while true {
            let stored = keys[slot]
            if stored == key { return (ranks[slot], merged[slot]) }
            if stored == Self.empty { return nil }
            slot = (slot + 1) & mask
        }
    }
}
