import CoolFusion
import CoolFusionTokenizers

/// A source model whose word splitter carries its tokenizer package, so it can take part in a fusion
/// with remote models (they need every model's splitter by digest). Forwards every operation.
public struct PackagedSourceModel: SourceModel {
    public let inner: any SourceModel
    public let splitter: PackagedWordSplitter

    public init(_ inner: any SourceModel, splitter: PackagedWordSplitter) {
        self.inner = inner
        self.splitter = splitter
    }

    public var name: String { inner.name }
    public var wordSplitter: any WordSplitter { splitter }

    public func open(prompt: String) async throws { try await inner.open(prompt: prompt) }
    public func open(prompt: String, sampling: TokenSampling) async throws {
        try await inner.open(prompt: prompt, sampling: sampling)
    }

    public func prefill() async throws { try await inner.prefill() }

    public func nextSegment(rule: SegmentBoundaryRule, tokenCap: Int) async throws -> SegmentProposal {
        try await inner.nextSegment(rule: rule, tokenCap: tokenCap)
    }

    public func nextSegment(rule: SegmentBoundaryRule, tokenCap: Int, draft: Candidate) async throws -> SegmentProposal {
        try await inner.nextSegment(rule: rule, tokenCap: tokenCap, draft: draft)
    }

    public func assess(_ candidates: [Candidate]) async throws -> [CandidateAssessment] {
        try await inner.assess(candidates)
    }

    @discardableResult
    public func commit(candidateAt index: Int) async throws -> [TokenID] {
        try await inner.commit(candidateAt: index)
    }

    @discardableResult
    public func commit(text: String) async throws -> [TokenID] { try await inner.commit(text: text) }

    public func committedContinuation() async -> [TokenID] { await inner.committedContinuation() }

    public func generateAnswer(maxTokens: Int, stopSequences: [String]) async throws -> GeneratedAnswer {
        try await inner.generateAnswer(maxTokens: maxTokens, stopSequences: stopSequences)
    }

    public func encode(_ text: String) -> [TokenID] { inner.encode(text) }
    public func decode(_ tokens: [TokenID]) -> String { inner.decode(tokens) }
}
