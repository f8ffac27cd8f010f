/// Splits text into the pieces ("words") a byte-level BPE tokenizer merges within.
///
/// Works on code points (llama.cpp's `unicode_regex_split` does too), then reports byte ranges.
/// Every rule is a hand-written matcher; see `PreTokenizerPreset` for the regex each one implements.
struct PreTokenizer: Sendable {
    let rules: [PreTokenizerRule]

    /// Reusable buffers for one split (kept by the caller across pieces of one encode call).
    struct Scratch {
        var codePoints: [UInt32] = []     // [n] code points of the fragment
        var flags: [UnicodeFlags] = []    // [n]
        var byteOffsets: [Int] = []       // [n + 1] byte offset of each code point, then the end
        var pieces: [Range<Int>] = []     // code point ranges
        var nextPieces: [Range<Int>] = []
    }

    /// Appends the byte ranges of the pieces of `text[range]` (valid UTF-8) to `output`.
    func split(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, scratch: inout Scratch,
               into output: inout [Range<Int>]) {
        decode(text, range, &scratch)
        let n = scratch.codePoints.count
        scratch.pieces.removeAll(keepingCapacity: true)
        scratch.pieces.append(0..<n)
        for rule in rules {
            scratch.nextPieces.removeAll(keepingCapacity: true)
            scratch.codePoints.withUnsafeBufferPointer { cps in
                scratch.flags.withUnsafeBufferPointer { flags in
                    for piece in scratch.pieces where !piece.isEmpty {
                        Self.apply(rule, cps, flags, piece, &scratch.nextPieces)
                    }
                }
            }
            swap(&scratch.pieces, &scratch.nextPieces)
        }
        for piece in scratch.pieces where !piece.isEmpty {
            output.append(scratch.byteOffsets[piece.lowerBound]..<scratch.byteOffsets[piece.upperBound])
        }
    }

    private func decode(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ scratch: inout Scratch) {
        scratch.codePoints.removeAll(keepingCapacity: true)
        scratch.flags.removeAll(keepingCapacity: true)
        scratch.byteOffsets.removeAll(keepingCapacity: true)
        var i = range.lowerBound
        while i < range.upperBound {
            let (codePoint, length) = UTF8Scalar.decode(text, at: i, end: range.upperBound)
            scratch.byteOffsets.append(i)
            scratch.codePoints.append(codePoint)
            scratch.flags.append(UnicodeFlags.of(codePoint))
            i += length
        }
        scratch.byteOffsets.append(range.upperBound)
    }

    static func apply(_ rule: PreTokenizerRule, _ cps: UnsafeBufferPointer<UInt32>, _ flags: UnsafeBufferPointer<UnicodeFlags>,
                      _ piece: Range<Int>, _ out: inout [Range<Int>]) {
        var matcher = PreTokenizerMatcher(cps: cps, flags: flags, lo: piece.lowerBound, hi: piece.upperBound)
        switch rule {
        case .gpt2: matcher.gpt2(&out)
        case .llama3(let maxDigits): matcher.llama3(maxDigits: maxDigits, &out)
        case .eachNumber: matcher.runs(of: .number, maxLength: 1, &out)
        case .numberRuns: matcher.runs(of: .number, maxLength: .max, &out)
        case .punctuationRuns: matcher.punctuationRuns(&out)
        case .asciiDigitTriples: matcher.asciiDigitTriples(&out)
        case .eachNewline: matcher.eachNewline(&out)
        case .spaceThenRun(let set): matcher.spaceThenRun(set.ranges, &out)
        case .runs(let set): matcher.runs(set.ranges, &out)
        case .trailingWhitespace: matcher.trailingWhitespace(&out)
        }
    }
}
