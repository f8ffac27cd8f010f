/// The result of `Tokenizer.encodeWithWords`: the tokens of a text and its words (the paper's T2).
public struct Encoding: Sendable, Equatable {
    /// Token ids, never with BOS/EOS.
    public var tokens: [TokenID]
    /// The words in order; their ranges tile the input exactly.
    public var words: [Word]

    public init(tokens: [TokenID], words: [Word]) {
        self.tokens = tokens
        self.words = words
    }
}

/// One word of a text: a UTF-8 byte range of the input.
///
/// For byte-level BPE a word is a pre-tokenizer piece (or a special token found in the text); for
/// SentencePiece words start where a run of spaces starts, and newline runs are words of their own
/// (docs/ARCHITECTURE.md, "Words and additivity"). Tokenizing the text on each side of a word boundary separately gives exactly the
/// tokens of the whole text; the golden tests check that on the whole corpus.
public struct Word: Sendable, Equatable, CustomStringConvertible {
    /// Byte offsets into the input's UTF-8.
    public var byteRange: Range<Int>

    public init(byteRange: Range<Int>) { self.byteRange = byteRange }

    public var start: Int { byteRange.lowerBound }
    public var end: Int { byteRange.upperBound }

    /// The word's text within `input` (the string it was computed from).
    public func text(in input: String) -> String {
        let utf8 = input.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: byteRange.lowerBound)
        let end = utf8.index(start, offsetBy: byteRange.count)
        return String(decoding: utf8[start..<end], as: UTF8.self)
    }

    public var description: String { "\(start)..<\(end)" }
}
