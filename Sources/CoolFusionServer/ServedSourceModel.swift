import CoolFusion
import CoolFusionRemote
import CoolFusionTokenizers

/// A source model as one served generation uses it. Works around three things the decoder's API does
/// not offer yet (see the report): each model gets its *own* prompt (its chat template), the
/// generation stops at the next model call once its task is cancelled (client disconnect), and a
/// remote model whose worker fails can be dropped while the others go on.
///
/// A dropped model is neutral: it proposes an empty candidate (which no model can score, so it never
/// wins), scores every candidate as "no tokens" (left out of the mean, `SelectionRule.score`), and
/// commits nothing.
actor ServedSourceModel: SourceModel {
    nonisolated let name: String
    nonisolated let splitter: PackagedWordSplitter
    nonisolated var wordSplitter: any WordSplitter { splitter }
    let inner: any SourceModel
    /// This model's prompt (the conversation in its own chat format), used instead of the decoder's.
    let prompt: String
    /// Set when this model may be dropped after a failure of its worker.
    let ledger: DropLedger?
    private(set) var dropped = false

    init(inner: any SourceModel, splitter: PackagedWordSplitter, prompt: String, ledger: DropLedger?) {
        self.inner = inner
        self.name = inner.name
        self.splitter = splitter
        self.prompt = prompt
        self.ledger = ledger
    }

    func open(prompt _: String) async throws {
        try await guarded(()) { try await inner.open(prompt: prompt) }
    }

    func nextSegment(rule: SegmentBoundaryRule, tokenCap: Int) async throws -> SegmentProposal {
        let abstain = SegmentProposal(candidate: Candidate(text: "", isFinal: false), alignment: .cappedWhole,
                                      tokensGenerated: 0, tokensReused: 0)
        return try await guarded(abstain) { try await inner.nextSegment(rule: rule, tokenCap: tokenCap) }
    }

    func assess(_ candidates: [Candidate]) async throws -> [CandidateAssessment] {
        let none = candidates.map { _ in CandidateAssessment(tokenCount: 0, totalNLL: 0) }
        return try await guarded(none) { try await inner.assess(candidates) }
    }

    @discardableResult
    func commit(candidateAt index: Int) async throws -> [TokenID] {
        try await guarded([]) { try await inner.commit(candidateAt: index) }
    }

    func committedContinuation() async -> [TokenID] {
        dropped ? [] : await inner.committedContinuation()
    }

    func generateAnswer(maxTokens: Int, stopSequences: [String]) async throws -> GeneratedAnswer {
        try await guarded(GeneratedAnswer(text: "", endedByModel: true, tokenCount: 0)) {
            try await inner.generateAnswer(maxTokens: maxTokens, stopSequences: stopSequences)
        }
    }

    nonisolated func encode(_ text: String) -> [TokenID] { inner.encode(text) }
    nonisolated func decode(_ tokens: [TokenID]) -> String { inner.decode(tokens) }

    /// Frees remote state (a worker session) at the end of the generation.
    func close() async {
        if let remote = inner as? RemoteSourceModel { await remote.close() }
    }

    private func guarded<T: Sendable>(_ neutral: T, _ operation: () async throws -> T) async throws -> T {
        try Task.checkCancellation()
        if dropped { return neutral }
        do {
            return try await operation()
        } catch let error as RemoteModelError {
            if Task.isCancelled { throw CancellationError() }
            if let ledger, ledger.drop(name, reason: error.description) {
                dropped = true
                return neutral
            }
            throw error
        }
    }
}
