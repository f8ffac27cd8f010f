import ArgumentParser
import CoolFusion
import CoolFusionGGUF
import CoolFusionRemote
import CoolFusionServer
import Foundation

/// `coolfusion serve [--model MODEL]... [--worker URL]... [--engine URL --engine-tokenizer MODEL]...`:
/// the fused models as one OpenAI-compatible model named `coolfusion`.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the fused models as one OpenAI-compatible model (coolfusion).",
        discussion: """
        Models are fused in the order: --model, then --worker, then --engine. Without any, the three \
        default models are loaded. Endpoints: POST /v1/completions, POST /v1/chat/completions (stream: true \
        gives server-sent events, one per committed segment), GET /v1/models, GET /health. With a \
        --weights-file holding per-task accuracies, a request may add "task": "NAME" to be selected with \
        that task's weights.
        """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .customLong("worker"), help: "URL of a `coolfusion worker` (repeatable).")
    var workers: [String] = []

    @Option(name: .customLong("engine"), help: "URL of an OpenAI-compatible engine that returns prompt logprobs (vLLM, SGLang, llama.cpp's server; docs/ENGINES.md); repeatable.")
    var engines: [String] = []

    @Option(name: .customLong("engine-tokenizer"), help: "The tokenizer of each --engine, in order: alias or GGUF path.")
    var engineTokenizers: [String] = []

    @Option(name: .customLong("engine-model"), help: "The model name to request from each --engine, in order (default: its first).")
    var engineModels: [String] = []

    @OptionGroup var listen: ListenOptions

    @OptionGroup var gateOptions: GateOptions

    @Option(help: "cool | cool-align | rerank | cool+rerank | gated | single.",
            transform: { text in
                guard let method = FusionMethod(rawValue: text) else {
                    throw ValidationError("unknown method '\(text)'")
                }
                return method
            })
    var method: FusionMethod = .cool

    @Option(help: "At most this many tokens per candidate segment.")
    var segmentTokenCap = 32

    @Option(help: "Generations running at once.")
    var concurrency = 1

    @Option(help: "Requests allowed to wait for a generation; beyond this the server answers 503.")
    var queue = 8

    @Option(help: "max_tokens when a request gives none.")
    var defaultMaxTokens = 256

    @Option(help: "The largest max_tokens a request may ask for.")
    var maxTokensLimit = 4096

    @Option(help: "Seconds to wait for any one worker call.")
    var workerTimeout = 60.0

    @Flag(help: "Keep fusing without a worker that fails (and say so in cool_fusion.dropped_models) instead of ending the request.")
    var dropFailedWorkers = false

    @Flag(help: "Run the models one after another instead of concurrently.")
    var sequential = false

    @OptionGroup var selectionOptions: SelectionOptions

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard queue >= 0 else { throw ValidationError("--queue must be at least 0") }
        guard segmentTokenCap >= 1 else { throw ValidationError("--segment-token-cap must be at least 1") }
        guard maxTokensLimit >= 1, (1...maxTokensLimit).contains(defaultMaxTokens) else {
            throw ValidationError("--default-max-tokens must be between 1 and --max-tokens-limit")
        }
        guard workerTimeout > 0 else { throw ValidationError("--worker-timeout must be positive") }
        guard engineTokenizers.count == engines.count else {
            throw ValidationError("give one --engine-tokenizer per --engine (\(engines.count) engines, \(engineTokenizers.count) tokenizers)")
        }
        guard engineModels.isEmpty || engineModels.count == engines.count else {
            throw ValidationError("give no --engine-model, or one per --engine")
        }
        if method == .single, modelOptions.models.count + workers.count + engines.count != 1 {
            throw ValidationError("--method single serves exactly one model")
        }
    }

    func run() async throws {
        var members: [any FusionMember] = []
        for name in modelOptions.names(defaults: workers.isEmpty && engines.isEmpty) {
            members.append(try HostedModel(path: try ModelOptions.path(of: name), name: ModelOptions.displayName(name),
                                           contextLength: listen.contextLength))
        }
        let timeout = Duration.milliseconds(Int(workerTimeout * 1000))
        for url in workers {
            members.append(try await RemoteWorker.connect(url: url, timeout: timeout))
        }
        for (index, url) in engines.enumerated() {
            let path = try ModelOptions.path(of: engineTokenizers[index])
            let package = TokenizerPackage.extract(from: try GGUFFile(path: path))
            // Named by its tokenizer's alias (the model), not by the engine's model id, which for
            // llama.cpp's server is the file's path; by URL too when that name is taken.
            var name = ModelOptions.displayName(engineTokenizers[index])
            if members.contains(where: { $0.name == name }) { name += "@\(url)" }
            let engine = try await OpenAICompatibleEngine.connect(
                url: url, package: package, model: engineModels.isEmpty ? nil : engineModels[index], name: name,
                timeout: timeout)
            members.append(engine)
        }
        var configuration = ServeConfiguration()
        configuration.method = method
        configuration.segmentTokenCap = segmentTokenCap
        configuration.concurrency = concurrency
        configuration.queueLimit = queue
        configuration.defaultMaxTokens = defaultMaxTokens
        configuration.maximumMaxTokens = maxTokensLimit
        configuration.dropFailedWorkers = dropFailedWorkers
        configuration.concurrentModels = !sequential
        configuration.selection = try selectionOptions.rule(modelNames: members.map(\.name))
        configuration.selectionWeights = try selectionOptions.weights(modelNames: members.map(\.name))
        configuration.taskSelections = try selectionOptions.taskRules(modelNames: members.map(\.name))
        let names = members.map(\.name)
        configuration.gate = try gateOptions.settings(modelNames: names, weightsFile: selectionOptions.weightsFile,
                                                      subset: selectionOptions.weightsSubset)
        for task in configuration.taskSelections.keys where gateOptions.leader == nil {
            configuration.taskGates[task] = try gateOptions.settings(modelNames: names,
                                                                     weightsFile: selectionOptions.weightsFile, subset: task)
        }
        if !configuration.taskSelections.isEmpty {
            let tasks = configuration.taskSelections.keys.sorted().joined(separator: ", ")
            FileHandle.standardError.write(Data("per-task weights for requests with \"task\": \(tasks)\n".utf8))
        }
        let server = try FusionServer(members: members, configuration: configuration)
        // Which chat template each member's conversations are written in (chat completions), and the
        // fallback for a model without one.
        for member in members {
            let format = member.chatFormat
            FileHandle.standardError.write(Data("\(member.name): \(format.template.displayName) chat template\n".utf8))
        }
        for warning in server.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        try await listen.run(server.makeRouter(), defaultPort: 8100, serverName: "coolfusion",
                             what: "serve (\(names.joined(separator: " + ")))")
    }
}
