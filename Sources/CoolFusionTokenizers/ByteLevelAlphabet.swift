/// GPT-2's reversible mapping between bytes and printable characters, which byte-level BPE
/// vocabularies are written in: printable Latin-1 bytes map to themselves, the other 68 bytes to
/// U+0100... in byte order (so a space is `Ġ` U+0120 and a newline `Ċ` U+010A).
enum ByteLevelAlphabet {
    /// [256] the character each byte is written as.
    static let characterForByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var isPrintable = [Bool](repeating: false, count: 256)
        for b in 0x21...0x7E { isPrintable[b] = true }
        for b in 0xA1...0xAC { isPrintable[b] = true }
        for b in 0xAE...0xFF { isPrintable[b] = true }
        var next: UInt32 = 256
        for b in 0..<256 {
            if isPrintable[b] { table[b] = UInt32(b) } else { table[b] = next; next += 1 }
        }
        return table
    }()

    /// [256] UTF-8 bytes of each byte's character.
    static let utf8ForByte: [[UInt8]] = characterForByte.map { UTF8Scalar.encode($0) }

    /// [0x144] the byte a character stands for, or -1 for characters outside the alphabet.
    static let byteForCharacter: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (byte, character) in characterForByte.enumerated() { table[Int(character)] = Int16(byte) }
        return table
    }()

    /// The raw bytes a byte-level token text stands for. Characters outside the alphabet (which
    /// llama.cpp prints as `[UNK_BYTE_0x..]`) are kept as their own UTF-8.
    static func decode(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            let value = Int(scalar.value)
            if value < byteForCharacter.count, byteForCharacter[value] >= 0 {
                bytes.append(UInt8(byteForCharacter[value]))
            } else {
                bytes.append(contentsOf: String(Character(scalar)).utf8)
            }
        }
        return bytes
    }
}
