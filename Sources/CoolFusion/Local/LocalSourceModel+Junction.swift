import CoolFusionTokenizers

/// Keeping a model's committed tokens its own tokenization of the committed text.
///
/// A segment ends at a word boundary of every tokenizer, but that boundary was found in the text that
/// followed it when the segment was cut. The segment committed next can begin otherwise (another
/// model's candidate, or the text a follower catches up on), and a tokenizer may then join the two
/// ends: Qwen2.5's pre-tokenizer keeps punctuation together with the newlines after it, so `" France."`
/// cut before `" The"` ends at a boundary, while `" France."` followed by `"\n\nQuestion:"` holds the
/// one piece `".\n\n"`. Committing each segment's own tokens would leave the model reading `"."`,
/// `"\n\n"` where it reads `".\n\n"` for the same text in one pass.
///
/// Only complete words are settled: the last word of the committed text may still grow (`"\n\n"` at
/// the end is one piece, but `"\n"`, `"\nThe"` once a word follows), so a junction inside it is
/// checked at a later commit, when that word is followed by another.
extension LocalSourceModel {
    /// How many committed tokens before a junction are re-read to decide whether it starts a word.
    static var junctionContextTokens: Int { 16 }

    /// Called after tokens were appended to `committed` past its first `previousCount`. When the
    /// junction does not start a word of this model's tokenizer in the joined text (or an earlier one
    /// was left unsettled), the committed text's complete words are tokenized again; where the held
    /// tokens differ, the session drops its tokens from the first difference on (with whatever was
    /// pending) and the rest is fed lazily when the state is next used.
    /// - Returns: the committed tokens past `previousCount`, after any repair.
    func settleJunction(previousCount: Int) throws -> [TokenID] {
        let added = Array(committed[previousCount...])
        guard previousCount > 0, !added.isEmpty else { return added }
        let addedBytes = tokenizer.bytes(of: added)
        // The context starts at a token, which may be inside a character: start at the next character.
        let before = Array(tokenizer.bytes(of: Array(committed[max(0, previousCount - Self.junctionContextTokens)..<previousCount]))
            .drop { $0 & 0xC0 == 0x80 })
        let startsWord = before.isEmpty || tokenizer.wordRanges(in: String(decoding: before + addedBytes, as: UTF8.self))
            .contains { $0.lowerBound == before.count }
        guard !startsWord || junctionUnsettled else { return added }

        let bytes = tokenizer.bytes(of: committed)
        let text = String(decoding: bytes, as: UTF8.self)
        guard let lastWord = tokenizer.wordRanges(in: text).last else { return added }
        // A junction inside the last word waits until that word is complete.
        junctionUnsettled = !startsWord && bytes.count - addedBytes.count > lastWord.lowerBound
        let settled = tokenizer.encodeContinuation(String(decoding: bytes[..<lastWord.lowerBound], as: UTF8.self))
        if committed.starts(with: settled), tokenizer.bytes(of: Array(committed.prefix(settled.count))).count == lastWord.lowerBound {
            return added
        }
        let canonical = settled + tokenizer.encodeContinuation(String(decoding: bytes[lastWord], as: UTF8.self))
        var same = 0
        while same < min(canonical.count, committed.count), canonical[same] == committed[same] { same += 1 }
        pending.removeAll()
        if session.tokenCount > promptTokens.count + same { try session.truncate(to: promptTokens.count + same) }
        committed = canonical
        return canonical.count > previousCount ? Array(canonical[previousCount...]) : []
    }
}
