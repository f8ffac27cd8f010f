import CoolFusionEngine
import CoolFusionTokenizers
/// A source model running in this process: one tokenizer and one inference session, driven by the
/// fusion through `SourceModel`. It implements the paper's T1 on top of the session's token-level
/// operations, and the §2.4 economies: tokens generated past a cut are kept and reused if the
/// model's candidate wins; its own candidate is scored from the log-probs it had while generating it;
/// the committed state of a winner is the scored (or generating) state itself, never recomputed.
///
/// State, in tokens of this model:
///   session = prompt + committed + pending[0..<fed]        (fed ≤ pending.count; the rest is fed lazily)
/// where `pending` are tokens generated beyond the committed state (with their log-probs).
///
/// `S` is the inference session (the engine's, or a scripted one in tests), `T` the tokenizer.
///
/// The actor runs on a thread of its own (`ComputeThread`), not on Swift's cooperative pool: its
/// methods are long synchronous model calls, which would otherwise hold the pool's few threads and
/// stall everything else async in the process (a server's health checks, new requests, hang-ups).
public actor LocalSourceModel<S: InferenceSession, T: FusionTokenizer>: SourceModel {
    public nonisolated let name: String
    public nonisolated let tokenizer: T
    public nonisolated var wordSplitter: any WordSplitter { tokenizer }
    /// Where this actor's methods run.
    let computeThread: ComputeThread
    public nonisolated var unownedExecutor: UnownedSerialExecutor { computeThread.asUnownedSerialExecutor() }

    var session: S
    /// Prompt tokens of the current generation (BOS included if any).
    var promptTokens: [TokenID] = []
    /// Tokens committed after the prompt.
    var committed: [TokenID] = []
    /// Generated after the committed state, not yet committed: the start of the next segment.
    var pending: [(token: TokenID, logProb: Float)] = []
    /// This model's last T1 result, with how much of `pending` is exactly its own tokenization.
    var lastProposal: OwnProposal?
    /// Candidates of the last `assess`, and how each one is committed.
    var assessed: [AssessedCandidate] = []
    var assessedCandidates: [Candidate] = []
    /// Set once a final segment was committed.
    var ended = false
    /// Set while the session holds a whole answer past the committed state (`generateAnswer`).
    var answerInSession = false

    /// Tokens generated with the model (greedy steps), over the life of this object.
    public internal(set) var greedySteps = 0

    /// - Parameter session: a fresh session of the model; this actor becomes its only owner.
    public init(name: String, tokenizer: T, session: sending S) {
        self.name = name
        self.tokenizer = tokenizer
        self.session = session
        computeThread = ComputeThread(name: "cf \(name)")
    }

    /// Number of tokens in the committed state (prompt + committed continuation).
    var base: Int { promptTokens.count + committed.count }

    // MARK: M1

    public func open(prompt: String) throws {
        let tokens = tokenizer.encodePrompt(prompt)
        guard !tokens.isEmpty else { throw FusionError.emptyPrompt(model: name) }
        // Keep the cached state of the longest prefix the session already holds, so only the rest
        // is computed: the same prompt again (rerank after cool, scoring an answer after writing it),
        // or a prompt sharing few-shot examples with the previous one (evaluation).
        let held = session.tokens
        var common = 0
        while common < min(held.count, tokens.count), held[common] == tokens[common] { common += 1 }
        if held.count > common, common < tokens.count {
            try session.replace(from: common, with: Array(tokens[common...]))
        } else if held.count > common {
            try session.truncate(to: common)
        } else if common < tokens.count {
            try session.append(Array(tokens[common...]))
        }
        answerInSession = false
        promptTokens = tokens
        committed = []
        pending = []
        lastProposal = nil
        assessed = []
        assessedCandidates = []
        ended = false
    }

    // MARK: state helpers

    /// Feeds whatever of prompt + committed + pending[0..<count - base] the session does not hold
    /// yet (tokens are fed lazily), so the next-token distribution after them is available.
    func feed(upTo count: Int) throws {
        let held = session.tokenCount
        guard held < count else { return }
        // Feeding past the committed state: keep it, since the candidates will be scored from it.
        if held == base { session.checkpoint() }
        let continuation = committed + pending.map(\.token)
        let from = held - promptTokens.count
        try session.append(Array(continuation[from..<(count - promptTokens.count)]))
    }

    /// Greedy next token after committed + pending, counted.
    func generateOne() throws -> (token: TokenID, logProb: Float) {
        try feed(upTo: base + pending.count)
        greedySteps += 1
        return try session.greedyNext()
    }

    /// Forgets pending tokens and returns the session to the committed state with its next-token
    /// distribution available.
    func rollBackToCommitted() throws {
        answerInSession = false
        pending = []
        lastProposal = nil
        if session.tokenCount > base {
            try session.truncate(to: base)
        } else {
            try feed(upTo: base)
        }
    }

    /// This model's tokens for a candidate as scored: its text, plus end-of-generation if final.
    func scoredTokens(of candidate: Candidate) -> [TokenID] {
        var tokens = tokenizer.encodeContinuation(candidate.text)
        if candidate.isFinal, let end = tokenizer.endOfGenerationToken { tokens.append(end) }
        return tokens
    }

    // MARK: M3

    public func assess(_ candidates: [Candidate]) throws -> [CandidateAssessment] {
        try restoreIfAnswered()
        var results = [CandidateAssessment?](repeating: nil, count: candidates.count)
        var plans: [AssessedCandidate] = []
        var toScore: [[TokenID]] = []
        for (index, candidate) in candidates.enumerated() {
            if let own = lastProposal, own.candidate == candidate, let reusable = own.reusableLogProbs {
                // Scored while it was generated: no model call.
                results[index] = CandidateAssessment(logProbs: reusable)
                plans.append(.own(tokenCount: own.reusableTokenCount ?? 0))
                continue
            }
            let tokens = scoredTokens(of: candidate)
            if tokens.isEmpty {
                results[index] = CandidateAssessment(tokenCount: 0, totalNLL: 0)
                plans.append(.empty)
            } else {
                plans.append(.scored(slot: toScore.count, textTokens: tokenizer.encodeContinuation(candidate.text)))
                toScore.append(tokens)
            }
        }
        if !toScore.isEmpty {
            try feed(upTo: base)
            let logProbs = try session.score(toScore, afterPrefixOf: base)
            for (index, plan) in plans.enumerated() {
                if case .scored(let slot, _) = plan {
                    results[index] = CandidateAssessment(logProbs: logProbs[slot])
                }
            }
        }
        assessed = plans
        assessedCandidates = candidates
        return results.map { $0 ?? CandidateAssessment(tokenCount: 0, totalNLL: 0) }
    }

    // MARK: M4

    @discardableResult
    public func commit(candidateAt index: Int) throws -> [TokenID] {
        guard !assessed.isEmpty else { throw FusionError.noAssessment(model: name) }
        guard assessed.indices.contains(index) else {
            throw FusionError.candidateIndexOutOfRange(model: name, index: index, count: assessed.count)
        }
        let plan = assessed[index]
        let isFinal = assessedCandidates[index].isFinal
        assessed = []
        assessedCandidates = []
        let newTokens: [TokenID]
        switch plan {
        case .own(let tokenCount):
            // The generating state already holds these tokens; what follows them stays pending.
            newTokens = pending.prefix(tokenCount).map(\.token)
            committed += newTokens
            pending.removeFirst(tokenCount)
        case .scored(let slot, let textTokens):
            pending = []
            try session.adoptScored(slot)
            newTokens = textTokens
            committed += newTokens
        case .empty:
            try rollBackToCommitted()
            newTokens = []
        }
        lastProposal = nil
        if isFinal {
            // The generation is over; nothing generated after the end is worth keeping.
            ended = true
            pending = []
        }
        return newTokens
    }

    public func committedContinuation() -> [TokenID] { committed }

    // MARK: T2, T3

    public nonisolated func encode(_ text: String) -> [TokenID] { tokenizer.encodeContinuation(text) }

    public nonisolated func decode(_ tokens: [TokenID]) -> String {
        String(decoding: tokenizer.bytes(of: tokens), as: UTF8.self)
    }
}

/// This model's own T1 proposal and what of it can be reused without a model call.
struct OwnProposal {
    var candidate: Candidate
    /// How many leading pending tokens are exactly this model's tokenization of the candidate text;
    /// nil when the generated tokens are not its canonical tokenization (then it is scored normally).
    var reusableTokenCount: Int?
    /// Log-probs of those tokens (plus the end-of-generation token for a final candidate).
    var reusableLogProbs: [Float]?
}

/// How an assessed candidate is committed if it wins.
enum AssessedCandidate {
    /// This model's own proposal: keep the generating state, commit `tokenCount` pending tokens.
    case own(tokenCount: Int)
    /// Scored in temporary state `slot`; commit its text tokens by adopting that state.
    case scored(slot: Int, textTokens: [TokenID])
    /// No tokens for this model (empty final candidate without an end-of-generation token).
    case empty
}
