/// Streaming with stop sequences: how much of the text generated so far may be sent. The end of the
/// text that is a prefix of a stop sequence is held back, since the next segment may complete the stop
/// sequence, and then the answer ends before it.
enum StopHoldBack {
    /// UTF-8 length of the part of `text` that is safe to send.
    static func safeLength(of text: String, stops: [String]) -> Int {
        let bytes = Array(text.utf8)
        var held = 0
        for stop in stops {
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
        // Never split a UTF-8 character.
        var safe = bytes.count - held
        while safe > 0, safe < bytes.count, bytes[safe] & 0xC0 == 0x80 { safe -= 1 }
        return safe
    }
}
