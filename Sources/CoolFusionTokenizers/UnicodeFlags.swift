/// The Unicode facts the pre-tokenizers need about one code point, as llama.cpp's `unicode.cpp`
/// classifies them: one general-category group (`\p{L}`, `\p{N}`, ...) plus White_Space.
///
/// llama.cpp builds its table with Python's `regex` module (`\p{L}` etc., `\s` = White_Space);
/// we derive the same bits from Swift's Unicode properties. They can differ only for code points
/// assigned in a newer Unicode version than one of the two tables, which the golden corpus checks.
struct UnicodeFlags: OptionSet, Sendable {
    let rawValue: UInt8

    static let letter = UnicodeFlags(rawValue: 1 << 0)       // \p{L}
    static let number = UnicodeFlags(rawValue: 1 << 1)       // \p{N}
    static let mark = UnicodeFlags(rawValue: 1 << 2)         // \p{M}
    static let punctuation = UnicodeFlags(rawValue: 1 << 3)  // \p{P}
    static let symbol = UnicodeFlags(rawValue: 1 << 4)       // \p{S}
    static let separator = UnicodeFlags(rawValue: 1 << 5)    // \p{Z}
    static let other = UnicodeFlags(rawValue: 1 << 6)        // \p{C}, including unassigned
    static let whitespace = UnicodeFlags(rawValue: 1 << 7)   // regex \s (White_Space)

    /// Flags of a code point. Every valid code point has exactly one category bit, so an empty
    /// set means "outside the text" in the matchers.
    @inline(__always)
    static func of(_ codePoint: UInt32) -> UnicodeFlags {
        if codePoint < 0x10000 {
            return UnicodeFlags(rawValue: basicPlane[Int(codePoint)])
        }
        return compute(codePoint)
    }

    /// Flags for U+0000...U+FFFF, computed once (64 KiB) because that plane holds nearly all text.
    private static let basicPlane: [UInt8] = (0..<0x10000).map { compute(UInt32($0)).rawValue }

    private static func compute(_ codePoint: UInt32) -> UnicodeFlags {
        // Surrogates are not scalars; Python's regex puts them in \p{C} (Cs).
        guard let scalar = Unicode.Scalar(codePoint) else { return .other }
        var flags: UnicodeFlags
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            flags = .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            flags = .number
        case .nonspacingMark, .spacingMark, .enclosingMark:
            flags = .mark
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            flags = .punctuation
        case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            flags = .symbol
        case .spaceSeparator, .lineSeparator, .paragraphSeparator:
            flags = .separator
        default:
            flags = .other
        }
        if scalar.properties.isWhitespace { flags.insert(.whitespace) }
        return flags
    }
}
