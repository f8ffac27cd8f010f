import CoolFusion
import CoolFusionTokenizers

/// A source model that waits at `open` until its `Hold` is released, and otherwise is its inner model:
/// lets a test keep a generation running for exactly as long as it needs, without timing.
struct HeldSourceModel: SourceModel {
    let inner: any SourceModel
    let hold: Hold

    var name: String { inner.name }
    var wordSplitter: any WordSplitter { inner.wordSplitter }

    func open(prompt: String) async throws {
        await hold.arriveAndWait()
        try await inner.open(prompt: prompt)
    }

    func nextSegment(rule: SegmentBoundaryRule, tokenCap: Int) async throws -> SegmentProposal {
        try await inner.nextSegment(rule: rule, tokenCap: tokenCap)
    }

    func assess(_ candidates: [Candidate]) async throws -> [CandidateAssessment] { try await inner.assess(candidates) }

    @discardableResult
    func commit(candidateAt index: Int) async throws -> [TokenID] { try await inner.commit(candidateAt: index) }

    @discardableResult
    func commit(text: String) async throws -> [TokenID] { try await inner.commit(text: text) }

    func committedContinuation() async -> [TokenID] { await inner.committedContinuation() }

    func generateAnswer(maxTokens: Int, stopSequences: [String]) async throws -> GeneratedAnswer {
        try await inner.generateAnswer(maxTokens: maxTokens, stopSequences: stopSequences)
    }

    func encode(_ text: String) -> [TokenID] { inner.encode(text) }
    func decode(_ tokens: [TokenID]) -> String { inner.decode(tokens) }
    func close() async { await inner.close() }
}
