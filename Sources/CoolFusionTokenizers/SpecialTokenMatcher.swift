/// Finds special tokens written in the text and cuts the text around them, exactly as llama.cpp's
/// `tokenizer_st_partition` does: tokens are taken longest text first, and each one claims its
/// leftmost non-overlapping occurrences in the text that earlier (longer) tokens left unclaimed.
///
/// llama.cpp loops over every special token and searches every fragment; we find all occurrences
/// in one pass with a trie and then replay that priority order over them, which gives the same cuts.
struct SpecialTokenMatcher: Sendable {
    /// A piece of the input: plain text to tokenize, or a special token found in it.
    enum Fragment: Equatable {
        case text(Range<Int>)
        case token(TokenID, Range<Int>)
    }

    private let ids: [TokenID]              // [rank] token id, longest text first
    private let lengths: [Int]              // [rank] text length in bytes
    private let strips: [TokenAttributes]   // [rank] leftStrip / rightStrip flags
    private let startsToken: [Bool]         // [256] whether some token text starts with this byte
    private let children: [UInt64: Int32]   // (node << 8 | byte) → child node; node 0 is the root
    private let rankAtNode: [Int32]         // [node] rank of the token ending here, or -1

    /// `tokens` are in priority order (longest first); `texts` and `attributes` are per token id.
    init(tokens: [TokenID], texts: [String], attributes: [TokenAttributes]) {
        var children: [UInt64: Int32] = [:]
        var rankAtNode: [Int32] = [-1]
        var startsToken = [Bool](repeating: false, count: 256)
        var lengths: [Int] = []
        for (rank, id) in tokens.enumerated() {
            let bytes = Array(texts[Int(id)].utf8)
            lengths.append(bytes.count)
            guard let first = bytes.first else { continue }
            startsToken[Int(first)] = true
            var node: Int32 = 0
            for byte in bytes {
                let key = UInt64(node) << 8 | UInt64(byte)
                if let child = children[key] {
                    node = child
                } else {
                    let child = Int32(rankAtNode.count)
                    rankAtNode.append(-1)
                    children[key] = child
                    node = child
                }
            }
            // Distinct texts never share a node, so the first (highest priority) rank stays.
            if rankAtNode[Int(node)] < 0 { rankAtNode[Int(node)] = Int32(rank) }
        }
        self.ids = tokens
        self.lengths = lengths
        self.strips = tokens.map { attributes[Int($0)].intersection([.leftStrip, .rightStrip]) }
        self.startsToken = startsToken
        self.children = children
        self.rankAtNode = rankAtNode
    }

    var isEmpty: Bool { ids.isEmpty }

    /// Cuts `text` into text fragments and special tokens, in order.
    func partition(_ text: UnsafeBufferPointer<UInt8>) -> [Fragment] {
        let n = text.count
        guard n > 0 else { return [] }
        // (rank, position) of every occurrence of every token.
        var occurrences: [(rank: Int32, position: Int)] = []
        if !ids.isEmpty {
            for start in 0..<n where startsToken[Int(text[start])] {
                var node: Int32 = 0
                var j = start
                while j < n, let child = children[UInt64(node) << 8 | UInt64(text[j])] {
                    node = child
                    j += 1
                    let rank = rankAtNode[Int(node)]
                    if rank >= 0 { occurrences.append((rank, start)) }
                }
            }
        }
        guard !occurrences.isEmpty else { return [.text(0..<n)] }
        occurrences.sort { $0.rank != $1.rank ? $0.rank < $1.rank : $0.position < $1.position }

        // Replay llama.cpp's order. A candidate overlaps an earlier (not shorter) claim iff that
        // claim covers its first or last byte, so a byte mask is enough to test it. Whitespace a
        // strip flag drops is claimed too (it belongs to no fragment).
        var claimed = [Bool](repeating: false, count: n)
        var tokenAt: [Int: Int32] = [:]   // start position → rank of an accepted token
        var currentRank: Int32 = -1
        var endOfLastClaim = 0
        for (rank, position) in occurrences {
            if rank != currentRank { currentRank = rank; endOfLastClaim = 0 }
            let length = lengths[Int(rank)]
            guard position >= endOfLastClaim, !claimed[position], !claimed[position + length - 1] else { continue }
            for k in position..<position + length { claimed[k] = true }
            tokenAt[position] = rank
            var end = position + length
            if strips[Int(rank)].contains(.rightStrip) {
                while end < n && !claimed[end] && Self.isCSpace(text[end]) { claimed[end] = true; end += 1 }
            }
            if strips[Int(rank)].contains(.leftStrip) {
                var k = position - 1
                while k >= 0 && !claimed[k] && Self.isCSpace(text[k]) { claimed[k] = true; k -= 1 }
            }
            endOfLastClaim = end
        }
        var fragments: [Fragment] = []
        var textStart = -1
        var i = 0
        while i < n {
            if !claimed[i] {
                if textStart < 0 { textStart = i }
                i += 1
                continue
            }
            if textStart >= 0 { fragments.append(.text(textStart..<i)); textStart = -1 }
            if let rank = tokenAt[i] {
                let end = i + lengths[Int(rank)]
                fragments.append(.token(ids[Int(rank)], i..<end))
                i = end
            } else {
                i += 1  // stripped whitespace
            }
        }
        if textStart >= 0 { fragments.append(.text(textStart..<n)) }
        return fragments
    }

    /// C's `isspace` in the "C" locale, which llama.cpp uses for stripping.
    private static func isCSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }
}
