/// Splits text into the words of one tokenizer (docs/ARCHITECTURE.md, "Words and additivity").
///
/// The fusion needs every model's word splitting inside every model's segment generation (the paper's
/// workers each hold "instances of tokenizers, one for every source LLM", §2.4), so splitters are
/// `Sendable` values that can be handed to other models.
public protocol WordSplitter: Sendable {
    /// The words of `text` as UTF-8 byte ranges, in order, covering the text without gaps.
    func wordRanges(in text: String) -> [Range<Int>]
}

extension WordSplitter {
    /// Offsets (UTF-8 bytes) that are *complete* word boundaries: the end of a word that is followed by
    /// another word. The last word may still grow as more text arrives, so its end never counts.
    public func completeBoundaries(in text: String) -> [Int] {
        let words = wordRanges(in: text)
        guard words.count > 1 else { return [] }
        return words.dropLast().map(\.upperBound).filter { $0 > 0 }
    }
}
