/// Text as the terminal output shows it: between quotes, with line ends, tabs, the quote character
/// and backslashes escaped, so whitespace is visible and every shown string reads back unambiguously.
enum VisibleText {
    static func quoted(_ text: String, quote: Character = "\"") -> String {
        var out = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\\": out += "\\\\"
            default:
                if Character(scalar) == quote { out += "\\" }
                out.unicodeScalars.append(scalar)
            }
        }
        return out + String(quote)
    }
}
