import CoolFusionEngine
import CoolFusionTokenizers

/// The engine's `Session` seen as an `InferenceSession`: the fusion's M1–M4 on a real KV cache.
/// Candidate states are the engine's scored sessions, which share the cached prefix (no copy).
public final class EngineSession: InferenceSession {
    private let session: Session
    /// Sessions positioned after each candidate of the last `score` call.
    private var scored: [Session] = []

    /// The engine scores at most this many candidate tokens per batched pass.
    static let maximumScoredTokens = 1024

    public init(model: Model) {
        session = model.makeSession()
    }

    public var tokenCount: Int { session.count }

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
    }

    public func score(_ candidates: [[TokenID]], afterPrefixOf prefixLength: Int) throws -> [[Float]] {
        // Usually the session is exactly at the committed state (pending tokens are fed lazily);
        // otherwise score from a fork cut back to it (one token recomputed, the prefix shared).
        var origin = session
        if prefixLength != session.count {
            origin = session.fork()
            try origin.truncate(to: prefixLength)
        }
        scored = []
        var logProbs: [[Float]] = []
        for group in Self.batches(candidates) {
            let results = try origin.score(candidates: group)
            scored += results.map(\.session)
            logProbs += results.map(\.logProbabilities)
        }
        return logProbs
    }

    public func adoptScored(_ index: Int) throws {
        guard scored.indices.contains(index) else { throw EngineSessionError.noScoredState(index: index, count: scored.count) }
        try session.commit(scored[index])
        scored = []
    }

    /// Consecutive groups of candidates of at most `maximumScoredTokens` tokens each (a longer single
    /// candidate gets a group of its own, and the engine reports it).
    static func batches(_ candidates: [[TokenID]]) -> [[[TokenID]]] {
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
    case noScoredState(index: Int, count: Int)

    public var description: String {
        switch self {
        case .emptySession: return "the session is empty: append a prompt before generating"
        case .noScoredState(let index, let count): return "no scored state \(index); the last scoring kept \(count)"
        }
    }
}
