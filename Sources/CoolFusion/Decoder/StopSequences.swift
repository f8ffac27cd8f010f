/// Stop sequences: generation ends where one of them first appears in the generated text.
///
/// Matching is literal, byte for byte over UTF-8, as engines match stop strings: a stop sequence
/// matches wherever its bytes occur, also inside what Swift would call one character (`"\n"` in
/// `"\r\n"`). The fused text and each model's T1 (`SegmentStop`) match alike through this type, so a
/// segment that a model cut at a stop sequence always ends the output when it is committed.
public enum StopSequences {
    /// The position where the earliest occurrence of any stop sequence starts, if any.
    public static func firstMatch(in text: String, stopSequences: [String]) -> String.Index? {
        let utf8 = text.utf8
        guard let start = firstStart(inUTF8: Array(utf8), stopSequences: stopSequences) else { return nil }
        return utf8.index(utf8.startIndex, offsetBy: start)
    }

    /// The UTF-8 offset where the earliest occurrence of any stop sequence in `bytes` starts, if any.
    public static func firstStart(inUTF8 bytes: [UInt8], stopSequences: [String]) -> Int? {
        stopSequences.compactMap { firstOccurrence(of: Array($0.utf8), in: bytes)?.lowerBound }.min()
    }

    /// The UTF-8 offset where a stop sequence first ends in `bytes`, counting only occurrences that
    /// end after `offset` (whatever ends before it was seen already), if any.
    public static func firstEnd(inUTF8 bytes: [UInt8], after offset: Int, stopSequences: [String]) -> Int? {
        stopSequences.compactMap { stop -> Int? in
            let pattern = Array(stop.utf8)
            // An occurrence ending after `offset` starts after `offset - pattern.count`.
            return firstOccurrence(of: pattern, in: bytes, from: max(0, offset - pattern.count + 1))?.upperBound
        }.min()
    }

    /// The first occurrence of a non-empty `pattern` in `bytes` at or after `from`.
    static func firstOccurrence(of pattern: [UInt8], in bytes: [UInt8], from: Int = 0) -> Range<Int>? {
        guard !pattern.isEmpty, bytes.count >= pattern.count, from <= bytes.count - pattern.count else { return nil }
        for start in from...(bytes.count - pattern.count) where bytes[start] == pattern[0] {
            if bytes[start..<(start + pattern.count)].elementsEqual(pattern) { return start..<(start + pattern.count) }
        }
        return nil
    }

    /// Streaming with stop sequences: the UTF-8 length of the part of `text` that is safe to show. The
    /// end of the text that is a proper prefix of a stop sequence is held back, since the next segment
    /// may complete the stop sequence (and then the answer ends before it); a character is never split.
    public static func streamableLength(of text: String, stopSequences: [String]) -> Int {
        let bytes = Array(text.utf8)
        var held = 0
        for stop in stopSequences {
            let pattern = Array(stop.utf8)
            // The longest proper prefix of the stop sequence that ends the text.
            var length = min(pattern.count - 1, bytes.count)
            while length > held {
                if Array(bytes[(bytes.count - length)...]) == Array(pattern[..<length]) {
                    held = length
                    break
                }
                length -= 1
            }
        }
        var safe = bytes.count - held
        while safe > 0, safe < bytes.count, bytes[safe] & 0xC0 == 0x80 { safe -= 1 }
        return safe
    }
}
