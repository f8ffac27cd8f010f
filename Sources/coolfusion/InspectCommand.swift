import ArgumentParser
import CoolFusionGGUF
import Foundation

/// `coolfusion inspect MODEL [--json]`: what a GGUF file holds.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a GGUF model's architecture, sizes, tokenizer and tensor types."
    )

    @Argument(help: "A default model alias (see `coolfusion models list`) or a path to a GGUF file.")
    var model: String

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func run() throws {
        let path = try ModelOptions.path(of: model)
        let file = try GGUFFile(path: path)
        let summary = GGUFSummary(file)
        if json {
            print(try JSONOutput.string(summary))
            return
        }
        func show(_ value: Int?) -> String { value.map { Self.grouped($0) } ?? "-" }
        let rows: [(String, String)] = [
            ("file", path),
            ("architecture", summary.architecture ?? "-"),
            ("name", summary.name ?? "-"),
            ("parameters", Self.grouped(summary.parameterCount)),
            ("blocks", show(summary.blockCount)),
            ("context length", show(summary.contextLength)),
            ("embedding length", show(summary.embeddingLength)),
            ("feed-forward length", show(summary.feedForwardLength)),
            ("attention heads", show(summary.headCount)),
            ("key/value heads", show(summary.headCountKV)),
            ("vocabulary", show(summary.vocabSize)),
            ("tokenizer", (summary.tokenizerModel ?? "-") + (summary.tokenizerPre.map { ", pre-tokenizer \($0)" } ?? "")),
            ("special tokens", summary.specialTokens.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")),
            ("chat template", summary.hasChatTemplate ? "yes" : "no"),
            ("tensors", "\(summary.tensorCount): " + summary.tensorTypes.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        for (label, value) in rows {
            print(label.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
        }
    }

    /// 262144 → "262,144".
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return (value < 0 ? "-" : "") + out
    }
}
