/// Prefixes of text that grows token by token: a token may end inside a multi-byte UTF-8 character.
/// The fusion only looks at a segment once its tokens decode to complete UTF-8; a streaming decoder
/// only holds back a tail that more bytes could still complete.
public enum UTF8Prefix {
    /// Length of the longest prefix of `bytes` that is complete, valid UTF-8 (stops at the first
    /// invalid or unfinished sequence).
    public static func validLength(_ bytes: some Collection<UInt8>) -> Int {
        var validEnd = 0
        var index = bytes.startIndex
        var offset = 0
        while index != bytes.endIndex {
            let lead = bytes[index]
            let width: Int
            switch lead {
            case 0x00...0x7F: width = 1
            case 0xC2...0xDF: width = 2
            case 0xE0...0xEF: width = 3
            case 0xF0...0xF4: width = 4
            default: return validEnd
            }
            var position = bytes.index(after: index)
            for k in 1..<width {
                guard position != bytes.endIndex else { return validEnd }
                let byte = bytes[position]
                guard byte >= lowestContinuation(lead: lead, position: k),
                      byte <= highestContinuation(lead: lead, position: k) else { return validEnd }
                position = bytes.index(after: position)
            }
            index = position
            offset += width
            validEnd = offset
        }
        return validEnd
    }

    /// True when all of `bytes` is complete, valid UTF-8.
    public static func isComplete(_ bytes: some Collection<UInt8>) -> Bool { validLength(bytes) == bytes.count }

    /// The text of bytes (any invalid sequence becomes U+FFFD).
    public static func text(_ bytes: some Collection<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    /// Length of the longest prefix that does not end inside a UTF-8 sequence more bytes could still
    /// complete: what a streaming decoder may emit now. Bytes that can never become valid UTF-8 are
    /// not held back (they are emitted as U+FFFD, so a stream never stalls).
    public static func completableLength(_ bytes: [UInt8]) -> Int {
        let n = bytes.count
        // Only the last 3 bytes can start an unfinished sequence.
        var start = n - 1
        while start >= 0 && start >= n - 3 {
            let lead = bytes[start]
            if lead & 0xC0 != 0x80 {  // a lead byte or ASCII
                let needed = UTF8Scalar.sequenceLength(lead: lead)
                guard lead >= 0xC2, lead <= 0xF4, n - start < needed else { return n }
                for k in 1..<(n - start) {
                    let byte = bytes[start + k]
                    if byte < lowestContinuation(lead: lead, position: k)
                        || byte > highestContinuation(lead: lead, position: k) { return n }
                }
                return start
            }
            start -= 1
        }
        return n
    }

    /// Bounds of the continuation byte at `position` (1...3) after `lead`: the second byte is narrowed
    /// so that overlong forms, surrogates and code points above U+10FFFF are invalid.
    private static func lowestContinuation(lead: UInt8, position: Int) -> UInt8 {
        guard position == 1 else { return 0x80 }
        switch lead {
        case 0xE0: return 0xA0
        case 0xF0: return 0x90
        default: return 0x80
        }
    }

    private static func highestContinuation(lead: UInt8, position: Int) -> UInt8 {
        guard position == 1 else { return 0xBF }
        switch lead {
        case 0xED: return 0x9F
        case 0xF4: return 0x8F
        default: return 0xBF
        }
    }
}
