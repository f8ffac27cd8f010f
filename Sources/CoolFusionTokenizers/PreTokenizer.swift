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
        var matcher = Matcher(cps: cps, flags: flags, lo: piece.lowerBound, hi: piece.upperBound)
        switch rule {
        case .gpt2: matcher.gpt2(&out)
        case .llama3(let maxDigits): matcher.llama3(maxDigits: maxDigits, &out)
        case .eachNumber: matcher.runs(of: .number, maxLength: 1, &out)
        case .numberRuns: matcher.runs(of: .number, maxLength: .max, &out)
        case .punctuationRuns: matcher.punctuationRuns(&out)
        case .asciiDigitTriples: matcher.asciiDigitTriples(&out)
        }
    }
}

/// The matchers over one piece `[lo, hi)` of code points. Positions outside the piece read as
/// "no character" (empty flags), which is how the regexes see the end of their input.
private struct Matcher {
    let cps: UnsafeBufferPointer<UInt32>
    let flags: UnsafeBufferPointer<UnicodeFlags>
    let lo: Int
    let hi: Int
    var pieceStart: Int

    init(cps: UnsafeBufferPointer<UInt32>, flags: UnsafeBufferPointer<UnicodeFlags>, lo: Int, hi: Int) {
        self.cps = cps; self.flags = flags; self.lo = lo; self.hi = hi; self.pieceStart = lo
    }

    @inline(__always) func flag(_ i: Int) -> UnicodeFlags { i < hi ? flags[i] : [] }
    @inline(__always) func cp(_ i: Int) -> UInt32 { i < hi ? cps[i] : 0xFFFF_FFFF }

    @inline(__always) mutating func emit(_ end: Int, _ out: inout [Range<Int>]) {
        if end > pieceStart { out.append(pieceStart..<end) }
        pieceStart = end
    }

    private static let apostrophe: UInt32 = 0x27, space: UInt32 = 0x20, cr: UInt32 = 0x0D, lf: UInt32 = 0x0A
    private static let wordLike: UnicodeFlags = [.whitespace, .letter, .number]

    /// Length of an English contraction (`'s`, `'t`, `'re`, `'ve`, `'m`, `'ll`, `'d`) at `pos`, or 0.
    @inline(__always) func contraction(at pos: Int, caseInsensitive: Bool) -> Int {
        guard cps[pos] == Self.apostrophe, pos + 1 < hi else { return 0 }
        func lower(_ c: UInt32) -> UInt32 { caseInsensitive && c >= 0x41 && c <= 0x5A ? c + 0x20 : c }
        let next = lower(cps[pos + 1])
        if next == 0x73 || next == 0x74 || next == 0x6D || next == 0x64 { return 2 }  // s t m d
        if pos + 2 < hi {
            let after = lower(cps[pos + 2])
            if (next == 0x72 && after == 0x65) || (next == 0x76 && after == 0x65) || (next == 0x6C && after == 0x6C) {
                return 3  // re ve ll
            }
        }
        return 0
    }

    mutating func gpt2(_ out: inout [Range<Int>]) {
        var pos = lo
        while pos < hi {
            let c = cps[pos]
            let length = contraction(at: pos, caseInsensitive: false)
            if length > 0 { pos += length; emit(pos, &out); continue }
            // " ?X+" alternatives look at the character after an optional single space.
            let lead = c == Self.space ? flag(pos + 1) : flags[pos]
            if lead.contains(.letter) {
                if c == Self.space { pos += 1 }
                while flag(pos).contains(.letter) { pos += 1 }
                emit(pos, &out); continue
            }
            if lead.contains(.number) {
                if c == Self.space { pos += 1 }
                while flag(pos).contains(.number) { pos += 1 }
                emit(pos, &out); continue
            }
            if lead.isDisjoint(with: Self.wordLike) && !lead.isEmpty {
                if c == Self.space { pos += 1 }
                while pos < hi && flag(pos).isDisjoint(with: Self.wordLike) { pos += 1 }
                emit(pos, &out); continue
            }
            var spaces = 0
            while flag(pos + spaces).contains(.whitespace) { spaces += 1 }
            if spaces > 1 && pos + spaces < hi {
                pos += spaces - 1  // \s+(?!\S): leave the last space to start the next word
            } else if spaces > 0 {
                pos += spaces
            } else {
                pos += 1
            }
            emit(pos, &out)
        }
    }

    mutating func llama3(maxDigits: Int, _ out: inout [Range<Int>]) {
        var pos = lo
        while pos < hi {
            let c = cps[pos]
            let f = flags[pos]
            let length = contraction(at: pos, caseInsensitive: true)
            if length > 0 { pos += length; emit(pos, &out); continue }
            // [^\r\n\p{L}\p{N}]?\p{L}+
            if !(c == Self.cr || c == Self.lf || f.contains(.number)) && (f.contains(.letter) || flag(pos + 1).contains(.letter)) {
                pos += 1
                while flag(pos).contains(.letter) { pos += 1 }
                emit(pos, &out); continue
            }
            // \p{N}{1,maxDigits}
            if f.contains(.number) {
                var groupStart = pos
                while flag(pos).contains(.number) {
                    pos += 1
                    if pos - groupStart >= maxDigits { emit(pos, &out); groupStart = pos }
                }
                emit(pos, &out); continue
            }
            // " ?[^\s\p{L}\p{N}]+[\r\n]*"
            let lead = c == Self.space ? flag(pos + 1) : f
            if lead.isDisjoint(with: Self.wordLike) {
                if c == Self.space { pos += 1 }
                while pos < hi && flag(pos).isDisjoint(with: Self.wordLike) { pos += 1 }
                while cp(pos) == Self.cr || cp(pos) == Self.lf { pos += 1 }
                emit(pos, &out); continue
            }
            var spaces = 0
            var afterLastNewline = -1
            while flag(pos + spaces).contains(.whitespace) {
                let w = cps[pos + spaces]
                if w == Self.cr || w == Self.lf { afterLastNewline = pos + spaces + 1 }
                spaces += 1
            }
            if afterLastNewline >= 0 {
                pos = afterLastNewline  // \s*[\r\n]+
            } else if spaces > 1 && pos + spaces < hi {
                pos += spaces - 1       // \s+(?!\S)
            } else if spaces > 0 {
                pos += spaces           // \s+
            } else {
                pos += 1
            }
            emit(pos, &out)
        }
    }

    /// Runs of characters with `category`, at most `maxLength` long, and the text between them.
    mutating func runs(of category: UnicodeFlags, maxLength: Int, _ out: inout [Range<Int>]) {
        var pos = lo
        while pos < hi {
            if flags[pos].contains(category) {
                emit(pos, &out)
                let start = pos
                while pos < hi && flags[pos].contains(category) && pos - start < maxLength { pos += 1 }
                emit(pos, &out)
            } else {
                pos += 1
            }
        }
        emit(hi, &out)
    }

    /// `[\p{P}\$\+<=>\^~\|]+` runs and the text between them.
    mutating func punctuationRuns(_ out: inout [Range<Int>]) {
        func matches(_ i: Int) -> Bool {
            let c = cps[i]
            return flags[i].contains(.punctuation) || c == 0x24 || c == 0x2B || c == 0x3C || c == 0x3D || c == 0x3E
                || c == 0x5E || c == 0x7E || c == 0x7C
        }
        var pos = lo
        while pos < hi {
            if matches(pos) {
                emit(pos, &out)
                while pos < hi && matches(pos) { pos += 1 }
                emit(pos, &out)
            } else {
                pos += 1
            }
        }
        emit(hi, &out)
    }

    /// `[0-9][0-9][0-9]`: leftmost triples of ASCII digits, and the text between them.
    mutating func asciiDigitTriples(_ out: inout [Range<Int>]) {
        func isDigit(_ i: Int) -> Bool { i < hi && cps[i] >= 0x30 && cps[i] <= 0x39 }
        var pos = lo
        while pos < hi {
            if isDigit(pos) && isDigit(pos + 1) && isDigit(pos + 2) {
                emit(pos, &out)
                pos += 3
                emit(pos, &out)
            } else {
                pos += 1
            }
        }
        emit(hi, &out)
    }
}
