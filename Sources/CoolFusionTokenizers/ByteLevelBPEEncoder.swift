/// Byte-level BPE as llama.cpp runs it (`llm_tokenizer_bpe_session`) on one pre-tokenizer piece:
/// every byte starts as its own symbol, and the adjacent pair with the lowest merge rank (leftmost
/// on ties) is merged until no pair has a rule. A final symbol that is not a vocabulary entry is
/// emitted byte by byte, using the tokens whose text is that single byte when they exist.
struct ByteLevelBPEEncoder: Sendable {
    private let merges: MergeTable
    private let symbolForByte: [Int32]     // [256] id of each byte's character (vocabulary or virtual), -1 if none
    private let singleByteToken: [Int32]   // [256] token whose text is exactly this one byte, -1 if none
    private let vocabularySize: Int32
    private let textToID: ByteStringTable
    /// llama.cpp's `ignore_merges` (Llama-3): a piece that is itself a token is emitted whole.
    private let ignoreMerges: Bool

    init(vocabulary: Vocabulary, ignoreMerges: Bool) {
        let n = Int32(vocabulary.count)
        var virtualIDs: [String: Int32] = [:]
        func symbolID(_ text: Substring) -> Int32 {
            if let id = vocabulary.textToID.find(Array(text.utf8)) { return id }
            let key = String(text)
            if let id = virtualIDs[key] { return id }
            let id = n + Int32(virtualIDs.count)
            virtualIDs[key] = id
            return id
        }
        var table = MergeTable(capacity: vocabulary.merges.count)
        for (rank, rule) in vocabulary.merges.enumerated() {
            // llama.cpp splits at the first space after the first character.
            let utf8 = rule.utf8
            guard utf8.count > 1, let space = utf8.dropFirst().firstIndex(of: 0x20) else { continue }
            let left = rule[rule.startIndex..<space]
            let right = rule[rule.index(after: space)...]
            let leftID = symbolID(left), rightID = symbolID(right)
            table.insert(left: leftID, right: rightID, rank: Int32(rank), result: symbolID(Substring(String(left) + right)))
        }
        merges = table
        symbolForByte = ByteLevelAlphabet.utf8ForByte.map { utf8 in
            if let id = vocabulary.textToID.find(utf8) { return id }
            return virtualIDs[String(decoding: utf8, as: UTF8.self)] ?? -1
        }
        singleByteToken = (0..<256).map { vocabulary.textToID.find([UInt8($0)]) ?? -1 }
        vocabularySize = n
        textToID = vocabulary.textToID
        self.ignoreMerges = ignoreMerges
    }

    struct Scratch {
        var symbols: [Symbol] = []
        var queue = BinaryHeap<Bigram>()
        var encoded: [UInt8] = []
    }

    struct Symbol {
        var id: Int32      // vocabulary or virtual id of the symbol's text, -1 if it has none
        var start: Int32   // byte offset in the piece
        var length: Int32  // bytes of the piece it covers; 0 once merged into its left neighbour
        var prev: Int32
        var next: Int32
    }

    struct Bigram: HeapOrdered {
        var left: Int32
        var right: Int32
        var leftID: Int32
        var rightID: Int32
        var rank: Int32
        var result: Int32
        /// Lowest rank first; on equal ranks the leftmost pair (llama.cpp's comparator).
        static func precedes(_ a: Bigram, _ b: Bigram) -> Bool {
            a.rank < b.rank || (a.rank == b.rank && a.left < b.left)
        }
    }

    /// Appends the tokens of one pre-tokenizer piece (raw UTF-8 bytes).
    func encode(_ piece: UnsafeBufferPointer<UInt8>, scratch: inout Scratch, into output: inout [TokenID]) {
        let n = piece.count
        guard n > 0 else { return }
        if ignoreMerges {
            scratch.encoded.removeAll(keepingCapacity: true)
            for byte in piece { scratch.encoded.append(contentsOf: ByteLevelAlphabet.utf8ForByte[Int(byte)]) }
            if let id = scratch.encoded.withUnsafeBufferPointer({ textToID.find($0) }) {
                output.append(id)
                return
            }
        }
        if n == 1 {
            emit(symbolForByte[Int(piece[0])], piece, 0..<1, &output)
            return
        }
        scratch.symbols.removeAll(keepingCapacity: true)
        scratch.queue.removeAll()
        for i in 0..<n {
            scratch.symbols.append(Symbol(id: symbolForByte[Int(piece[i])], start: Int32(i), length: 1,
                                          prev: Int32(i) - 1, next: i + 1 == n ? -1 : Int32(i) + 1))
        }
        scratch.symbols.withUnsafeMutableBufferPointer { symbols in
            func tryAdd(_ left: Int32, _ right: Int32) {
                guard left >= 0, right >= 0 else { return }
                let l = symbols[Int(left)].id, r = symbols[Int(right)].id
                guard l >= 0, r >= 0, let rule = merges.find(left: l, right: r) else { return }
                scratch.queue.push(Bigram(left: left, right: right, leftID: l, rightID: r, rank: rule.rank, result: rule.result))
            }
            for i in 1..<n { tryAdd(Int32(i - 1), Int32(i)) }
            while let bigram = scratch.queue.pop() {
                let left = symbols[Int(bigram.left)], right = symbols[Int(bigram.right)]
                // Skip pairs one of whose symbols has changed since the pair was queued.
                if left.length == 0 || right.length == 0 || left.id != bigram.leftID || right.id != bigram.rightID { continue }
                symbols[Int(bigram.left)].id = bigram.result
                symbols[Int(bigram.left)].length += right.length
                symbols[Int(bigram.right)].length = 0
                symbols[Int(bigram.left)].next = right.next
                if right.next >= 0 { symbols[Int(right.next)].prev = bigram.left }
                tryAdd(left.prev, bigram.left)
                tryAdd(bigram.left, right.next)
            }
            var i: Int32 = 0
            while i >= 0 {
                let symbol = symbols[Int(i)]
                emit(symbol.id, piece, Int(symbol.start)..<Int(symbol.start + symbol.length), &output)
                i = symbol.next
            }
        }
    }

    @inline(__always)
    private func emit(_ id: Int32, _ piece: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ output: inout [TokenID]) {
        if id >= 0 && id < vocabularySize {
            output.append(id)
            return
        }
        // Not a token: llama.cpp looks up each byte of the symbol's (byte-mapped) text on its own.
        for k in range {
            for byte in ByteLevelAlphabet.utf8ForByte[Int(piece[k])] where singleByteToken[Int(byte)] >= 0 {
                output.append(singleByteToken[Int(byte)])
            }
        }
    }
}
