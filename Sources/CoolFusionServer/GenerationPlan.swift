import CoolFusion
import CoolFusionRemote

/// A validated request, ready to run: each model's prompt and the generation's limits.
struct GenerationPlan: Sendable {
    /// One prompt per model (the raw prompt, or the conversation in that model's chat format).
    var prompts: [String]
    /// Each prompt's length in that model's tokens.
    var promptTokens: [Int]
    var maxTokens: Int
    var stop: [String]
    var warnings: [String]
    /// The selection rule: the server's, or the one of the task the request named.
    var selection: any SelectionRule
    /// The gate of `gated`: the server's, or the task's.
    var gate: GateSettings
    /// How the models draw their proposals (greedy unless the request set a temperature).
    var sampling = TokenSampling.greedy
    /// The fusion method: the server's, or the one the request named.
    var method = FusionMethod.cool

    /// Checks the fields every endpoint shares and each model's context.
    static func make(prompts: [String], members: [any FusionMember], maxTokens requested: Int?, stop: [String],
                     model: String?, n: Int?, temperature: Double?, topP: Double?, seed: Int?, task: String?,
                     method: String? = nil, selection: String? = nil, gate gateRequest: GateRequest = GateRequest(),
                     warnings: [String], configuration: ServeConfiguration,
                     budget: RequestSizeBudget) throws -> GenerationPlan {
        if let model, model != configuration.modelName, !members.contains(where: { $0.name == model }) {
            throw APIError(.notFound, "the model '\(model)' does not exist; this server serves '\(configuration.modelName)'",
                           param: "model", code: "model_not_found")
        }
        if let n, n != 1 { throw APIError.badRequest("only n = 1 is supported, got \(n)", param: "n") }
        let sampling = try sampling(temperature: temperature, topP: topP, seed: seed)
        // Remote members generate through their own protocol, which has no sampling settings.
        if !sampling.isGreedy, let remote = members.first(where: \.isRemote) {
            throw APIError.badRequest(SamplingError.unsupported(model: remote.name).description, param: "temperature")
        }
        let maxTokens = requested ?? configuration.defaultMaxTokens
        guard (1...configuration.maximumMaxTokens).contains(maxTokens) else {
            throw APIError.badRequest("max_tokens must be between 1 and \(configuration.maximumMaxTokens), got \(maxTokens)",
                                      param: "max_tokens")
        }
        guard stop.count <= 4 else {
            throw APIError.badRequest("stop takes at most 4 sequences, got \(stop.count)", param: "stop")
        }
        if let empty = stop.firstIndex(where: \.isEmpty) {
            throw APIError.badRequest("stop sequence \(empty) is empty; every stop sequence needs at least one character",
                                      param: "stop")
        }
        // Before any tokenising: a prompt too long in bytes to fit a context is refused as it is.
        for (index, (member, prompt)) in zip(members, prompts).enumerated() where prompt.utf8.count > budget.promptBytes[index] {
            throw APIError(
                .badRequest, "the prompt is \(prompt.utf8.count) bytes, more than the \(budget.promptBytes[index]) bytes that "
                + "can fit the context of \(member.contextLength) tokens of model \(member.name); shorten the prompt",
                param: "prompt", code: "context_length_exceeded")
        }
        var counts: [Int] = []
        for (member, prompt) in zip(members, prompts) {
            let count = member.promptTokenCount(prompt)
            guard count > 0 else { throw APIError.badRequest("the prompt is empty", param: "prompt") }
            guard count + maxTokens <= member.contextLength else {
                throw APIError(
                    .badRequest, "the prompt is \(count) tokens for model \(member.name) and max_tokens is \(maxTokens), more than "
                    + "its context of \(member.contextLength) tokens; shorten the prompt or lower max_tokens",
                    param: "prompt", code: "context_length_exceeded")
            }
            counts.append(count)
        }
        let method = try Self.method(named: method, members: members, configuration: configuration)
        let gate = try gateRequest.settings(
            base: task.flatMap { configuration.taskGates[$0] } ?? configuration.gate, method: method, members: members)
        return GenerationPlan(prompts: prompts, promptTokens: counts, maxTokens: maxTokens, stop: stop, warnings: warnings,
                              selection: try Self.selection(named: selection, task: task, members: members,
                                                            configuration: configuration),
                              gate: gate, sampling: sampling, method: method)
    }

    /// The methods a request may name: every method that fuses (one model alone, `single`, only when
    /// the server has one model).
    static func methods(members: [any FusionMember], configuration: ServeConfiguration) -> [FusionMethod] {
        FusionMethod.allCases.filter { $0 != .single || members.count == 1 || configuration.method == .single }
    }

    /// The request's method (nil: the server's).
    static func method(named name: String?, members: [any FusionMember],
                       configuration: ServeConfiguration) throws -> FusionMethod {
        guard let name else { return configuration.method }
        let allowed = methods(members: members, configuration: configuration)
        guard let method = FusionMethod(rawValue: name), allowed.contains(method) else {
            throw APIError.badRequest("unknown method '\(name)'; this server runs "
                                      + allowed.map(\.rawValue).joined(separator: ", "), param: "method")
        }
        return method
    }

    /// The rule called `name` with the server's weights, checked against its members (what a request
    /// may name, and what the playground offers).
    static func namedRule(_ name: String, members: [any FusionMember],
                          configuration: ServeConfiguration) throws -> any SelectionRule {
        let rule = try SelectionRules.make(name, weights: configuration.selectionWeights)
        try rule.validate(modelCount: members.count)
        return rule
    }

    /// The request's selection rule by name, made with the server's weights (`--weights`,
    /// `--weights-file`); nil: the server's rule, or the task's.
    static func selection(named name: String?, task: String?, members: [any FusionMember],
                          configuration: ServeConfiguration) throws -> any SelectionRule {
        let rule = try selection(task: task, configuration: configuration)
        guard let name else { return rule }
        do {
            return try namedRule(name, members: members, configuration: configuration)
        } catch {
            throw APIError.badRequest("selection '\(name)': \(error)", param: "selection")
        }
    }

    /// The request's sampling settings, each checked with an error naming its field. A negative seed
    /// is taken by its bit pattern, so every integer is a valid seed.
    static func sampling(temperature: Double?, topP: Double?, seed: Int?) throws -> TokenSampling {
        let sampling = TokenSampling(temperature: temperature ?? 0, topP: topP ?? 1,
                                     seed: UInt64(bitPattern: Int64(seed ?? 0)))
        do {
            try sampling.validate()
        } catch {
            switch error {
            case .invalidTemperature: throw APIError.badRequest(error.description, param: "temperature")
            case .invalidTopP: throw APIError.badRequest(error.description, param: "top_p")
            case .unsupported: throw APIError.badRequest(error.description, param: "temperature")
            }
        }
        return sampling
    }

    /// The rule for a request that named `task` (nil: the server's rule).
    static func selection(task: String?, configuration: ServeConfiguration) throws -> any SelectionRule {
        guard let task else { return configuration.selection }
        if let rule = configuration.taskSelections[task] { return rule }
        let known = configuration.taskSelections.keys.sorted()
        guard !known.isEmpty else {
            throw APIError.badRequest("task '\(task)' cannot be used: this server has no per-task weights (start it with "
                                      + "--weights-file from `coolfusion calibrate` on data with a subset per item)", param: "task")
        }
        throw APIError.badRequest("unknown task '\(task)'; this server's tasks: " + known.joined(separator: ", "), param: "task")
    }
}
