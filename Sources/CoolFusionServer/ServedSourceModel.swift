import CoolFusion
import CoolFusionRemote
import CoolFusionTokenizers

/// A source model as one served generation uses it: the generation stops at the next model call once
/// its task is cancelled (client disconnect), and a remote model whose worker fails can be dropped
/// while the others go on (`--drop-failed-workers`).
///
/// A dropped model is neutral: it proposes an empty candidate (which no model can score, so it never
/// wins), scores every candidate as "no tokens" (left out of the mean, `SelectionRule.score`), and
/// commits nothing. The models still working leave its word boundaries out of their segment cuts, so
/// after a drop the fusion goes on exactly as the remaining models' own fusion would.
actor ServedSourceModel: SourceModel {
    nonisolated let name: String
    nonisolated let splitter: PackagedWordSplitter
    nonisolated var wordSplitter: any WordSplitter { splitter }
    let inner: any SourceModel
    /// This model's position in the fusion.
    let index: Int
    /// The generation's record of dropped models (shared by all its models).
    let ledger: DropLedger
    /// Whether this model may be dropped after a failure of its worker.
    let mayDrop: Bool
    private(set) var dropped = false

    init(inner: any SourceModel, index: Int, splitter: PackagedWordSplitter, ledger: DropLedger, mayDrop: Bool) {
        self.inner = inner
        self.name = inner.name
        self.index = index
        self.splitter = splitter
        self.ledger = ledger
        self.mayDrop = mayDrop
    }

    func open(prompt: String) async throws {
        try await guarded(()) { try await inner.open(prompt: prompt) }
    }

    func open(prompt: String, sampling: TokenSampling) async throws {
        try await guarded(()) { try await inner.open(prompt: prompt, sampling: sampling) }
    }

    func prefill() async throws {
        try await guarded(()) { try await inner.prefill() }
    }

    func nextSegment(rule: SegmentBoundaryRule, tokenCap: Int) async throws -> SegmentProposal {
        let rule = Self.withoutDropped(rule, ledger.droppedIndices)
        return try await guarded(Self.abstention) { try await inner.nextSegment(rule: rule, tokenCap: tokenCap) }
    }

    func nextSegment(rule: SegmentBoundaryRule, tokenCap: Int, draft: Candidate) async throws -> SegmentProposal {
        let rule = Self.withoutDropped(rule, ledger.droppedIndices)
        return try await guarded(Self.abstention) { try await inner.nextSegment(rule: rule, tokenCap: tokenCap, draft: draft) }
    }

    /// The proposal of a dropped member: an empty candidate, which no rule lets win.
    private static let abstention = SegmentProposal(candidate: Candidate(text: "", isFinal: false), alignment: .cappedWhole,
                                                    tokensGenerated: 0, tokensReused: 0)

    func assess(_ candidates: [Candidate]) async throws -> [CandidateAssessment] {
        let none = candidates.map { _ in CandidateAssessment(tokenCount: 0, totalNLL: 0) }
        return try await guarded(none) { try await inner.assess(candidates) }
    }

    @discardableResult
    func commit(candidateAt index: Int) async throws -> [TokenID] {
        try await guarded([]) { try await inner.commit(candidateAt: index) }
    }

    @discardableResult
    func commit(text: String) async throws -> [TokenID] {
        try await guarded([]) { try await inner.commit(text: text) }
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

    /// Frees the inner model's state (a worker session) at the end of the generation.
    func close() async { await inner.close() }

    /// `rule` with the dropped models' splitters left out (and the own index moved accordingly).
    static func withoutDropped(_ rule: SegmentBoundaryRule, _ dropped: Set<Int>) -> SegmentBoundaryRule {
        guard !dropped.isEmpty else { return rule }
        let kept = rule.splitters.indices.filter { !dropped.contains($0) }
        let ownIndex = rule.ownIndex - dropped.filter { $0 < rule.ownIndex }.count
        return SegmentBoundaryRule(splitters: kept.map { rule.splitters[$0] }, ownIndex: ownIndex,
                                   ownBoundariesOnly: rule.ownBoundariesOnly, stop: rule.stop)
    }

    private func guarded<T: Sendable>(_ neutral: T, _ operation: () async throws -> T) async throws -> T {
        try Task.checkCancellation()
        if dropped { return neutral }
        do {
            return try await operation()
        } catch let error as RemoteModelError {
            if Task.isCancelled { throw CancellationError() }
            if mayDrop, ledger.drop(index, name: name, reason: error.description) {
                dropped = true
                return neutral
            }
            throw error
        }
    }
}
