import ArgumentParser
import CoolFusion
import CoolFusionEngine
import CoolFusionLocal
import Foundation

/// `coolfusion generate [--model MODEL]... [--method M] [--max-tokens N] [--stop S]... [--selection RULE]
/// [--weights W,... | --weights-file FILE] [--json] [--trace] PROMPT`:
/// fuse models with the Cool-Fusion decoder (or run a baseline) and print the text.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a continuation of PROMPT by fusing models (Cool-Fusion) or with a baseline method.",
        discussion: """
        Without --model the three default models are used. In a terminal the text is coloured by the \
        model whose segment won each step. Methods: single (one model, greedy), cool (default), \
        cool-align (segments end at the generating model's own word boundary), rerank (whole answers, \
        lowest mean perplexity wins), cool+rerank, gated (a leader writes; where it is unsure, a full \
        fusion step; --leader, --gate-signal, --gate-threshold or a calibrated --weights-file).
        """
    )

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "single | cool | cool-align | rerank | cool+rerank | gated.",
            transform: { text in
                guard let method = FusionMethod(rawValue: text) else {
                    throw ValidationError("unknown method '\(text)'; use one of "
                                          + FusionMethod.allCases.map(\.rawValue).joined(separator: ", "))
                }
                return method
            })
    var method: FusionMethod = .cool

    @Option(help: "Stop once any model has committed this many of its own tokens (whole answers: at most this many).")
    var maxTokens = 128

    @Option(name: .customLong("stop"), help: "Stop where this text first appears (repeatable).")
    var stops: [String] = []

    @Option(help: "At most this many tokens per candidate segment before the fallback cut.")
    var segmentTokenCap = 32

    @OptionGroup var selectionOptions: SelectionOptions

    @OptionGroup var gateOptions: GateOptions

    @Flag(help: "gated: followers in a fused step generate their proposals a pass per token instead of first checking the leader's segment as a draft (the same output in more passes; to measure what the check saves).")
    var noDraftCheck = false

    @OptionGroup var samplingOptions: SamplingOptions

    @Flag(help: "Run the models one after another instead of concurrently (same output).")
    var sequential = false

    @Option(help: ArgumentHelp(
        "Threads of each model's own pool (default: the models share one pool of one thread per core).",
        discussion: """
        With the shared pool one model computes at a time on all cores; with --threads N each model \
        computes on N threads of its own, so the models run side by side.
        """))
    var threads: Int?

    @Flag(help: "Print one JSON object: text, method, models, segments (candidates, perplexities, winner), stats.")
    var json = false

    @Flag(help: "Print every step's candidates and perplexity matrix to standard error.")
    var trace = false

    @Flag(help: "Never colour the output.")
    var noColor = false

    @Flag(help: "Take PROMPT and --stop literally (by default \\n, \\t, \\r, \\\\, \\\" and \\' are unescaped, as llama.cpp does).")
    var noEscape = false

    @Argument(help: "The text to continue.")
    var prompt: String

    func validate() throws {
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be at least 1") }
        guard segmentTokenCap >= 1 else { throw ValidationError("--segment-token-cap must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if method == .single, modelOptions.models.count != 1 {
            throw ValidationError("--method single runs one model: give exactly one --model")
        }
    }

    func run() async throws {
        let engines = try modelOptions.loadSourceModels(threads: threads)
        let sources: [any SourceModel] = engines
        let prompt = noEscape ? self.prompt : Self.unescape(self.prompt)
        let stops = noEscape ? self.stops : self.stops.map(Self.unescape)
        let names = sources.map(\.name)
        let options = FusionOptions(
            method: method, maxTokens: maxTokens, stopSequences: stops, segmentTokenCap: segmentTokenCap,
            selection: try selectionOptions.rule(modelNames: names), concurrent: !sequential,
            gate: try gateOptions.settings(modelNames: names, weightsFile: selectionOptions.weightsFile,
                                           subset: selectionOptions.weightsSubset),
            sampling: samplingOptions.sampling, followersCheckLeaderSegment: !noDraftCheck)
        let decoder = try FusionDecoder(models: sources, options: options)

        let colour = !noColor && !json && isatty(STDOUT_FILENO) == 1
        let formatter = FusionTraceFormatter(modelNames: sources.map(\.name), useColor: colour)
        let traceFormatter = FusionTraceFormatter(modelNames: sources.map(\.name),
                                                  useColor: !noColor && isatty(STDERR_FILENO) == 1)
        if !json { Self.write(formatter.legend() + "\n", to: .standardError) }
        let showTrace = trace
        let stream = !json
        let stepCounter = StepCounter()
        var workBefore: [PassCounter.Counts] = []
        for engine in engines { workBefore.append(await engine.work()) }
        var result = try await decoder.generate(prompt: prompt) { segment in
            if showTrace {
                Self.write(traceFormatter.step(segment, number: stepCounter.next()) + "\n", to: .standardError)
            }
            if stream { Self.write(formatter.colored(segment), to: .standardOutput) }
        }
        var work: [PassCounter.Counts] = []
        var bytesPerPass: [Int] = []
        for (engine, before) in zip(engines, workBefore) {
            work.append(await engine.work().since(before))
            bytesPerPass.append(await engine.weightBytesPerPass())
        }
        result.stats.forwardPasses = work.map(\.passes)
        result.stats.forwardRows = work.map(\.rows)
        result.stats.outputRows = work.map(\.outputRows)
        result.stats.forwardSeconds = work.map(\.seconds)
        result.stats.outputSeconds = work.map(\.outputSeconds)
        result.stats.weightBytesPerPass = bytesPerPass
        if json {
            print(try JSONOutput.string(result))
        } else {
            Self.write("\n", to: .standardOutput)
            Self.write(formatter.summary(result) + "\n", to: .standardError)
        }
    }

    /// Turns the escape sequences a shell leaves in a quoted argument into the characters
    /// (`"Question: ...\\nAnswer:"` gets a real line break); an unknown escape is kept as written.
    static func unescape(_ text: String) -> String {
        var out = ""
        var escaping = false
        for character in text {
            if escaping {
                switch character {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "\\", "\"", "'": out.append(character)
                default: out.append("\\"); out.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                out.append(character)
            }
        }
        if escaping { out.append("\\") }
        return out
    }

    static func write(_ text: String, to handle: FileHandle) {
        handle.write(Data(text.utf8))
    }
}

/// Numbers the steps as the decoder reports them (the callback is called in order, one at a time).
private final class StepCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        return count
    }
}
