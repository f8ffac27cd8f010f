import CoolFusion
import CoolFusionEngine
import CoolFusionTokenizers

/// The engine's `Session` seen as an `InferenceSession`: the fusion's M1–M4 on a real KV cache.
/// Candidate states share the cached prefix (forks, no copy); adopting the winner recomputes nothing
/// (when no candidate needed a scoring pass, the winner's single token is fed with the next pass).
public final class EngineSession: InferenceSession {
    private let session: Session
    /// For each candidate of the last `score` call: its state after the candidate, or a state before
    /// its one token and that token (computed only if it wins).
    private var pendingAdoption: [(state: Session, last: TokenID?)] = []
    /// A fork of an earlier state of `session` (see `checkpoint`); nil when none is useful.
    private var saved: Session?
    /// The engine's sampler (the one `coolfusion run` uses), seeded at `startSampling`.
    private var sampler: Sampler?
    /// The state after the last checked draft (see `checkDraft`); nil once adopted.
    private var draftState: Session?

    public init(model: Model) {
        session = model.makeSession()
    }

    public var tokenCount: Int { session.count }

    /// The model this session runs (its `passCounter` counts the work).
    public var model: Model { session.model }

    public var tokens: [TokenID] { session.tokens }

    public func append(_ tokens: [TokenID]) throws {
        guard !tokens.isEmpty else { return }
        try session.append(tokens)
    }

    public func greedyNext() throws -> CoolFusion.GeneratedToken {
        guard !session.logits.isEmpty else { throw EngineSessionError.emptySession }
        // One read of the logits for the token, its log-prob and the confidence; the log-prob is the
        // number scoring computes (the same statistics), so a reused candidate scores exactly as a
        // scored one would.
        let statistics = session.logits.withUnsafeBufferPointer { LogitStatistics($0) }
        guard let index = statistics.greedyToken else { throw EngineSessionError.noFiniteLogit }
        return CoolFusion.GeneratedToken(token: TokenID(index), logProb: statistics.logProbability(ofLogit: session.logits[index]),
                                         confidence: LogitSummary.confidence(statistics))
    }

    public func startSampling(_ sampling: TokenSampling) throws {
        sampler = sampling.isGreedy ? nil : try Sampler(SamplingParameters(
            temperature: Float(sampling.temperature), topK: 0, topP: Float(sampling.topP), seed: sampling.seed))
    }

    public func sampleNext() throws -> CoolFusion.GeneratedToken {
        guard var sampler else { return try greedyNext() }
        guard let token = sampler.sample(session.logits) else { throw EngineSessionError.emptySession }
        self.sampler = sampler
        // The model's own log-prob, not the temperature-scaled one the token was drawn with: it is
        // reused as this model's assessment of its own candidate, and assessment is of the text under
        // the model, exactly as scoring the candidate would give.
        let statistics = session.logits.withUnsafeBufferPointer { LogitStatistics($0) }
        return CoolFusion.GeneratedToken(token: token, logProb: statistics.logProbability(ofLogit: session.logits[Int(token)]),
                                         confidence: LogitSummary.confidence(statistics))
    }

    public func truncate(to count: Int) throws {
        try session.truncate(to: count)
        if let saved, saved.count > count { self.saved = nil }
    }

    public func replace(from position: Int, with tokens: [TokenID]) throws {
        try session.replace(from: position, with: tokens)
        if let saved, saved.count > position { self.saved = nil }
    }

    public func checkpoint() {
        saved = session.fork()
    }

    public func score(_ candidates: [[TokenID]], afterPrefixOf prefixLength: Int) throws -> [[Float]] {
        // The committed state is the session itself (pending tokens are fed lazily), or the
        // checkpoint taken before pending tokens were fed; failing both, a fork cut back to it
        // (one token recomputed, the prefix shared).
        let origin: Session
        if prefixLength == session.count {
            origin = session.fork()
        } else if let saved, saved.count == prefixLength, saved.tokens == Array(session.tokens.prefix(prefixLength)) {
            origin = saved
        } else {
            origin = session.fork()
            try origin.truncate(to: prefixLength)
        }
        // One batched pass per step at most. When some candidate needs one (it has two tokens or
        // more), every candidate runs through it whole, so the winner's state is complete and
        // `adoptScored` costs nothing: the pass streams the weights once however many rows it has,
        // while computing the winner's last token at commit would stream them again. When every
        // candidate is a single token, the log-probs come from the current logits alone and the
        // winner's token is left to the next pass (`adoptScored` returns false).
        if let empty = candidates.firstIndex(where: \.isEmpty) { throw EngineSessionError.emptyCandidate(index: empty) }
        pendingAdoption = []
        var logProbs: [[Float]] = []
        if candidates.contains(where: { $0.count > 1 }) {
            for result in try origin.score(candidates: candidates) {   // the engine splits what does not fit one pass
                logProbs.append(result.logProbabilities)
                pendingAdoption.append((result.session, nil))
            }
        } else {
            for (candidate, logProb) in zip(candidates, try origin.logProbabilities(of: candidates.map { $0[0] })) {
                logProbs.append([logProb])
                pendingAdoption.append((origin, candidate[0]))
            }
        }
        return logProbs
    }

    public func checkDraft(_ draft: [TokenID], after unfed: [TokenID]) throws -> CheckedDraft {
        var confidences = [TokenConfidence?](repeating: nil, count: draft.count + 1)
        let check = try session.check(draft: draft, after: unfed) { i, _, statistics in
            confidences[i] = LogitSummary.confidence(statistics)
        }
        saved = session.fork()
        draftState = check.draft.session
        let predictions = check.predictions.enumerated().map { i, prediction in
            CoolFusion.GeneratedToken(token: prediction.id, logProb: prediction.logProbability, confidence: confidences[i])
        }
        return CheckedDraft(predictions: predictions, draftLogProbs: check.draft.logProbabilities)
    }

    public func adoptDraft(_ draft: [TokenID], afterPrefixOf prefixLength: Int) throws {
        guard let state = draftState, state.count == prefixLength + draft.count,
              state.tokens.elementsEqual(session.tokens.prefix(prefixLength) + draft) else {
            // Not the state that was checked (cannot happen in `LocalSourceModel`): feed it again.
            if session.count > prefixLength { try session.replace(from: prefixLength, with: draft) } else { try append(draft) }
            return
        }
        try session.commit(state)
        draftState = nil
        pendingAdoption = []
        saved = nil
    }

    public func adoptScored(_ index: Int) throws -> Bool {
        guard pendingAdoption.indices.contains(index) else {
            throw EngineSessionError.noScoredState(index: index, count: pendingAdoption.count)
        }
        // With a token left to compute, `state` is the scoring origin (a fork or the checkpoint): it
        // becomes the state, and the token is fed with whatever the owner feeds next.
        let (state, last) = pendingAdoption[index]
        try session.commit(state)
        pendingAdoption = []
        saved = nil
        draftState = nil
        return last == nil
    }
}

/// Misuse of an `EngineSession` by its owner.
public enum EngineSessionError: Error, CustomStringConvertible {
    case emptySession
    case emptyCandidate(index: Int)
    case noScoredState(index: Int, count: Int)
    /// The model's next-token logits hold no number (every one NaN): a broken model file.
    case noFiniteLogit

    public var description: String {
        switch self {
        case .emptySession: return "the session is empty: append a prompt before generating"
        case .emptyCandidate(let index): return "candidate \(index) has no tokens to score"
        case .noScoredState(let index, let count): return "no scored state \(index); the last scoring kept \(count)"
        case .noFiniteLogit: return "the model's next-token logits are all NaN: its weights are broken"
        }
    }
}
