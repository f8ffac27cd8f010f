/// Turns tokens into text as they are generated, never emitting part of a UTF-8 character.
///
/// Byte-fallback (`<0xE4>`) and byte-level tokens often split a character across tokens; the
/// decoder holds the incomplete tail until the rest arrives. Bytes that can never become valid
/// UTF-8 are emitted as U+FFFD so the stream never stalls.
public struct StreamingDecoder: Sendable {
    public let tokenizer: Tokenizer
    /// Bytes of an incomplete UTF-8 sequence waiting for their continuation.
    public private(set) var pendingBytes: [UInt8] = []
    private var isFirstToken = true

    public init(tokenizer: Tokenizer) {
        self.tokenizer = tokenizer
    }

    /// True when no bytes are held back: everything appended so far has been returned as text.
    public var isComplete: Bool { pendingBytes.isEmpty }

    /// Adds one token; returns the text that became complete (possibly empty).
    public mutating func append(_ token: TokenID) -> String {
        append([token])
    }

    /// Adds tokens; returns the text that became complete (possibly empty).
    public mutating func append(_ tokens: [TokenID]) -> String {
        for token in tokens {
            var piece = tokenizer.tokenBytes(token)
            if isFirstToken && tokenizer.vocabulary.addSpacePrefix && piece.first == 0x20 { piece.removeFirst() }
            isFirstToken = false
            pendingBytes.append(contentsOf: piece)
        }
        let complete = Self.completePrefixLength(pendingBytes)
        let text = String(decoding: pendingBytes[..<complete], as: UTF8.self)
        pendingBytes.removeFirst(complete)
        return text
    }

    /// Returns whatever is held back (as U+FFFD for an incomplete character) and clears it.
    public mutating func flush() -> String {
        let text = String(decoding: pendingBytes, as: UTF8.self)
        pendingBytes.removeAll()
        return text
    }

    /// Length of the longest prefix that does not end inside a UTF-8 sequence which could still
    /// be completed by more bytes.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        let n = bytes.count
        // Only the last 3 bytes can be the start of an unfinished sequence.
        var start = n - 1
        while start >= 0 && start >= n - 3 {
            let byte = bytes[start]
            if byte & 0xC0 != 0x80 {  // a lead byte or ASCII
                let needed = UTF8Scalar.sequenceLength(lead: byte)
                let have = n - start
                if byte >= 0xC2 && byte <= 0xF4 && have < needed && continuationsValid(bytes, from: start) {
                    return start
                }
                return n
            }
            start -= 1
        }
        return n
    }

    /// Whether the bytes after the lead at `start` are continuation bytes allowed after that lead.
    private static func continuationsValid(_ bytes: [UInt8], from start: Int) -> Bool {
        let lead = bytes[start]
        for k in (start + 1)..<bytes.count {
            let byte = bytes[k]
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            if k == start + 1 {
                if lead == 0xE0 { low = 0xA0 } else if lead == 0xED { high = 0x9F }
                else if lead == 0xF0 { low = 0x90 } else if lead == 0xF4 { high = 0x8F }
            }
            if byte < low || byte > high { return false }
        }
        return true
    }
}
