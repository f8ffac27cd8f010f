import ArgumentParser
import CoolFusionEngine
import CoolFusionGGUF
import CoolFusionTokenizers
import Foundation

/// `coolfusion inspect MODEL... [--json] [--check]`: what GGUF files hold, and whether they load.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a GGUF model's architecture, sizes, tokenizer and tensor types.",
        discussion: """
            With several files, each is shown in turn; one that cannot be read is reported on standard \
            error as `FILE: problem` and the others are still shown (exit status 1 if any failed).
            """
    )

    @Argument(help: "Default model aliases (see `coolfusion models list`) or paths to GGUF files.")
    var models: [String]

    @Flag(help: "Print one JSON object per file instead of a table.")
    var json = false

    @Flag(help: "Also load the network and tokenizer as `run` does (every tensor's type, shape and extent checked) and run one token through it.")
    var check = false

    func validate() throws {
        guard !models.isEmpty else { throw ValidationError("name at least one model or GGUF file") }
    }

    func run() throws {
        var failed = false
        for (index, model) in models.enumerated() {
            if index > 0 && !json { print() }
            do {
                try show(model)
            } catch {
                guard models.count > 1 else { throw error }
                failed = true
                FileHandle.standardError.write(Data("\(model): \(error)\n".utf8))
            }
        }
        if failed { throw ExitCode.failure }
    }

    private func show(_ model: String) throws {
        let path = try ModelOptions.path(of: model)
        let file = try GGUFFile(path: path)
        let summary = GGUFSummary(file)
        if check { try Self.load(path) }
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
        ] + (check ? [("check", "loads and runs a token")] : [])
        let width = rows.map(\.0.count).max() ?? 0
        for (label, value) in rows {
            print(label.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
        }
    }

    /// Loads the file as `run` would and runs its first prompt token (BOS, else the first token of
    /// "a") through the network: what fails here would fail any command that uses the model.
    static func load(_ path: String) throws {
        let engine = try Model(path: path, threads: 1)
        let tokenizer = try Tokenizer(gguf: engine.file)
        let session = engine.makeSession()
        try session.append(Array(tokenizer.encodePrompt("a").prefix(1)))
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
