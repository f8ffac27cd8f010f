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
    private let startsToken: [Bool]         // [256] whether some token text starts with this byte
    private let children: [UInt64: Int32]   // (node << 8 | byte) → child node; node 0 is the root
    private let rankAtNode: [Int32]         // [node] rank of the token ending here, or -1

    /// `tokens` are in priority order (longest first); `texts` gives each token's bytes.
    init(tokens: [TokenID], texts: [String]) {
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
        // claim covers its first or last byte, so a byte mask is enough to test it.
        var claimed = [Bool](repeating: false, count: n)
        var accepted: [(position: Int, rank: Int32)] = []
        var currentRank: Int32 = -1
        var endOfLastClaim = 0
        for (rank, position) in occurrences {
            if rank != currentRank { currentRank = rank; endOfLastClaim = 0 }
            let length = lengths[Int(rank)]
            guard position >= endOfLastClaim, !claimed[position], !claimed[position + length - 1] else { continue }
            for k in position..<position + length { claimed[k] = true }
            accepted.append((position, rank))
            endOfLastClaim = position + length
        }
        accepted.sort { $0.position < $1.position }
        var fragments: [Fragment] = []
        var cursor = 0
        for (position, rank) in accepted {
            if position > cursor { fragments.append(.text(cursor..<position)) }
            let end = position + lengths[Int(rank)]
            fragments.append(.token(ids[Int(rank)], position..<end))
            cursor = end
        }
        if cursor < n { fragments.append(.text(cursor..<n)) }
        return fragments
    }
}
