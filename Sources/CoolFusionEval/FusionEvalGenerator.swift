import CoolFusion

/// The real generator: the fusion decoder over source models (local engine models, or remote ones).
///
/// `single` columns run one model alone; the other methods run all models. After generating, every
/// model scores the output from the prompt (the paper's M3 on the whole output, end-of-generation
/// included when the output ended that way), so every column gets every model's perplexity.
///
/// Method options: `selection=RULE` (the winner rule: `paper` (= `ppl`, Eq. 3), `logppl`, `weighted`,
/// `vote`, `median`, `majority[+RULE]`; see `SelectionRules`), `weights=W1/W2/...` (one positive weight
/// per model) or `weights-file=PATH` (a `coolfusion calibrate` file; models matched by name),
/// `per-subset=yes` (with `weights-file`: each item is weighted by the models' accuracies on its own
/// subset of the development set), `cap=N` (tokens per candidate segment); for `gated`, `leader=NAME`,
/// `signal=top-probability|margin|entropy` and `threshold=X` (else from the weights file's gate
/// calibration, else the first model and the top-probability signal's default).
public struct FusionEvalGenerator: EvalGenerator {
    public let models: [any SourceModel]
    /// Tokens per candidate segment before the fallback cut, unless a method's `cap` option says otherwise.
    public var segmentTokenCap: Int
    /// Run the models' steps concurrently (same output as sequential).
    public var concurrent: Bool
    /// The weight bytes every model has streamed so far, read before and after each generation for
    /// `Generation.weightBytes` (e.g. `EngineSourceModel.weightBytesStreamed(by:)`); nil: not measured.
    public var workMeter: (@Sendable () async -> Double)?
    /// The leader of a gated column that neither names one nor reads one from a calibration (an index
    /// into the models; `coolfusion eval` sets Qwen2.5's for the default models). Default: the first.
    public var defaultGateLeader = 0

    public init(models: [any SourceModel], segmentTokenCap: Int = 32, concurrent: Bool = true) throws {
        guard !models.isEmpty else { throw EvalError.noModels }
        self.models = models
        self.segmentTokenCap = segmentTokenCap
        self.concurrent = concurrent
    }

    public var modelNames: [String] { models.map(\.name) }

    public func validate(_ method: MethodSpec) throws {
        let (decoderModels, options) = try configuration(for: method, maxTokens: 1, stopSequences: [], subset: nil,
                                                         checkingOptions: true)
        _ = try FusionDecoder(models: decoderModels, options: options)
    }

    public func generate(_ request: GenerationRequest) async throws -> Generation {
        let (decoderModels, options) = try configuration(for: request.method, maxTokens: request.maxTokens,
                                                         stopSequences: request.stopSequences, subset: request.subset)
        let decoder = try FusionDecoder(models: decoderModels, options: options)
        let result: FusionResult
        var reusedSeconds = 0.0
        var reusedSteps = 0
        var reusedBytes: Double? = 0
        let workBefore = await workMeter?()
        var knownPerplexities: [String: Double]?
        if let (inputs, earlier) = reusableAnswers(for: request) {
            // Greedy answers are deterministic, so the earlier columns' answers are exactly the ones
            // rerank would write, and their recorded perplexities are the ones it would compute; the
            // cost they took is counted as this column's too.
            result = try await decoder.rerank(prompt: request.prompt, reusing: inputs)
            reusedSeconds = earlier.map(\.seconds).reduce(0, +)
            reusedSteps = earlier.map(\.generatedTokens).reduce(0, +)
            reusedBytes = Statistics.total(earlier.map(\.weightBytes))
            if let winner = result.segments.first?.winner, earlier.indices.contains(winner) {
                knownPerplexities = earlier[winner].perplexities
            }
        } else {
            result = try await decoder.generate(prompt: request.prompt)
        }
        let workAfter = await workMeter?()
        var weightBytes: Double?
        if let workBefore, let workAfter, let reusedBytes { weightBytes = workAfter - workBefore + reusedBytes }
        let perplexities: [String: Double]
        if let knownPerplexities {
            perplexities = knownPerplexities
        } else {
            perplexities = try await outputPerplexities(
                prompt: request.prompt, output: Candidate(text: result.text, isFinal: result.stats.stopReason == .endOfGeneration))
        }
        var outputTokens: [String: Int] = [:]
        for (name, count) in zip(result.models, result.stats.committedTokens) { outputTokens[name] = count }
        let stepwise = [.cool, .coolAlign, .gated].contains(options.method)
        return Generation(text: result.text, outputTokens: outputTokens,
                          generatedTokens: result.stats.tokensGenerated.reduce(0, +) + reusedSteps,
                          seconds: result.stats.seconds + reusedSeconds,
                          perplexities: perplexities, stopReason: result.stats.stopReason.rawValue,
                          segments: stepwise ? result.stats.segments : nil, fusedSegments: result.stats.fusedSegments,
                          gate: options.method == .gated ? result.segments.compactMap(\.gate) : nil,
                          weightBytes: weightBytes)
    }

    /// For `rerank` and `cool+rerank`: the answers the same item's `single` columns (and the `cool`
    /// column with the same options) already wrote, or nil if any is missing.
    func reusableAnswers(for request: GenerationRequest) -> (RerankInputs, [Generation])? {
        let method = request.method
        guard method.buildsOnOtherColumns else { return nil }
        var earlier: [Generation] = []
        for name in modelNames {
            guard let answer = request.earlier[MethodSpec(method: "single", model: name).id] else { return nil }
            earlier.append(answer)
        }
        let answers = earlier.map(Self.answer)
        var cool: GeneratedAnswer?
        if method.method == "cool+rerank" {
            guard let coolAnswer = request.earlier[MethodSpec(method: "cool", options: method.options).id] else { return nil }
            earlier.append(coolAnswer)
            cool = Self.answer(coolAnswer)
        }
        // Every model's perplexity of every answer, as the columns recorded them, if all are known.
        var assessments: [[CandidateAssessment]]? = []
        for generation in earlier {
            let row = modelNames.compactMap { generation.perplexities[$0] }
            guard row.count == modelNames.count else { assessments = nil; break }
            assessments?.append(row.map { CandidateAssessment(knownPerplexity: $0) })
        }
        return (RerankInputs(answers: answers, cool: cool, assessments: assessments), earlier)
    }

    /// The `per-subset` option: yes/true or no/false (absent: no).
    static func perSubset(_ method: MethodSpec) throws -> Bool {
        guard let value = method.options["per-subset"] else { return false }
        switch value.lowercased() {
        case "yes", "true": return true
        case "no", "false": return false
        default:
            throw EvalError.badMethodOptionValue(method: method.id, key: "per-subset", value: value, expected: "yes or no")
        }
    }

    static func answer(_ generation: Generation) -> GeneratedAnswer {
        GeneratedAnswer(text: generation.text, endedByModel: generation.stopReason == StopReason.endOfGeneration.rawValue,
                        tokenCount: generation.generatedTokens)
    }

    /// Every model opens `prompt`, so the part after what it held (the item's own question, after
    /// few-shot examples it shares with the previous item) is computed here, not in the first column
    /// that happens to run. Each column then starts from exactly the prompt (the output scoring that
    /// ends a column leaves every model there), and its seconds are the generation's alone.
    public func readPrompt(_ prompt: String) async throws {
        _ = try await eachModel { model in
            try await model.open(prompt: prompt)
            try await model.prefill()
        }
    }

    /// Every model's perplexity of `output` after `prompt`; models that cannot score it are left out.
    func outputPerplexities(prompt: String, output: Candidate) async throws -> [String: Double] {
        let scored = try await eachModel { model in (model.name, try await Self.perplexity(of: output, after: prompt, by: model)) }
        var result: [String: Double] = [:]
        for case let (name, value?) in scored where value.isFinite { result[name] = value }
        return result
    }

    /// Runs `body` on every model, concurrently unless `concurrent` is off; results in any order.
    private func eachModel<T: Sendable>(_ body: @escaping @Sendable (any SourceModel) async throws -> T) async throws -> [T] {
        guard concurrent else {
            var results: [T] = []
            for model in models { results.append(try await body(model)) }
            return results
        }
        return try await withThrowingTaskGroup(of: T.self) { group in
            for model in models { group.addTask { try await body(model) } }
            var results: [T] = []
            for try await result in group { results.append(result) }
            return results
        }
    }

    static func perplexity(of output: Candidate, after prompt: String, by model: any SourceModel) async throws -> Double? {
        try await model.open(prompt: prompt)
        return try await model.assess([output]).first?.perplexity
    }

    /// The models and decoder options a column runs with, for an item of `subset`
    /// (`checkingOptions`: before any item, so no subset yet).
    func configuration(for method: MethodSpec, maxTokens: Int, stopSequences: [String], subset: String?,
                       checkingOptions: Bool = false) throws -> (models: [any SourceModel], options: FusionOptions) {
        guard let fusionMethod = FusionMethod(rawValue: method.method) else {
            throw EvalError.unknownMethod(method.method, valid: MethodSpec.baseMethods)
        }
        var decoderModels = models
        if fusionMethod == .single {
            let name = method.model ?? ""
            guard let model = models.first(where: { $0.name == name }) else {
                throw EvalError.unknownModel(method: method.id, model: name, models: modelNames)
            }
            decoderModels = [model]
        }
        var ruleName = "paper"
        var weights: [Double]?
        var cap = segmentTokenCap
        let perSubset = try Self.perSubset(method)
        var gate = try gateSettings(for: method, subset: perSubset ? subset : nil)
        for (key, value) in method.options.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "selection":
                ruleName = value
            case "weights":
                let parsed = value.split(separator: "/").compactMap { Double($0) }
                guard parsed.count == value.split(separator: "/").count, parsed.count == decoderModels.count else {
                    throw EvalError.badMethodOptionValue(method: method.id, key: key, value: value,
                                                         expected: "\(decoderModels.count) numbers separated by /")
                }
                weights = parsed
            case "weights-file":
                guard method.options["weights"] == nil else {
                    throw EvalError.badMethodOptionValue(method: method.id, key: key, value: value,
                                                         expected: "either weights or weights-file, not both")
                }
                weights = try CalibratedWeights.load(path: value)
                    .weights(for: decoderModels.map(\.name), subset: perSubset ? subset : nil, path: value)
            case "per-subset":
                guard perSubset else { break }
                guard method.options["weights-file"] != nil else {
                    throw EvalError.badMethodOptionValue(method: method.id, key: key, value: value,
                                                         expected: "per-subset weights come from a weights-file; give one")
                }
                if subset == nil, !checkingOptions {
                    throw EvalError.badMethodOptionValue(method: method.id, key: key, value: value,
                                                         expected: "items with a `subset` field (this item has none)")
                }
            case "leader", "threshold", "signal":
                guard fusionMethod == .gated else {
                    throw EvalError.badMethodOptionValue(method: method.id, key: key, value: value,
                                                         expected: "a gated column (gated:\(key)=...)")
                }
            case "cap":
                guard let number = Int(value), number >= 1 else {
                    throw EvalError.badMethodOptionValue(method: method.id, key: key, value: value, expected: "a whole number ≥ 1")
                }
                cap = number
            default:
                throw EvalError.unsupportedMethodOption(method: method.id, key: key)
            }
        }
        let selection: any SelectionRule
        do {
            selection = try SelectionRules.make(ruleName, weights: weights)
        } catch SelectionError.unknownRule {
            throw EvalError.badMethodOptionValue(method: method.id, key: "selection", value: ruleName,
                                                 expected: SelectionRules.help)
        } catch let error as SelectionError {
            throw EvalError.badMethodOptionValue(method: method.id, key: "selection", value: ruleName,
                                                 expected: "a rule that fits the weights (\(error))")
        }
        if fusionMethod != .gated { gate = GateSettings() }
        let options = FusionOptions(method: fusionMethod, maxTokens: maxTokens, stopSequences: stopSequences,
                                    segmentTokenCap: cap, selection: selection, concurrent: concurrent, gate: gate)
        return (decoderModels, options)
    }

    /// A gated column's leader, signal and threshold: each from the column's options (`leader=NAME`,
    /// `signal=S`, `threshold=X`) if given, else from its weights file's gate calibration (the item's
    /// subset's with `per-subset=yes`), else `defaultGateLeader`, the top-probability signal and its default.
    func gateSettings(for method: MethodSpec, subset: String?) throws -> GateSettings {
        var gate = GateSettings(leader: defaultGateLeader)
        if let path = method.options["weights-file"], method.method == "gated",
           let calibrated = try CalibratedWeights.load(path: path).gateSettings(for: modelNames, subset: subset, path: path) {
            gate = calibrated
        }
        if let name = method.options["leader"] {
            guard let index = modelNames.firstIndex(of: name) else {
                throw EvalError.unknownModel(method: method.id, model: name, models: modelNames)
            }
            gate.leader = index
        }
        if let value = method.options["signal"] {
            guard let signal = GateSignal(rawValue: value) else {
                throw EvalError.badMethodOptionValue(method: method.id, key: "signal", value: value,
                                                     expected: GateSignal.allCases.map(\.rawValue).joined(separator: ", "))
            }
            if signal != gate.signal, method.options["threshold"] == nil { gate.threshold = signal.defaultThreshold }
            gate.signal = signal
        }
        if let value = method.options["threshold"] {
            guard let threshold = Double(value), !threshold.isNaN else {
                throw EvalError.badMethodOptionValue(method: method.id, key: "threshold", value: value, expected: "a number")
            }
            gate.threshold = threshold
        }
        return gate
    }
}
