import Foundation

/// Short answers (CoQA/DROP/TriviaQA style): the first line of an output, SQuAD-style normalisation,
/// exact match and token F1.
public enum QAAnswer {
    /// The answer an output gives: its first non-blank line, trimmed. A generation that starts with
    /// a space or a line break (common after `Answer:`) still gives its answer line.
    public static func firstLine(_ output: String) -> String {
        let trimmed = output.trimmingWhitespace
        guard let end = trimmed.firstIndex(where: \.isNewline) else { return trimmed }
        return String(trimmed[..<end]).trimmingWhitespace
    }

    /// SQuAD's normalisation (lower case, no punctuation, no articles `a`/`an`/`the`, single spaces),
    /// except that a sign before a digit and a point between digits are kept, so `-5` ≠ `5` and
    /// `2.5` ≠ `25` (short numeric answers matter on generated tasks).
    public static func normalize(_ text: String) -> String {
        let scalars = Array(text.lowercased().unicodeScalars)
        var kept = String.UnicodeScalarView()
        for (index, scalar) in scalars.enumerated() {
            let next = index + 1 < scalars.count ? scalars[index + 1] : nil
            let previous = index > 0 ? scalars[index - 1] : nil
            let nextIsDigit = next.map(isDigit) ?? false
            let previousIsDigit = previous.map(isDigit) ?? false
            if scalar == "-", nextIsDigit, !previousIsDigit { kept.append(scalar); continue }
            if scalar == ".", nextIsDigit, previousIsDigit { kept.append(scalar); continue }
            if CharacterSet.punctuationCharacters.contains(scalar) || CharacterSet.symbols.contains(scalar) {
                continue
            }
            kept.append(scalar)
        }
        let words = String(kept).split(whereSeparator: { $0.isWhitespace })
            .filter { !["a", "an", "the"].contains($0) }
        return words.joined(separator: " ")
    }

    /// 1 if the normalised texts are equal.
    public static func exactMatch(_ prediction: String, _ reference: String) -> Double {
        normalize(prediction) == normalize(reference) ? 1 : 0
    }

    /// SQuAD's token F1: harmonic mean of precision and recall of the normalised words, counted as
    /// multisets. If either side has no words, 1 when both have none, else 0.
    public static func tokenF1(_ prediction: String, _ reference: String) -> Double {
        let predicted = normalize(prediction).split(separator: " ")
        let gold = normalize(reference).split(separator: " ")
        if predicted.isEmpty || gold.isEmpty { return predicted.isEmpty && gold.isEmpty ? 1 : 0 }
        var goldCounts: [Substring: Int] = [:]
        for word in gold { goldCounts[word, default: 0] += 1 }
        var common = 0
        for word in predicted where (goldCounts[word] ?? 0) > 0 {
            goldCounts[word, default: 0] -= 1
            common += 1
        }
        guard common > 0 else { return 0 }
        let precision = Double(common) / Double(predicted.count)
        let recall = Double(common) / Double(gold.count)
        return 2 * precision * recall / (precision + recall)
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
}
