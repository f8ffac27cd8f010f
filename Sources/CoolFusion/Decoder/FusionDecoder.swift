/// The Cool-Fusion text-generation loop over several source models (paper §2; docs/ARCHITECTURE.md, "The fusion loop"), and
/// the baselines. Holds no model logic: it only talks to `SourceModel`s.
public struct FusionDecoder: Sendable {
    public let models: [any SourceModel]
    public let options: FusionOptions

    public init(models: [any SourceModel], options: FusionOptions = FusionOptions()) throws {
        guard !models.isEmpty else { throw FusionError.noModels }
        guard options.segmentTokenCap >= 1 else { throw FusionError.invalidTokenCap(options.segmentTokenCap) }
        guard options.maxTokens >= 1 else { throw FusionError.invalidMaxTokens(options.maxTokens) }
        if options.method == .single, models.count != 1 { throw FusionError.singleNeedsOneModel(count: models.count) }
        try options.selection.validate(modelCount: models.count)
        try options.sampling.validate()
        if options.method == .gated {
            guard models.indices.contains(options.gate.leader) else {
                throw FusionError.invalidLeader(index: options.gate.leader, models: models.count)
            }
            guard !options.gate.threshold.isNaN else { throw FusionError.invalidGateThreshold(options.gate.threshold) }
        }
        self.models = models
        self.options = options
    }

    /// Generates a continuation of `prompt`. `onSegment` is called as each segment is committed
    /// (for streaming output); the result holds the full trace.
    public func generate(prompt: String,
                         onSegment: (@Sendable (FusionSegment) -> Void)? = nil) async throws -> FusionResult {
        try await generate(prompts: models.map { _ in prompt }, onSegment: onSegment)
    }

    /// Like `generate(prompt:)`, but each model opens with its own prompt, in model order (e.g. one
    /// conversation in each model's own chat template). Cancelling the calling task stops the
    /// generation between steps with `CancellationError`.
    public func generate(prompts: [String],
                         onSegment: (@Sendable (FusionSegment) -> Void)? = nil) async throws -> FusionResult {
        guard prompts.count == models.count else {
            throw FusionError.promptsMismatch(prompts: prompts.count, models: models.count)
        }
        switch options.method {
        case .single: return try await single(prompts: prompts, onSegment: onSegment)
        case .cool, .coolAlign: return try await cool(prompts: prompts, onSegment: onSegment)
        case .rerank: return try await rerank(prompts: prompts, includingCool: false, onSegment: onSegment)
        case .coolPlusRerank: return try await rerank(prompts: prompts, includingCool: true, onSegment: onSegment)
        case .gated: return try await gated(prompts: prompts, onSegment: onSegment)
        }
    }

    /// Runs `body` for every model, concurrently unless disabled, and returns results in model order
    /// (so the outcome never depends on which model finished first).
    func eachModel<T: Sendable>(_ body: @escaping @Sendable (Int, any SourceModel) async throws -> T) async throws -> [T] {
        guard options.concurrent, models.count > 1 else {
            var results: [T] = []
            for (index, model) in models.enumerated() { results.append(try await body(index, model)) }
            return results
        }
        return try await withThrowingTaskGroup(of: (Int, T).self) { group in
            for (index, model) in models.enumerated() {
                group.addTask { (index, try await body(index, model)) }
            }
            var results = [T?](repeating: nil, count: models.count)
            for try await (index, value) in group { results[index] = value }
            return results.compactMap { $0 }
        }
    }

    /// The sampling settings of model `index`: a stream of its own, derived from the seed and its
    /// position, so a model's tokens do not depend on the others' timing.
    func sampling(of index: Int) -> TokenSampling { options.sampling.forModel(index) }

    /// Model names, in index order.
    var modelNames: [String] { models.map(\.name) }
}
