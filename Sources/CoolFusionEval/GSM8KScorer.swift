import Foundation

/// GSM8K / MGSM scoring as lm-evaluation-harness's `gsm8k` task (version 3) does it:
///
/// - `strict-match`: the first `#### N` where N matches `-?[0-9.,]+`;
/// - `flexible-extract`: the last match of `(-?[$0-9.,]{2,})|(-?[0-9]+)` (a run of at least two
///   digit/`$`/`.`/`,` characters, or a plain integer);
/// - both the extracted answer and the reference then lose every `,` and `$`, everything up to the
///   last `#### ` and one trailing `.`, are lower-cased, and must be equal.
///
/// A reference may be a whole worked solution: its answer is what follows its last `#### `.
public struct GSM8KScorer: AnswerScorer {
    public static let strictMatch = "strict-match"
    public static let flexibleExtract = "flexible-extract"

    public var metrics: [String] { [Self.strictMatch, Self.flexibleExtract] }
    /// The tiny default models rarely copy the `####` format, so the last number decides.
    public var primaryMetric: String { Self.flexibleExtract }

    public init() {}

    public func score(output: String, references: [String]) -> ItemScore {
        let targets = Set(references.map(Self.normalize))
        var extracted: [String: String] = [:]
        var scores: [String: Double] = [:]
        for (metric, answer) in [(Self.strictMatch, Self.strictAnswer(output)),
                                 (Self.flexibleExtract, Self.flexibleAnswer(output))] {
            extracted[metric] = answer
            scores[metric] = answer.map { targets.contains(Self.normalize($0)) ? 1 : 0 } ?? 0
        }
        return ItemScore(extracted: extracted, scores: scores)
    }

    /// The first `#### N`; nil if there is none.
    public static func strictAnswer(_ output: String) -> String? {
        guard let match = output.firstMatch(of: /#### (-?[0-9.,]+)/) else { return nil }
        return String(match.output.1)
    }

    /// The last number-like run; nil if there is none.
    public static func flexibleAnswer(_ output: String) -> String? {
        guard let match = output.matches(of: /(-?[$0-9.,]{2,})|(-?[0-9]+)/).last else { return nil }
        let value = match.output.1 ?? match.output.2 ?? ""
        return value.trimmingWhitespace
    }

    /// lm-evaluation-harness's `regexes_to_ignore` (`,`, `\$`, `(?s).*#### `, `\.$`) and `ignore_case`.
    public static func normalize(_ answer: String) -> String {
        var text = answer.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "$", with: "")
        if let marker = text.range(of: "#### ", options: .backwards) { text = String(text[marker.upperBound...]) }
        // Stray whitespace around a reference read from a file must not decide the match.
        text = text.trimmingWhitespace
        if text.hasSuffix(".") { text.removeLast() }
        return text.lowercased()
    }
}
