/// SentencePiece-style BPE as llama.cpp runs it (`llm_tokenizer_spm_session`): the fragment's
/// spaces become `▁`, it is cut into UTF-8 characters, and the adjacent pair whose concatenation is
/// the highest-scoring vocabulary entry is merged until no pair forms a token. Characters that never
/// became a token are emitted as byte tokens `<0xNN>`.
struct SentencePieceEncoder: Sendable {
    private let textToID: ByteStringTable
    private let scores: [Float]
    private let byteTokens: [TokenID]   // [256] `<0xNN>` (or the single-byte token), -1 if absent

    init(vocabulary: Vocabulary) {
        textToID = vocabulary.textToID
        scores = vocabulary.scores
        byteTokens = (0..<256).map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            let name = "<0x" + (hex.count == 1 ? "0" + hex : hex) + ">"
            return vocabulary.textToID.find(Array(name.utf8)) ?? vocabulary.textToID.find([UInt8(byte)]) ?? -1
        }
    }

    /// Per-call buffers, reused across the fragments of one encode call.
    struct Scratch {
        var escaped: [UInt8] = []
        var symbols: [Symbol] = []
        var queue = BinaryHeap<Bigram>()
    }

    struct Symbol {
        var start: Int32   // byte offset in `escaped`
        var length: Int32  // 0 once merged into its left neighbour
        var prev: Int32
        var next: Int32
    }

    struct Bigram: HeapOrdered {
        var left: Int32
        var right: Int32
        var score: Float
        var size: Int32
        /// Highest score first; on equal scores the leftmost pair (llama.cpp's comparator).
        static func precedes(_ a: Bigram, _ b: Bigram) -> Bool {
            a.score > b.score || (a.score == b.score && a.left < b.left)
        }
    }

    private static let escapedSpace: [UInt8] = [0xE2, 0x96, 0x81]  // ▁ U+2581

    /// Appends the tokens of one text fragment (`prefixSpace` puts a space in front, for `add_space_prefix`).
    func encode(_ fragment: UnsafeBufferPointer<UInt8>, prefixSpace: Bool, scratch: inout Scratch,
                into output: inout [TokenID]) {
        scratch.escaped.removeAll(keepingCapacity: true)
        if prefixSpace { scratch.escaped.append(contentsOf: Self.escapedSpace) }
        for byte in fragment {
            if byte == 0x20 { scratch.escaped.append(contentsOf: Self.escapedSpace) } else { scratch.escaped.append(byte) }
        }
        scratch.escaped.withUnsafeBufferPointer { text in
            merge(text, &scratch.symbols, &scratch.queue)
            emit(text, scratch.symbols, &output)
        }
    }

    private func merge(_ text: UnsafeBufferPointer<UInt8>, _ symbols: inout [Symbol], _ queue: inout BinaryHeap<Bigram>) {
        symbols.removeAll(keepingCapacity: true)
        queue.removeAll()
        var offset = 0
        let n = text.count
        while offset < n {
            let length = min(UTF8Scalar.sequenceLength(lead: text[offset]), n - offset)
            let index = Int32(symbols.count)
            symbols.append(Symbol(start: Int32(offset), length: Int32(length), prev: index - 1,
                                  next: offset + length == n ? -1 : index + 1))
            offset += length
        }
        symbols.withUnsafeMutableBufferPointer { symbols in
            func tryAdd(_ left: Int32, _ right: Int32) {
                guard left >= 0, right >= 0 else { return }
                let l = symbols[Int(left)], r = symbols[Int(right)]
                let size = Int(l.length + r.length)
                let range = UnsafeBufferPointer(rebasing: text[Int(l.start)..<Int(l.start) + size])
                guard let id = textToID.find(range) else { return }
                queue.push(Bigram(left: left, right: right, score: scores[Int(id)], size: Int32(size)))
            }
            for i in 1..<max(symbols.count, 1) { tryAdd(Int32(i - 1), Int32(i)) }
            while let bigram = queue.pop() {
                let left = symbols[Int(bigram.left)], right = symbols[Int(bigram.right)]
                // Skip pairs one of whose symbols has changed since the pair was queued.
                if left.length == 0 || right.length == 0 || left.length + right.length != bigram.size { continue }
                symbols[Int(bigram.left)].length += right.length
                symbols[Int(bigram.right)].length = 0
                symbols[Int(bigram.left)].next = right.next
                if right.next >= 0 { symbols[Int(right.next)].prev = bigram.left }
                tryAdd(left.prev, bigram.left)
                tryAdd(bigram.left, right.next)
            }
        }
    }

    private func emit(_ text: UnsafeBufferPointer<UInt8>, _ symbols: [Symbol], _ output: inout [TokenID]) {
        guard !symbols.isEmpty else { return }
        var i: Int32 = 0
        while i >= 0 {
            let symbol = symbols[Int(i)]
            let range = Int(symbol.start)..<Int(symbol.start + symbol.length)
            if let id = textToID.find(UnsafeBufferPointer(rebasing: text[range])) {
                output.append(id)
            } else {
                // Only unmerged characters can miss the vocabulary: fall back to their bytes.
                for k in range where byteTokens[Int(text[k])] >= 0 { output.append(byteTokens[Int(text[k])]) }
            }
            i = symbol.next
        }
    }
}
