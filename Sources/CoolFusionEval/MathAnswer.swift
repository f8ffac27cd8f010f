import Foundation

/// Final answers of competition-math outputs (MATH, Hendrycks et al.): extraction of the last
/// `\boxed{...}` and a normalisation in the spirit of the MATH paper's `is_equiv`, so that
/// `\dfrac12`, `\frac{1}{2}` and `1/2`, or `x = 5` and `5.0`, compare equal.
public enum MathAnswer {
    /// The content of the last `\boxed{...}` or `\fbox{...}` (braces balanced), or of `\boxed X`.
    public static func lastBoxed(_ text: String) -> String? {
        let scalars = Array(text.unicodeScalars)
        // Offsets just past each command, latest first.
        var starts: [Int] = []
        for command in ["\\boxed", "\\fbox"] {
            let pattern = Array(command.unicodeScalars)
            guard scalars.count >= pattern.count else { continue }
            for offset in 0...(scalars.count - pattern.count) where Array(scalars[offset..<(offset + pattern.count)]) == pattern {
                starts.append(offset + pattern.count)
            }
        }
        for start in starts.sorted(by: >) {
            if let content = braced(scalars, from: start) ?? spaced(scalars, from: start) { return content }
        }
        return nil
    }

    /// The final answer of an output: the last boxed content, else the last number (integer, decimal
    /// or `a/b`), else nil.
    public static func extract(_ output: String) -> String? {
        if let boxed = lastBoxed(output) { return boxed }
        guard let match = output.matches(of: /-?[0-9][0-9,]*(?:\.[0-9]+)?(?:\/[0-9]+)?/).last else { return nil }
        return String(match.output)
    }

    /// The answer a reference stands for: its last boxed content if it is a whole solution.
    public static func referenceAnswer(_ reference: String) -> String {
        lastBoxed(reference) ?? reference
    }

    /// A canonical spelling of a final answer (see the type's comment).
    public static func normalize(_ answer: String) -> String {
        var text = answer.trimmingWhitespace.replacingOccurrences(of: "\n", with: "")
        for (from, to) in [("\\!", ""), ("\\\\", "\\"), ("tfrac", "frac"), ("dfrac", "frac"),
                           ("\\left", ""), ("\\right", ""), ("^{\\circ}", ""), ("^\\circ", ""),
                           ("\\$", ""), ("$", ""), ("\\%", ""), ("%", "")] {
            text = text.replacingOccurrences(of: from, with: to)
        }
        text = removingUnits(text)
        text = unwrapped(text, command: "\\text")
        text = unwrapped(text, command: "\\mbox")
        text = text.replacingOccurrences(of: " ", with: "")
        // "x=5" and "k = 3": a short left-hand side is a variable name, not part of the answer.
        if let equals = text.firstIndex(of: "="), text.distance(from: text.startIndex, to: equals) <= 2 {
            text = String(text[text.index(after: equals)...])
        }
        text = bracedFractions(text)
        if text.hasSuffix(".") { text.removeLast() }
        if text.hasPrefix(".") { text = "0" + text }
        if text.hasPrefix("-.") { text = "-0" + text.dropFirst() }
        // Thousands separators: 1,000 → 1000 (but a list "1,2" stays).
        if text.wholeMatch(of: /-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?/) != nil {
            text = text.replacingOccurrences(of: ",", with: "")
        }
        // Plain numbers in one spelling: 5.0 → 5, 0.50 → 0.5; a/b → \frac{a}{b}.
        if let match = text.wholeMatch(of: /(-?)([0-9]+)\/([0-9]+)/) {
            text = "\(match.output.1)\\frac{\(match.output.2)}{\(match.output.3)}"
        } else if text.wholeMatch(of: /-?[0-9]+\.[0-9]+/) != nil {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        if text == "0.5" { text = "\\frac{1}{2}" }
        return text
    }

    // MARK: helpers

    /// `{...}` starting at scalar offset `start` (after optional spaces), braces balanced.
    private static func braced(_ scalars: [Unicode.Scalar], from start: Int) -> String? {
        var index = start
        while index < scalars.count, scalars[index] == " " { index += 1 }
        guard index < scalars.count, scalars[index] == "{" else { return nil }
        var depth = 0
        for end in index..<scalars.count {
            if scalars[end] == "{" { depth += 1 }
            if scalars[end] == "}" {
                depth -= 1
                if depth == 0 { return String(String.UnicodeScalarView(scalars[(index + 1)..<end])) }
            }
        }
        return nil
    }

    /// `\boxed 5`: a space, then everything up to the next `$` or space.
    private static func spaced(_ scalars: [Unicode.Scalar], from start: Int) -> String? {
        guard start < scalars.count, scalars[start] == " " else { return nil }
        var end = start + 1
        while end < scalars.count, scalars[end] != "$", scalars[end] != " ", scalars[end] != "\n" { end += 1 }
        return end > start + 1 ? String(String.UnicodeScalarView(scalars[(start + 1)..<end])) : nil
    }

    /// `5\text{ cm}` → `5`: a trailing text command after a value is a unit.
    private static func removingUnits(_ text: String) -> String {
        guard let range = text.range(of: "\\text{ ", options: .backwards), range.lowerBound > text.startIndex else {
            return text
        }
        return String(text[..<range.lowerBound]).trimmingWhitespace
    }

    /// `\text{yes}` → `yes`.
    private static func unwrapped(_ text: String, command: String) -> String {
        var result = text
        while let range = result.range(of: command + "{") {
            let scalars = Array(result.unicodeScalars)
            let open = result.unicodeScalars.distance(from: result.unicodeScalars.startIndex, to: range.upperBound) - 1
            guard let inner = braced(scalars, from: open) else { break }
            let closeEnd = open + inner.unicodeScalars.count + 2
            let before = String(String.UnicodeScalarView(scalars[..<(open - command.unicodeScalars.count)]))
            let after = String(String.UnicodeScalarView(scalars[closeEnd...]))
            result = before + inner + after
        }
        return result
    }

    /// `\frac12` → `\frac{1}{2}`, `\frac1{2}` → `\frac{1}{2}`, `\sqrt2` → `\sqrt{2}`.
    private static func bracedFractions(_ text: String) -> String {
        var result = text
        result = result.replacing(/\\frac([0-9])([0-9])/) { "\\frac{\($0.output.1)}{\($0.output.2)}" }
        result = result.replacing(/\\frac([0-9])\{/) { "\\frac{\($0.output.1)}{" }
        result = result.replacing(/\\frac\{([^{}]*)\}([0-9])/) { "\\frac{\($0.output.1)}{\($0.output.2)}" }
        result = result.replacing(/\\sqrt([0-9a-z])/) { "\\sqrt{\($0.output.1)}" }
        return result
    }
}
