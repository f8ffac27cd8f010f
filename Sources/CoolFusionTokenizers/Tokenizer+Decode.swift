extension Tokenizer {
    /// The bytes a token stands for, as llama.cpp's `token_to_piece` renders it with `special`
    /// true: control and user-defined tokens as their text, byte tokens as their byte, normal
    /// tokens with `▁` → space (SPM) or the byte-level alphabet undone (BPE). Unused and
    /// out-of-range ids render as nothing.
    public func tokenBytes(_ id: TokenID) -> [UInt8] {
        guard id >= 0, Int(id) < vocabulary.count else { return [] }
        let attributes = vocabulary.attributes[Int(id)]
        let text = vocabulary.tokens[Int(id)]
        if !attributes.isDisjoint(with: [.control, .unknown, .userDefined]) { return Array(text.utf8) }
        if attributes.contains(.normal) {
            switch vocabulary.model {
            case .sentencePiece: return Self.unescapeSpaces(text)
            case .byteLevelBPE: return ByteLevelAlphabet.decode(text)
            }
        }
        if attributes.contains(.byte) { return Self.byteTokenValue(text).map { [$0] } ?? [] }
        return []
    }

    /// Text of a token sequence, as llama.cpp's `detokenize` with special tokens rendered
    /// (and, for SPM with `add_space_prefix`, the leading space of the first token removed).
    /// Bytes that are not valid UTF-8 (a sequence cut mid-character) become U+FFFD.
    public func decode(_ tokens: [TokenID]) -> String {
        String(decoding: decodeBytes(tokens), as: UTF8.self)
    }

    /// The raw bytes of a token sequence (see `decode`).
    public func decodeBytes(_ tokens: [TokenID]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (index, id) in tokens.enumerated() {
            var piece = tokenBytes(id)
            if index == 0 && vocabulary.addSpacePrefix && piece.first == 0x20 { piece.removeFirst() }
            bytes.append(contentsOf: piece)
        }
        return bytes
    }

    private static func unescapeSpaces(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        let utf8 = Array(text.utf8)
        out.reserveCapacity(utf8.count)
        var i = 0
        while i < utf8.count {
            if i + 2 < utf8.count && utf8[i] == 0xE2 && utf8[i + 1] == 0x96 && utf8[i + 2] == 0x81 {
                out.append(0x20)
                i += 3
            } else {
                out.append(utf8[i])
                i += 1
            }
        }
        return out
    }

    /// The byte of a `<0xNN>` token.
    private static func byteTokenValue(_ text: String) -> UInt8? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 6 else { return nil }
        return UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16)
    }
}
