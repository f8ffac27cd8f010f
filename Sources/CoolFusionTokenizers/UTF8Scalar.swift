/// Small UTF-8 helpers shared by the tokenizers.
enum UTF8Scalar {
    /// Decodes the scalar starting at `i` of valid UTF-8; returns it and its length in bytes.
    @inline(__always)
    static func decode(_ text: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) -> (UInt32, Int) {
        let b0 = UInt32(text[i])
        if b0 < 0x80 { return (b0, 1) }
        let length = sequenceLength(lead: text[i])
        guard i + length <= end, length > 1 else { return (0xFFFD, 1) }
        var value: UInt32
        switch length {
        case 2: value = b0 & 0x1F
        case 3: value = b0 & 0x0F
        default: value = b0 & 0x07
        }
        for k in 1..<length { value = (value << 6) | (UInt32(text[i + k]) & 0x3F) }
        return (value, length)
    }

    /// Length of a UTF-8 sequence from its lead byte, as llama.cpp's `unicode_len_utf8` computes it
    /// (continuation bytes count as 1).
    @inline(__always)
    static func sequenceLength(lead: UInt8) -> Int {
        switch lead >> 4 {
        case 0xC, 0xD: 2
        case 0xE: 3
        case 0xF: 4
        default: 1
        }
    }

    /// The UTF-8 bytes of a scalar value.
    static func encode(_ value: UInt32) -> [UInt8] {
        guard let scalar = Unicode.Scalar(value) else { return [0xEF, 0xBF, 0xBD] }
        return Array(String(Character(scalar)).utf8)
    }

    /// The byte offset of the first invalid UTF-8 sequence, or nil when all of `bytes` is valid.
    static func firstInvalidOffset(_ bytes: some Collection<UInt8>) -> Int? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }
}
