/// An immutable hash table from byte strings to token ids, built once per vocabulary.
///
/// The tokenizers look up byte ranges of their input millions of times per MB of text, mostly
/// short ones (SPM bigrams are 2–8 bytes). A Swift `Dictionary<String, Int32>` would need a `String`
/// per lookup; this table hashes the bytes in place, and each slot carries the key's length and
/// first 8 bytes, so a lookup of a key of up to 8 bytes touches one slot and nothing else.
/// Open addressing with linear probing, load factor <= 0.5.
struct ByteStringTable: Sendable {
    private struct Slot {
        var prefix: UInt64   // the key's first min(8, length) bytes, little-endian, zero padded
        var length: Int32    // key length, or -1 for an empty slot
        var start: Int32     // offset of the whole key in `bytes` (read only for keys longer than 8)
        var value: Int32
        var score: Float     // carried in the slot (it fits in the padding) so SPM reads no second array
    }

    private var slots: [Slot]
    private var bytes: [UInt8] = []   // all keys back to back
    private var mask: Int
    private(set) var count = 0

    init(expectedCount: Int) {
        var capacity = 16
        while capacity < expectedCount * 2 { capacity <<= 1 }
        slots = [Slot](repeating: Slot(prefix: 0, length: -1, start: 0, value: 0, score: 0), count: capacity)
        mask = capacity - 1
        bytes.reserveCapacity(expectedCount * 8)
    }

    /// Inserts `key → value` unless the key is present; returns the value already stored, if any.
    @discardableResult
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, value: Int32, score: Float = 0) -> Int32? {
        if let existing = find(key) { return existing }
        if (count + 1) * 2 > slots.count { grow() }
        let start = Int32(bytes.count)
        bytes.append(contentsOf: key)
        place(Slot(prefix: Self.prefix(key), length: Int32(key.count), start: start, value: value, score: score),
              hash: Self.hash(key))
        count += 1
        return nil
    }

    @discardableResult
    mutating func insert(_ key: [UInt8], value: Int32) -> Int32? {
        key.withUnsafeBufferPointer { insert($0, value: value) }
    }

    /// The value stored for these bytes, or nil.
    @inline(__always)
    func find(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
        findWithScore(key)?.value
    }

    /// The value and score stored for these bytes, or nil.
    @inline(__always)
    func findWithScore(_ key: UnsafeBufferPointer<UInt8>) -> (value: Int32, score: Float)? {
        let length = Int32(key.count)
        let prefix = Self.prefix(key)
        var index = Self.hash(key) & mask
        return slots.withUnsafeBufferPointer { slots in
            while true {
                let slot = slots[index]
                if slot.length < 0 { return nil }
                if slot.length == length && slot.prefix == prefix && (length <= 8 || tailMatches(slot, key)) {
                    return (slot.value, slot.score)
                }
                index = (index + 1) & mask
            }
        }
    }

    func find(_ key: [UInt8]) -> Int32? { key.withUnsafeBufferPointer { find($0) } }

    private func tailMatches(_ slot: Slot, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.withUnsafeBufferPointer { stored in
            let start = Int(slot.start)
            for i in 8..<key.count where stored[start + i] != key[i] { return false }
            return true
        }
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(prefix: 0, length: -1, start: 0, value: 0, score: 0), count: old.count * 2)
        mask = slots.count - 1
        for slot in old where slot.length >= 0 {
            let start = Int(slot.start), end = start + Int(slot.length)
            let hash = bytes.withUnsafeBufferPointer { Self.hash(UnsafeBufferPointer(rebasing: $0[start..<end])) }
            place(slot, hash: hash)
        }
    }

    private mutating func place(_ slot: Slot, hash: Int) {
        var index = hash & mask
        while slots[index].length >= 0 { index = (index + 1) & mask }
        slots[index] = slot
    }

    /// The first up-to-8 bytes of a key as one integer.
    @inline(__always)
    private static func prefix(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let base = key.baseAddress else { return 0 }
        if key.count >= 8 { return UnsafeRawPointer(base).loadUnaligned(as: UInt64.self) }
        var value: UInt64 = 0
        for i in 0..<key.count { value |= UInt64(base[i]) << (8 * UInt64(i)) }
        return value
    }

    /// A multiplicative hash over 8-byte words; good spread for token texts, and cheap.
    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(key.count &+ 1)
        let count = key.count
        guard let base = key.baseAddress else { return Int(truncatingIfNeeded: h >> 20) }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        if i < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < count { tail |= UInt64(base[i]) << shift; shift += 8; i += 1 }
            h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        }
        h ^= h >> 29
        return Int(truncatingIfNeeded: h >> 7)
    }
}
