/// Word boundaries for SentencePiece tokenizers (docs/ARCHITECTURE.md, "Words and additivity"): a word starts where a run of
/// spaces starts (a space preceded by a non-space; the word keeps its leading spaces), and every
/// run of newlines is a word of its own. A run of spaces stays inside one word because SPM
/// vocabularies have tokens for space runs (Gemma's `"  "`), so `"a  b"` is `a`, `"  b"`.
enum SentencePieceWords {
    static func split(_ text: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        let space: UInt8 = 0x20, newline: UInt8 = 0x0A
        var words: [Range<Int>] = []
        var start = 0
        for i in 1..<max(text.count, 1) {
            let previous = text[i - 1], current = text[i]
            let startsSpaceRun = current == space && previous != space
            let startsNewlineRun = current == newline && previous != newline
            let endsNewlineRun = previous == newline && current != newline
            if startsSpaceRun || startsNewlineRun || endsNewlineRun {
                words.append(start..<i)
                start = i
            }
        }
        if start < text.count { words.append(start..<text.count) }
        return words
    }
}
