import ArgumentParser
import CoolFusionGGUF
import CoolFusionTokenizers
import Foundation

/// `coolfusion tokenize --model MODEL [--special] [--json] TEXT`: a model's tokens and words for a text.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Show the tokens and words a model's tokenizer makes of a text (never with BOS/EOS)."
    )

    @Option(help: "A default model alias (see `coolfusion models list`) or a path to a GGUF file.")
    var model: String

    @Flag(help: "Recognise control tokens written in the text (e.g. <|im_start|>) as single tokens.")
    var special = false

    @Flag(help: "Print one JSON object {tokens, pieces, words} instead of a table.")
    var json = false

    @Argument(help: "The text to tokenize; `-` reads standard input.")
    var text: String

    struct Output: Encodable {
        struct WordOutput: Encodable {
            let text: String
            let start: Int
            let end: Int
        }
        let tokens: [TokenID]
        let pieces: [String]
        let words: [WordOutput]
    }

    func run() throws {
        let input = try readInput()
        let tokenizer = try Tokenizer(gguf: GGUFFile(path: ModelOptions.path(of: model)))
        let encoding = tokenizer.encodeWithWords(input, parseSpecial: special)
        let bytes = Array(input.utf8)
        let pieces = encoding.tokens.map { String(decoding: tokenizer.tokenBytes($0), as: UTF8.self) }
        let words = encoding.words.map {
            Output.WordOutput(text: String(decoding: bytes[$0.byteRange], as: UTF8.self), start: $0.start, end: $0.end)
        }
        if json {
            print(try JSONOutput.string(Output(tokens: encoding.tokens, pieces: pieces, words: words)))
            return
        }
        print("\(encoding.tokens.count) tokens, \(words.count) words")
        let idWidth = max(2, encoding.tokens.map { String($0).count }.max() ?? 2)
        print("id".padding(toLength: idWidth, withPad: " ", startingAt: 0) + "  piece")
        for (id, piece) in zip(encoding.tokens, pieces) {
            let idText = String(id)
            print(String(repeating: " ", count: idWidth - idText.count) + idText + "  " + Self.visible(piece))
        }
        print("words: " + words.map { Self.visible($0.text) }.joined(separator: " | "))
    }

    /// The text argument, or standard input for `-`; invalid UTF-8 is a clear error.
    private func readInput() throws -> String {
        guard text == "-" else { return text }
        let data = FileHandle.standardInput.readDataToEndOfFile()
        return try Tokenizer.text(utf8: [UInt8](data))
    }

    /// A piece with whitespace made visible, in single quotes, for the table.
    static func visible(_ text: String) -> String { VisibleText.quoted(text, quote: "'") }
}
