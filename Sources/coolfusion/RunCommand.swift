import ArgumentParser
import CoolFusionEngine
import CoolFusionTokenizers
import Foundation

/// `coolfusion run --model MODEL PROMPT`: generate a continuation from one model.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Generate text from one model (greedy unless --temperature > 0)."
    )

    @Option(help: "A default model alias (see `coolfusion models list`) or a path to a GGUF file.")
    var model: String

    @Option(help: "Most tokens to generate.")
    var maxTokens = 128

    @Option(help: "Sampling temperature; 0 is greedy.")
    var temperature: Float = 0

    @Option(help: "Sample only among the K most likely tokens (0 = all).")
    var topK = 0

    @Option(help: "Sample only within the smallest set of tokens whose probability reaches P.")
    var topP: Float = 1

    @Option(help: "Seed for sampling.")
    var seed: UInt64 = 0

    @Option(help: "Threads for matrix products (default: one per core).")
    var threads: Int?

    @Flag(help: "Print {\"tokens\", \"text\", \"logprobs\"} as JSON instead of streaming text.")
    var json = false

    @Argument(help: "The prompt (control tokens such as <|im_start|> are recognised).")
    var prompt: String

    struct Output: Encodable {
        let tokens: [TokenID]
        let text: String
        let logprobs: [Float]
    }

    func run() throws {
        guard maxTokens >= 0 else { throw ValidationError("--max-tokens must be ≥ 0") }
        let path = try ModelOptions.path(of: model)
        let engine = try Model(path: path, threads: threads)
        let tokenizer = try Tokenizer(gguf: engine.file)
        var sampler = try Sampler(SamplingParameters(temperature: temperature, topK: topK, topP: topP, seed: seed))
        let vocabulary = tokenizer.vocabulary
        let input = tokenizer.encodePrompt(prompt)
        guard !input.isEmpty else { throw ValidationError("the prompt is empty and the model adds no BOS token") }

        let session = engine.makeSession()
        try session.append(input)
        var stream = StreamingDecoder(tokenizer: tokenizer)
        let generated = try session.generate(maxTokens: maxTokens, sampler: &sampler,
                                             stopTokens: vocabulary.endOfGeneration) { token in
            if !json {
                FileHandle.standardOutput.write(Data(stream.append(token.id).utf8))
            }
            return true
        }
        let ids = generated.map(\.id)
        if json {
            print(try JSONOutput.string(Output(tokens: ids, text: tokenizer.decode(ids),
                                               logprobs: generated.map(\.logProbability))))
        } else {
            print(stream.flush())
        }
    }
}
