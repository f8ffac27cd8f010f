import ArgumentParser
import CoolFusionGGUF
import CoolFusionTokenizers
import Foundation

/// `coolfusion bench-tokenizer --model MODEL FILE`: encode speed in MB/s on one thread.
/// scripts/bench_tokenizers.py runs it beside llama.cpp's tokenizer on the same text.
struct BenchTokenizerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-tokenizer",
        abstract: "Measure how fast a model's tokenizer encodes a UTF-8 text file (MB/s, one thread)."
    )

    @Option(help: "A default model alias or a path to a GGUF file.")
    var model: String

    @Option(help: "Encode the text in chunks of this many lines (llama.cpp's benchmark does the same).")
    var linesPerChunk = 20

    @Option(help: "Repeat the measurement this many times and report the best.")
    var repeats = 3

    @Flag(help: "Print one JSON object.")
    var json = false

    @Argument(help: "The UTF-8 text file to encode.")
    var file: String

    struct Result: Encodable {
        let model: String
        let bytes: Int
        let tokens: Int
        let seconds: Double
        let megabytesPerSecond: Double
    }

    func run() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let bytes = [UInt8](data)
        _ = try Tokenizer.text(utf8: bytes)
        // Split on the byte 0x0A, not on Characters: Swift treats "\r\n" as one Character, and the
        // chunks must be byte-identical to the ones scripts/bench_tokenizers.py gives llama.cpp.
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        var chunks: [String] = []
        var index = 0
        while index < lines.count {
            let end = min(index + max(linesPerChunk, 1), lines.count)
            var chunk: [UInt8] = []
            for (offset, line) in lines[index..<end].enumerated() {
                if offset > 0 { chunk.append(0x0A) }
                chunk.append(contentsOf: line)
            }
            if end < lines.count { chunk.append(0x0A) }
            chunks.append(String(decoding: chunk, as: UTF8.self))
            index = end
        }
        let tokenizer = try Tokenizer(gguf: GGUFFile(path: ModelOptions.path(of: model)))
        var best = Double.infinity
        var tokenCount = 0
        for _ in 0..<max(repeats, 1) {
            let clock = ContinuousClock()
            var count = 0
            let elapsed = clock.measure {
                for chunk in chunks { count += tokenizer.encode(chunk).count }
            }
            tokenCount = count
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            best = min(best, seconds)
        }
        let result = Result(model: model, bytes: bytes.count, tokens: tokenCount, seconds: best,
                            megabytesPerSecond: Double(bytes.count) / 1e6 / best)
        if json {
            print(try JSONOutput.string(result))
        } else {
            print(String(format: "%@: %d bytes → %d tokens in %.3f s = %.2f MB/s", model, bytes.count, tokenCount, best,
                         result.megabytesPerSecond))
        }
    }
}
