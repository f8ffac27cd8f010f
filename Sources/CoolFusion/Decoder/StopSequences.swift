import Foundation

/// Stop sequences: generation ends where one of them first appears in the generated text.
public enum StopSequences {
    /// The position where the earliest occurrence of any stop sequence starts, if any.
    public static func firstMatch(in text: String, stopSequences: [String]) -> String.Index? {
        var earliest: String.Index?
        for stop in stopSequences where !stop.isEmpty {
            if let range = text.range(of: stop), earliest.map({ range.lowerBound < $0 }) ?? true {
                earliest = range.lowerBound
            }
        }
        return earliest
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
