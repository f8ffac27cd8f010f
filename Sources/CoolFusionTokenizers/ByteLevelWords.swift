/// Word boundaries for byte-level BPE: the pre-tokenizer's pieces, except where a boundary would
/// not be additive.
///
/// The regexes' `\s+(?!\S)` splits a whitespace run that is followed by a word into "all but the
/// last character" and "the last character" (which then joins the word, or stands alone if it is
/// not a plain space: `"a\n\nb"` → `a`, `\n`, `\n`, `b`). Tokenizing `"a\n\n"` on its own keeps the
/// run whole (`\n\n`), so the cut after the lone last character is not additive. We therefore join
/// an all-whitespace piece that follows whitespace to the piece after it; every remaining boundary
/// is additive (checked on the whole golden corpus for the default models).
enum ByteLevelWords {
    static func join(_ pieces: [Range<Int>], in text: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        guard pieces.count > 2 else { return pieces }
        var words: [Range<Int>] = []
        words.reserveCapacity(pieces.count)
        var index = 0
        while index < pieces.count {
            let piece = pieces[index]
            if index + 1 < pieces.count, let previous = words.last, previous.upperBound == piece.lowerBound,
               endsWithWhitespace(previous, text), isAllWhitespace(piece, text) {
                words.append(piece.lowerBound..<pieces[index + 1].upperBound)
                index += 2
                continue
            }
            words.append(piece)
            index += 1
        }
        return words
    }

    private static func isAllWhitespace(_ range: Range<Int>, _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = range.lowerBound
        while i < range.upperBound {
            let (codePoint, length) = UTF8Scalar.decode(text, at: i, end: range.upperBound)
            if !UnicodeFlags.of(codePoint).contains(.whitespace) { return false }
            i += length
        }
        return true
    }

    private static func endsWithWhitespace(_ range: Range<Int>, _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var start = range.upperBound - 1
        while start > range.lowerBound && text[start] & 0xC0 == 0x80 { start -= 1 }
        let (codePoint, _) = UTF8Scalar.decode(text, at: start, end: range.upperBound)
        return UnicodeFlags.of(codePoint).contains(.whitespace)
    }
}
