/// An immutable hash table from byte strings to token ids, built once per vocabulary.
///
/// The tokenizers look up byte ranges of their input millions of times per MB of text; a Swift
/// `Dictionary<String, Int32>` would need a `String` (and its hashing) per lookup, this table hashes
/// the bytes in place. Open addressing with linear probing, load factor <= 0.5.
struct ByteStringTable: Sendable {
    private var bytes: [UInt8] = []       // all keys back to back
    private var keyStart: [Int32] = []    // [entry] offset of the key in `bytes`
    private var keyLength: [Int32] = []   // [entry]
    private var values: [Int32] = []      // [entry]
    private var slots: [Int32]            // [capacity] entry index, or -1 when empty
    private var mask: Int

    init(expectedCount: Int) {
        var capacity = 16
        while capacity < expectedCount * 2 { capacity <<= 1 }
        slots = [Int32](repeating: -1, count: capacity)
        mask = capacity - 1
        bytes.reserveCapacity(expectedCount * 8)
    }

    var count: Int { values.count }

    /// Inserts `key → value` unless the key is present; returns the value already stored, if any.
    @discardableResult
    mutating func insert<C: Collection>(_ key: C, value: Int32) -> Int32? where C.Element == UInt8 {
        let keyBytes = Array(key)
        if let existing = keyBytes.withUnsafeBufferPointer({ find($0) }) { return existing }
        if (values.count + 1) * 2 > slots.count { grow() }
        let entry = Int32(values.count)
        keyStart.append(Int32(bytes.count))
        keyLength.append(Int32(keyBytes.count))
        bytes.append(contentsOf: keyBytes)
        values.append(value)
        place(entry: entry, hash: keyBytes.withUnsafeBufferPointer { Self.hash($0) })
        return nil
    }

    /// The value stored for these bytes, or nil.
    @inline(__always)
    func find(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
        var slot = Self.hash(key) & mask
        return slots.withUnsafeBufferPointer { slotsPtr in
            bytes.withUnsafeBufferPointer { bytesPtr in
                while true {
                    let entry = Int(slotsPtr[slot])
                    if entry < 0 { return nil }
                    let length = Int(keyLength[entry])
                    if length == key.count {
                        let start = Int(keyStart[entry])
                        if length == 0 || memcmpEqual(bytesPtr.baseAddress! + start, key.baseAddress!, length) {
                            return values[entry]
                        }
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
    }

    func find(_ key: [UInt8]) -> Int32? { key.withUnsafeBufferPointer { find($0) } }

    private mutating func grow() {
        let capacity = slots.count * 2
        slots = [Int32](repeating: -1, count: capacity)
        mask = capacity - 1
        for entry in 0..<values.count {
            let start = Int(keyStart[entry]), length = Int(keyLength[entry])
            let hash = bytes.withUnsafeBufferPointer { Self.hash(UnsafeBufferPointer(rebasing: $0[start..<start + length])) }
            place(entry: Int32(entry), hash: hash)
        }
    }

    private mutating func place(entry: Int32, hash: Int) {
        var slot = hash & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = entry
    }

    /// FNV-1a over 8-byte words then the tail; good enough spread for token texts, and cheap.
    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        let count = key.count
        guard let base = key.baseAddress else { return Int(truncatingIfNeeded: h) }
        var i = 0
        let raw = UnsafeRawPointer(base)
        while i + 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ word) &* 0x0000_0100_0000_01b3
            h ^= h >> 29
            i += 8
        }
        while i < count {
            h = (h ^ UInt64(base[i])) &* 0x0000_0100_0000_01b3
            i += 1
        }
        h ^= h >> 32
        h = h &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: h >> 16)
    }
}

@inline(__always)
private func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    for i in 0..<count where a[i] != b[i] { return false }
    return true
}
