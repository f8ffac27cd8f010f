import ArgumentParser
import CoolFusion
import CoolFusionServer
import Foundation

/// `coolfusion chat`: a multi-turn conversation with the fused models in the terminal. Each model
/// reads the conversation in its own chat template; answers stream in segment by segment, coloured
/// by the model that wrote them. Read from a pipe, every line is one turn (or command) and nothing is
/// coloured, so a session can be scripted.
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat with the fused models (each in its own chat template).",
        discussion: """
        Commands: /reset (forget the conversation), /method NAME, /selection RULE, /leader MODEL (who \
        writes in gated fusion), /trace (the last turn's candidates and perplexities), /prompt (each \
        model's prompt of the last turn), /quit. \
        Ctrl-C stops an answer; at the prompt, Ctrl-C twice leaves.
        """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "single | cool | cool-align | rerank | cool+rerank | gated (/method changes it).",
            transform: { text in
                guard let method = FusionMethod(rawValue: text) else { throw ValidationError(ChatCommand.unknownMethod(text)) }
                return method
            })
    var method: FusionMethod = .cool

    @Option(help: "At most this many tokens per answer (any model's own tokens).")
    var maxTokens = 256

    @OptionGroup var selectionOptions: SelectionOptions

    @OptionGroup var gateOptions: GateOptions

    @OptionGroup var samplingOptions: SamplingOptions

    @Flag(help: "Never colour the output.")
    var noColor = false

    func validate() throws {
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be at least 1") }
    }

    static func unknownMethod(_ text: String) -> String {
        "unknown method '\(text)'; use one of " + FusionMethod.allCases.map(\.rawValue).joined(separator: ", ")
    }

    func run() async throws {
        var hosted: [HostedModel] = []
        for name in modelOptions.names() {
            let display = ModelOptions.displayName(name)
            Self.say("loading \(display)\n", to: .standardError)
            hosted.append(try HostedModel(path: try ModelOptions.path(of: name), name: display))
        }
        // Which template each model gets, and the fallback for a model without one.
        for member in hosted {
            let format = member.chatFormat
            let note = format.warning.map { " (\($0))" } ?? ""
            Self.say("\(member.name): \(format.template.displayName) chat template\(note)\n", to: .standardError)
        }
        let names = hosted.map(\.name)
        let gate = try gateOptions.settings(modelNames: names, weightsFile: selectionOptions.weightsFile,
                                            subset: selectionOptions.weightsSubset)
        let options = FusionOptions(method: method, maxTokens: maxTokens, selection: try selectionOptions.rule(modelNames: names),
                                    gate: gate, sampling: samplingOptions.sampling)
        if method == .gated { Self.say("gated fusion: \(names[gate.leader]) leads\n", to: .standardError) }
        var conversation = ChatConversation(models: hosted.map { $0.makeSourceModel() },
                                            templates: hosted.map(\.chatFormat.template), options: options)
        _ = try conversation.decoder()

        let interactive = isatty(STDIN_FILENO) == 1
        let formatter = FusionTraceFormatter(modelNames: names, useColor: !noColor && isatty(STDOUT_FILENO) == 1)
        Self.say(formatter.legend() + "\n", to: .standardError)
        let interrupts = ChatInterrupts(say: { Self.say($0, to: .standardOutput) })
        interrupts.install()
        while true {
            if interactive { Self.say("> ", to: .standardOutput) }
            guard let line = readLine(strippingNewline: true) else { break }
            interrupts.disarm()
            let input = line.trimmingCharacters(in: .whitespaces)
            if input.isEmpty { continue }
            if input.hasPrefix("/") {
                if try handle(command: input, conversation: &conversation, formatter: formatter) { break }
                continue
            }
            await turn(input, conversation: &conversation, formatter: formatter, interrupts: interrupts)
        }
    }

    /// One turn: the answer streams in; Ctrl-C stops it, and a stopped turn is not kept.
    func turn(_ user: String, conversation: inout ChatConversation, formatter: FusionTraceFormatter,
              interrupts: ChatInterrupts) async {
        let decoder: FusionDecoder
        do { decoder = try conversation.decoder() } catch {
            Self.say("error: \(error)\n", to: .standardOutput)
            return
        }
        let prompts = conversation.prompts(adding: user)
        let printer = ChatStreamPrinter(formatter: formatter, stops: conversation.stops,
                                        write: { Self.say($0, to: .standardOutput) })
        let outcome = Outcome()
        let task = Task {
            do {
                outcome.set(.success(try await decoder.generate(prompts: prompts) { printer.receive($0) }))
            } catch {
                outcome.set(.failure(error))
            }
        }
        interrupts.generating(task)
        await task.value
        interrupts.generating(nil)
        switch outcome.value {
        case .success(let result):
            printer.finish(result)
            Self.say("\n", to: .standardOutput)
            conversation.record(user: user, prompts: prompts, result: result)
        case .failure(let error) where error is CancellationError || task.isCancelled:
            Self.say("\n[stopped; this turn is not kept]\n", to: .standardOutput)
        case .failure(let error):
            Self.say("\nerror: \(error)\n", to: .standardOutput)
        case nil:
            Self.say("\nerror: the generation ended without an answer\n", to: .standardOutput)
        }
    }

    /// Runs a `/` command; true for `/quit`.
    func handle(command input: String, conversation: inout ChatConversation, formatter: FusionTraceFormatter) throws -> Bool {
        let parts = input.split(separator: " ", maxSplits: 1).map(String.init)
        let argument = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch parts[0] {
        case "/quit", "/exit":
            return true
        case "/reset":
            conversation.reset()
            Self.say("[conversation reset]\n", to: .standardOutput)
        case "/method":
            guard let method = FusionMethod(rawValue: argument) else {
                Self.say("error: \(Self.unknownMethod(argument))\n", to: .standardOutput)
                return false
            }
            var changed = conversation
            changed.options.method = method
            do {
                _ = try changed.decoder()
                conversation = changed
                let leader = method == .gated ? ", led by \(formatter.modelNames[changed.options.gate.leader])" : ""
                Self.say("[method: \(method.rawValue)\(leader)]\n", to: .standardOutput)
            } catch {
                Self.say("error: \(error); the method stays \(conversation.options.method.rawValue)\n", to: .standardOutput)
            }
        case "/selection":
            var selection = selectionOptions
            selection.selection = argument
            selection.metric = nil
            do {
                conversation.options.selection = try selection.rule(modelNames: formatter.modelNames)
                Self.say("[selection: \(argument)]\n", to: .standardOutput)
            } catch {
                Self.say("error: \(error)\n", to: .standardOutput)
            }
        case "/leader":
            guard let index = formatter.modelNames.firstIndex(of: argument) else {
                Self.say("error: '\(argument)' is not one of the models (\(formatter.modelNames.joined(separator: ", ")))\n",
                         to: .standardOutput)
                return false
            }
            conversation.options.gate.leader = index
            let note = conversation.options.method == .gated ? "" : " (it leads with /method gated)"
            Self.say("[leader: \(argument)\(note)]\n", to: .standardOutput)
        case "/trace":
            guard let result = conversation.lastResult else {
                Self.say("[no answer yet]\n", to: .standardOutput)
                return false
            }
            for (index, segment) in result.segments.enumerated() {
                Self.say(formatter.step(segment, number: index + 1) + "\n", to: .standardOutput)
            }
        case "/prompt":
            guard !conversation.lastPrompts.isEmpty else {
                Self.say("[no answer yet]\n", to: .standardOutput)
                return false
            }
            for (name, prompt) in zip(formatter.modelNames, conversation.lastPrompts) {
                Self.say("--- \(name) ---\n\(prompt)\n", to: .standardOutput)
            }
        default:
            Self.say("error: unknown command \(parts[0]); use /reset, /method NAME, /selection RULE, /leader MODEL, /trace, "
                     + "/prompt or /quit\n",
                     to: .standardOutput)
        }
        return false
    }

    static func say(_ text: String, to handle: FileHandle) {
        handle.write(Data(text.utf8))
    }
}

/// The result of a generation run in its own task (so Ctrl-C can cancel it).
private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Result<FusionResult, any Error>?

    func set(_ value: Result<FusionResult, any Error>) {
        lock.lock()
        defer { lock.unlock() }
        stored = value
    }

    var value: Result<FusionResult, any Error>? {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
