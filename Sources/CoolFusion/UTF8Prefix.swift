/// Helpers for text that grows token by token: a token may end inside a multi-byte UTF-8 character,
/// and T1 only looks at text once the tokens decode to complete UTF-8 (DESIGN.md §1).
enum UTF8Prefix {
    /// Length of the longest prefix of `bytes` that is complete, valid UTF-8.
    static func validLength(_ bytes: [UInt8]) -> Int {
        var index = 0
        var validEnd = 0
        while index < bytes.count {
            let lead = bytes[index]
            let width: Int
            switch lead {
            case 0x00...0x7F: width = 1
            case 0xC2...0xDF: width = 2
            case 0xE0...0xEF: width = 3
            case 0xF0...0xF4: width = 4
            default: return validEnd
            }
            guard index + width <= bytes.count else { return validEnd }
            for continuation in bytes[(index + 1)..<(index + width)] where continuation & 0xC0 != 0x80 {
                return validEnd
            }
            // Reject overlong forms, surrogates and code points above U+10FFFF.
            if width > 1 {
                let second = bytes[index + 1]
                if lead == 0xE0 && second < 0xA0 { return validEnd }
                if lead == 0xED && second > 0x9F { return validEnd }
                if lead == 0xF0 && second < 0x90 { return validEnd }
                if lead == 0xF4 && second > 0x8F { return validEnd }
            }
            index += width
            validEnd = index
        }
        return validEnd
    }

    /// True when all of `bytes` is complete, valid UTF-8.
    static func isComplete(_ bytes: [UInt8]) -> Bool { validLength(bytes) == bytes.count }

    /// The text of valid UTF-8 bytes.
    static func text(_ bytes: some Collection<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
}
