import CoolFusionTokenizers
/// One source model as the fusion sees it: the worker API of the paper's Table 1.
///
/// The decoder only talks to this protocol, so a model running in this process
/// (`LocalSourceModel` over the engine) and a model behind HTTP are interchangeable. Methods are
/// `async` so the decoder can run every model's step concurrently (paper §2.4); a conforming type
/// is normally an actor that owns the model's state.
///
/// State protocol: `open` sets the committed state to the prompt. Each step the decoder calls
/// `nextSegment` (T1), then `assess` with the step's distinct candidates (M3, all from the committed
/// state, temporary states kept), then `commit(candidateAt:)` with the index of the winner (M4,
/// adopting the kept state); or, for a model that was not consulted, `commit(text:)` with the text
/// committed meanwhile. `generateAnswer` writes a whole answer without changing the committed state.
///
/// To fuse a backend of one's own: implement `InferenceSession` over it and wrap it in a
/// `LocalSourceModel` (which brings T1 and the reuse of generated tokens), or implement this protocol
/// directly for a backend that keeps no token state (see docs/ARCHITECTURE.md, "Use as a library").
public protocol SourceModel: Sendable {
    /// A short display name (e.g. the model alias).
    var name: String { get }
    /// This model's tokenizer's word splitting, handed to the other models for their T1.
    var wordSplitter: any WordSplitter { get }

    /// M1: start a new generation with `prompt` as context (encoded the model's own way, BOS included
    /// if its tokenizer wants one). Discards all previous state. The model may defer reading the
    /// prompt until its state is next used (then in one pass with what follows it).
    func open(prompt: String) async throws

    /// Reads now whatever of the committed state (prompt, committed text) `open` and `commit(text:)`
    /// deferred, so that the next call does not pay for it (an evaluation reading an item's prompt
    /// before timing its columns). The default does nothing.
    func prefill() async throws

    /// M1 with sampled proposals: like `open(prompt:)`, but T1 (and whole answers) draw tokens with
    /// `sampling` from a generator seeded afresh here, so the same settings give the same text. The
    /// default opens greedily and refuses other settings (`SamplingError.unsupported`).
    func open(prompt: String, sampling: TokenSampling) async throws

    /// T1: generate greedily from the committed state (reusing tokens kept from the previous step)
    /// until the text can be cut at a boundary allowed by `rule`, or `tokenCap` tokens are reached.
    func nextSegment(rule: SegmentBoundaryRule, tokenCap: Int) async throws -> SegmentProposal

    /// T1 when another model's segment from the same committed state is known (a gated follower, the
    /// leader's segment in hand): the same proposal as `nextSegment(rule:tokenCap:)`, but the model may
    /// use `draft` to spare work: check it in one pass as speculative decoding does, and keep its
    /// log-probabilities for `assess`. The default ignores the draft.
    func nextSegment(rule: SegmentBoundaryRule, tokenCap: Int, draft: Candidate) async throws -> SegmentProposal

    /// M3: score every candidate from the committed state with this model's own tokenization
    /// (no BOS). Keeps one temporary state per candidate until the next `commit` or `open`.
    func assess(_ candidates: [Candidate]) async throws -> [CandidateAssessment]

    /// M4: append the candidate at `index` (of the last `assess` call) to the committed state by
    /// adopting its temporary state. Returns the committed tokens past those held before the call.
    ///
    /// The committed tokens stay this model's own tokenization of the whole committed text: where the
    /// new text joins the old in a way the tokenizer reads as one word (a boundary found before one
    /// continuation need not be one before another), the end of the old text is tokenized again.
    @discardableResult
    func commit(candidateAt index: Int) async throws -> [TokenID]

    /// M4 for text this model did not assess (another model wrote it while this one was not
    /// consulted, as in gated fusion): appends its own tokenization of `text` to the committed state
    /// and returns the committed tokens past those held before (as `commit(candidateAt:)`, the end of
    /// the old text is tokenized again where the junction is not a word boundary). The model may defer
    /// the computation until its state is next used (then it runs in one batched pass).
    @discardableResult
    func commit(text: String) async throws -> [TokenID]

    /// Tokens committed after the prompt so far (the continuation, in this model's tokens).
    func committedContinuation() async -> [TokenID]

    /// Greedy generation of a whole answer from the committed state, up to `maxTokens` tokens or a
    /// stop sequence; the committed state is unchanged afterwards.
    func generateAnswer(maxTokens: Int, stopSequences: [String]) async throws -> GeneratedAnswer

    /// T2: this model's tokens for `text` (no BOS).
    func encode(_ text: String) -> [TokenID]
    /// T3: the text of `tokens` (bytes joined; invalid UTF-8 replaced).
    func decode(_ tokens: [TokenID]) -> String

    /// Frees what the model holds for the generation (e.g. a worker's session) once it is done or
    /// abandoned. The decoder never calls it: whoever made the model does. The default does nothing.
    func close() async
}

// Defaults for the requirements a simple conformer can leave out. A conformer that implements one of
// them should declare it `async` (as the requirement is): Swift resolves a direct call on the concrete
// type from async code to the async candidate, so a synchronous own version would be passed over for
// the default there (it once made workers ignore the leader's draft), while calls through the protocol
// would still reach it.
extension SourceModel {
    public func close() async {}

    public func prefill() async throws {}

    public func nextSegment(rule: SegmentBoundaryRule, tokenCap: Int, draft: Candidate) async throws -> SegmentProposal {
        try await nextSegment(rule: rule, tokenCap: tokenCap)
    }

    public func open(prompt: String, sampling: TokenSampling) async throws {
        guard sampling.isGreedy else { throw SamplingError.unsupported(model: name) }
        try await open(prompt: prompt)
    }

    /// T2: this model's words of `text` as UTF-8 byte ranges.
    public func words(_ text: String) -> [Range<Int>] { wordSplitter.wordRanges(in: text) }
}
