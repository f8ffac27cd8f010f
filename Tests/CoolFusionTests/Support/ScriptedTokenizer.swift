import CoolFusionTokenizers
import CoolFusion

/// A small, fully specified tokenizer for decoder tests: tokens 0...255 are single bytes, then the
/// given pieces (matched longest first), then one end-of-generation token. Words follow a rule that
/// mimics the real families (docs/ARCHITECTURE.md, "Words and additivity"): a word starts at a space that follows a non-space, and
/// optionally also at each character of `extraWordStarts` (LLaMA-3 splits `Multi-tasking` before '-').
struct ScriptedTokenizer: FusionTokenizer {
    let pieces: [[UInt8]]
    let extraWordStarts: Set<UInt8>
    var endOfGenerationToken: TokenID? { TokenID(256 + pieces.count) }

    init(pieces: [String], extraWordStarts: String = "") {
        self.pieces = pieces.map { Array($0.utf8) }
        self.extraWordStarts = Set(extraWordStarts.utf8)
    }

    func encodePrompt(_ text: String) -> [TokenID] { encodeContinuation(text) }

    /// Longest piece matching at each position, else the single byte.
    func encodeContinuation(_ text: String) -> [TokenID] { encode(bytes: Array(text.utf8)) }

    func encode(bytes: [UInt8]) -> [TokenID] {
        var tokens: [TokenID] = []
        var index = 0
        while index < bytes.count {
            var best: (id: Int, length: Int) = (Int(bytes[index]), 1)
            for (pieceIndex, piece) in pieces.enumerated()
            where piece.count > best.length && bytes[index...].starts(with: piece) {
                best = (256 + pieceIndex, piece.count)
            }
            tokens.append(TokenID(best.id))
            index += best.length
        }
        return tokens
    }

    func bytes(of token: TokenID) -> [UInt8] {
        let id = Int(token)
        if id < 256 { return [UInt8(id)] }
        if id - 256 < pieces.count { return pieces[id - 256] }
        return []
    }

    func isEndOfGeneration(_ token: TokenID) -> Bool { token == endOfGenerationToken }

    func wordRanges(in text: String) -> [Range<Int>] {
        let bytes = Array(text.utf8)
        var ranges: [Range<Int>] = []
        var start = 0
        for index in bytes.indices where index > 0 {
            let startsWord = (bytes[index] == 0x20 && bytes[index - 1] != 0x20)
                || (extraWordStarts.contains(bytes[index]) && bytes[index - 1] != 0x20)
            if startsWord {
                ranges.append(start..<index)
                start = index
            }
        }
        if start < bytes.count { ranges.append(start..<bytes.count) }
        return ranges
    }
}
