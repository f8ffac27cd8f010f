/// A bounds-checked little-endian reader over the bytes of a GGUF file.
///
/// Every read checks the remaining length first and throws `GGUFError.truncated` naming what was
/// being read, so no value in the file, however corrupt, can make us read past its end.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func require(_ count: Int, _ what: @autoclosure () -> String) throws(GGUFError) {
        guard count >= 0, count <= remaining else {
            throw .truncated(what: what(), offset: offset, needed: count, fileSize: bytes.count)
        }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws(GGUFError) -> T {
        try require(MemoryLayout<T>.size, what())
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: value)
    }

    mutating func readFloat(_ what: @autoclosure () -> String) throws(GGUFError) -> Float {
        Float(bitPattern: try read(UInt32.self, what()))
    }

    mutating func readDouble(_ what: @autoclosure () -> String) throws(GGUFError) -> Double {
        Double(bitPattern: try read(UInt64.self, what()))
    }

    /// Reads a u64 length followed by that many UTF-8 bytes.
    mutating func readString(_ what: @autoclosure () -> String) throws(GGUFError) -> String {
        let start = offset
        let length = try read(UInt64.self, "length of \(what())")
        guard length <= UInt64(remaining) else {
            throw .truncated(what: "\(what()) (\(length) bytes)", offset: offset, needed: Int(clamping: length),
                             fileSize: bytes.count)
        }
        let count = Int(length)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        guard let string = String(validating: slice, as: UTF8.self) else {
            throw .invalidUTF8(what: what(), offset: start)
        }
        offset += count
        return string
    }

    /// Moves to `target`, which must lie within the file.
    mutating func seek(to target: Int, _ what: @autoclosure () -> String) throws(GGUFError) {
        guard target >= 0, target <= bytes.count else {
            throw .truncated(what: what(), offset: offset, needed: target - offset, fileSize: bytes.count)
        }
        offset = target
    }
}
