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
        let complete = UTF8Prefix.completableLength(pendingBytes)
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
}
