import CoolFusionEngine
import CoolFusionTokenizers

/// The engine's `Session` seen as an `InferenceSession`: the fusion's M1–M4 on a real KV cache.
/// Candidate states share the cached prefix (forks, no copy); only the winner's last token is computed at commit.
public final class EngineSession: InferenceSession {
    private let session: Session
    /// For each candidate of the last `score` call: a state after all but its last token, and that token.
    private var pendingAdoption: [(state: Session, last: TokenID)] = []
    /// A fork of an earlier state of `session` (see `checkpoint`); nil when none is useful.
    private var saved: Session?

    /// The engine scores at most this many candidate tokens per batched pass.
    public static let maximumScoredTokens = 1024

    public init(model: Model) {
        session = model.makeSession()
    }

    public var tokenCount: Int { session.count }

    public var tokens: [TokenID] { session.tokens }

    public func append(_ tokens: [TokenID]) throws {
        guard !tokens.isEmpty else { return }
        try session.append(tokens)
    }

    public func greedyNext() throws -> (token: TokenID, logProb: Float) {
        guard let token = session.greedyToken() else { throw EngineSessionError.emptySession }
        return (token, try session.logProbability(of: token))
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
        // Only each candidate's head (all but its last token) is run through the model: the last
        // token's log-prob comes from the logits after the head, and its keys/values are computed
        // only for the winner, in `adoptScored`. A one-token candidate costs no forward pass at all.
        var logProbs = [[Float]](repeating: [], count: candidates.count)
        var afterHead = [Session](repeating: origin, count: candidates.count)
        let withHead = candidates.indices.filter { candidates[$0].count > 1 }
        var next = 0
        for group in Self.batches(withHead.map { Array(candidates[$0].dropLast()) }) {
            for result in try origin.score(candidates: group) {
                let index = withHead[next]
                logProbs[index] = result.logProbabilities
                afterHead[index] = result.session
                next += 1
            }
        }
        pendingAdoption = []
        for (index, candidate) in candidates.enumerated() {
            guard let last = candidate.last else { throw EngineSessionError.emptyCandidate(index: index) }
            logProbs[index].append(try afterHead[index].logProbability(of: last))
            pendingAdoption.append((afterHead[index], last))
        }
        return logProbs
    }

    public func adoptScored(_ index: Int) throws {
        guard pendingAdoption.indices.contains(index) else {
            throw EngineSessionError.noScoredState(index: index, count: pendingAdoption.count)
        }
        let (state, last) = pendingAdoption[index]
        // `state` is private to this call: a fork or a scored session, never `session` itself.
        try state.append([last])
        try session.commit(state)
        pendingAdoption = []
        saved = nil
    }

    /// Consecutive groups of candidates of at most `maximumScoredTokens` tokens each (a longer single
    /// candidate gets a group of its own, and the engine reports it).
    public static func batches(_ candidates: [[TokenID]]) -> [[[TokenID]]] {
        var groups: [[[TokenID]]] = []
        var current: [[TokenID]] = []
        var tokens = 0
        for candidate in candidates {
            if !current.isEmpty && tokens + candidate.count > maximumScoredTokens {
                groups.append(current)
                current = []
                tokens = 0
            }
            current.append(candidate)
            tokens += candidate.count
        }
        if !current.isEmpty { groups.append(current) }
        return groups
    }
}

/// Misuse of an `EngineSession` by its owner.
public enum EngineSessionError: Error, CustomStringConvertible {
    case emptySession
    case emptyCandidate(index: Int)
    case noScoredState(index: Int, count: Int)

    public var description: String {
        switch self {
        case .emptySession: return "the session is empty: append a prompt before generating"
        case .emptyCandidate(let index): return "candidate \(index) has no tokens to score"
        case .noScoredState(let index, let count): return "no scored state \(index); the last scoring kept \(count)"
        }
    }
}
