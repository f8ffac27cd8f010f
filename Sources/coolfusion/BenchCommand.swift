import ArgumentParser
import CoolFusionEngine
import CoolFusionKernels
import CoolFusionTokenizers
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `coolfusion bench --model MODEL`: prefill and decode speed and peak memory of one model, and how
/// far decode is from the memory limit: the bytes a decoded token reads (`DecodeTraffic`) against the
/// read bandwidth measured in the same run (`ReadBandwidth`).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure prefill and decode tokens/s, decode's share of the memory bandwidth, and peak resident memory of one model."
    )

    /// The benchmark prompt: this text's tokens, repeated to the requested length (the side-by-side
    /// script scripts/bench_engine.py builds llama.cpp's prompt the same way).
    static let promptText = "The history of science is the study of the development of science and scientific knowledge, "
        + "including both the natural and social sciences. Science is a body of empirical, theoretical, and "
        + "practical knowledge about the natural world, produced by scientists who emphasize the observation, "
        + "explanation, and prediction of real-world phenomena."

    @Option(help: "A default model alias (see `coolfusion models list`) or a path to a GGUF file.")
    var model: String

    @Option(help: "Tokens in the prompt (one prefill).")
    var promptTokens = 128

    @Option(help: "Tokens generated one at a time after the prompt (greedy).")
    var genTokens = 64

    @Option(help: "Threads for matrix products (default: one per core).")
    var threads: Int?

    @Flag(help: "Print one JSON object.")
    var json = false

    struct Result: Encodable {
        let model: String
        let threads: Int?
        let promptTokens: Int
        let genTokens: Int
        let prefillTokensPerSecond: Double
        let decodeTokensPerSecond: Double
        let peakResidentMegabytes: Double
        let fileMegabytes: Double
        /// Mean bytes read per decoded token over the decoded positions.
        let decodeBytesPerToken: Double
        /// Read bandwidth measured in this run, bytes per second.
        let readBandwidthBytesPerSecond: Double
        /// Decode tokens/s × bytes per token ÷ bandwidth: 1 is the memory limit.
        let bandwidthFraction: Double
        /// Bandwidth ÷ bytes per token: the decode speed at the memory limit.
        let bandwidthLimitTokensPerSecond: Double
    }

    func run() throws {
        guard promptTokens >= 1, genTokens >= 1 else { throw ValidationError("--prompt-tokens and --gen-tokens must be ≥ 1") }
        let path = try ModelOptions.path(of: model)
        let engine = try Model(path: path, threads: threads)
        let tokenizer = try Tokenizer(gguf: engine.file)
        let prompt = Self.prompt(tokenizer: tokenizer, count: promptTokens)
        guard prompt.count + genTokens <= engine.contextLength else {
            throw ValidationError("\(prompt.count + genTokens) tokens exceed the context length \(engine.contextLength)")
        }

        // Warm-up: touches every weight page once so the timings measure compute, not page faults.
        let warmup = engine.makeSession()
        try warmup.append(Array(prompt.prefix(8)))

        let session = engine.makeSession()
        let prefillStart = Date()
        try session.append(prompt)
        let prefillSeconds = Date().timeIntervalSince(prefillStart)

        let decodeStart = Date()
        for _ in 0..<genTokens {
            guard let next = session.greedyToken() else { break }
            try session.append([next])
        }
        let decodeSeconds = Date().timeIntervalSince(decodeStart)
        // Read before the bandwidth pass, whose 256 MB buffer is not the model's memory.
        let peakResident = Self.peakResidentMegabytes()
        let bandwidth = ReadBandwidth.measure(pool: ThreadPool(threads: threads ?? ProcessInfo.processInfo.activeProcessorCount))
        let bytesPerToken = DecodeTraffic(model: engine).meanBytes(over: prompt.count..<(prompt.count + genTokens))
        let decodeRate = Double(genTokens) / decodeSeconds

        let result = Result(
            model: path, threads: threads, promptTokens: prompt.count, genTokens: genTokens,
            prefillTokensPerSecond: Double(prompt.count) / prefillSeconds,
            decodeTokensPerSecond: decodeRate,
            peakResidentMegabytes: peakResident,
            fileMegabytes: Double(engine.file.fileSize) / 1_048_576,
            decodeBytesPerToken: bytesPerToken, readBandwidthBytesPerSecond: bandwidth,
            bandwidthFraction: bandwidth > 0 ? decodeRate * bytesPerToken / bandwidth : 0,
            bandwidthLimitTokensPerSecond: bandwidth / bytesPerToken)
        if json {
            print(try JSONOutput.string(result))
        } else {
            print("model          \(path)")
            print("prefill        \(String(format: "%.1f", result.prefillTokensPerSecond)) tok/s (\(prompt.count) tokens)")
            print("decode         \(String(format: "%.1f", result.decodeTokensPerSecond)) tok/s (\(genTokens) tokens)")
            print("decode traffic \(String(format: "%.1f", bytesPerToken / 1e6)) MB/token; read bandwidth \(String(format: "%.1f", bandwidth / 1e9)) GB/s (measured now)")
            print("memory limit   \(String(format: "%.0f", result.bandwidthLimitTokensPerSecond)) tok/s; decode reaches \(String(format: "%.0f", result.bandwidthFraction * 100))% of it")
            print("peak RSS       \(String(format: "%.0f", result.peakResidentMegabytes)) MB (file \(String(format: "%.0f", result.fileMegabytes)) MB)")
        }
    }

    /// BOS (when the model adds one) and then `promptText`'s tokens cycled to `count` tokens.
    static func prompt(tokenizer: Tokenizer, count: Int) -> [TokenID] {
        let text = tokenizer.encode(promptText)
        var tokens = tokenizer.encodePrompt("")
        while tokens.count < count { tokens.append(text[(tokens.count) % text.count]) }
        return tokens
    }

    /// Peak resident set size of this process (Linux reports `ru_maxrss` in kilobytes).
    static func peakResidentMegabytes() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return Double(usage.ru_maxrss) / 1024
    }
}
