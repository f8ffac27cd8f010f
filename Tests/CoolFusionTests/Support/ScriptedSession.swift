import CoolFusionTokenizers
import CoolFusion
import Foundation
import Synchronization

/// A deterministic stand-in for an engine session. It "wants" to write one of its scripts: greedy
/// next is the first token of the rest of the first script the current text is a prefix of, or
/// end-of-generation if there is none (or the script is done). Log-probabilities come from a table by
/// token text. It counts every operation and checks the state protocol (a next-token distribution exists
/// only for a non-empty state), so tests can assert what was computed and what was reused.
final class ScriptedSession: InferenceSession {
    let tokenizer: ScriptedTokenizer
    /// Splits the script into the tokens the model generates; normally `tokenizer`, but a different
    /// one makes the model generate a non-canonical tokenization of its own text.
    let generationTokenizer: ScriptedTokenizer
    let scripts: [String]
    let logProbs: [String: Float]
    let defaultLogProb: Float
    /// The model's confidence when it generates a token, by token text ("<eog>" for the end): the
    /// top-2 margin in nats; a token without one reports no confidence.
    let margins: [String: Float]

    private(set) var tokens: [TokenID] = []
    private var hasDistribution = false
    private var forks: [[TokenID]] = []

    /// Shared with the test, which cannot reach the session once a model actor owns it.
    let counters: SessionCounters

    init(tokenizer: ScriptedTokenizer, scripts: [String], logProbs: [String: Float] = [:],
         defaultLogProb: Float = -1, counters: SessionCounters = SessionCounters(),
         generationTokenizer: ScriptedTokenizer? = nil, margins: [String: Float] = [:]) {
        self.tokenizer = tokenizer
        self.margins = margins
        self.generationTokenizer = generationTokenizer ?? tokenizer
        self.scripts = scripts
        self.logProbs = logProbs
        self.defaultLogProb = defaultLogProb
        self.counters = counters
    }

    var tokenCount: Int { tokens.count }

    func append(_ newTokens: [TokenID]) throws {
        tokens += newTokens
        counters.add(appended: newTokens.count)
        counters.noteThread(Thread.current.name ?? "")
        hasDistribution = !tokens.isEmpty
    }

    func greedyNext() throws -> GeneratedToken {
        guard hasDistribution else { throw ScriptedSessionError.noDistribution }
        counters.add(greedy: 1)
        // Bytes, not text: the state may end inside a multi-byte character.
        let sofar = tokenizer.bytes(of: tokens)
        let next: TokenID
        if let script = scripts.map({ Array($0.utf8) }).first(where: { $0.starts(with: sofar) && $0.count > sofar.count }) {
            next = generationTokenizer.encode(bytes: Array(script[sofar.count...]))[0]
        } else {
            next = tokenizer.endOfGenerationToken ?? 0
        }
        let logProb = logProb(of: next)
        let margin = margins[tokenizer.isEndOfGeneration(next) ? "<eog>" : String(decoding: tokenizer.bytes(of: next), as: UTF8.self)]
        return GeneratedToken(token: next, logProb: logProb,
                              confidence: margin.map { TokenConfidence(topLogProb: logProb, secondLogProb: logProb - $0, entropy: $0 < 1 ? 1.5 : 0.2) })
    }

    func truncate(to count: Int) throws {
        guard count <= tokens.count else { throw ScriptedSessionError.truncateBeyondEnd }
        tokens.removeLast(tokens.count - count)
        hasDistribution = !tokens.isEmpty
    }

    func checkpoint() {}

    func score(_ candidates: [[TokenID]], afterPrefixOf prefixLength: Int) throws -> [[Float]] {
        guard prefixLength <= tokens.count else { throw ScriptedSessionError.truncateBeyondEnd }
        counters.add(scoreCalls: 1, scoredCandidates: candidates.count)
        forks = candidates.map { Array(tokens[0..<prefixLength]) + $0 }
        return candidates.map { $0.map(logProb(of:)) }
    }

    func adoptScored(_ index: Int) throws -> Bool {
        guard forks.indices.contains(index) else { throw ScriptedSessionError.noSuchFork }
        tokens = forks[index]
        forks = []
        hasDistribution = true
        return true
    }

    private func logProb(of token: TokenID) -> Float {
        if tokenizer.isEndOfGeneration(token) { return logProbs["<eog>"] ?? defaultLogProb }
        return logProbs[String(decoding: tokenizer.bytes(of: token), as: UTF8.self)] ?? defaultLogProb
    }
}

enum ScriptedSessionError: Error {
    case noDistribution, truncateBeyondEnd, noSuchFork
}

/// Operation counts of one scripted session.
final class SessionCounters: Sendable {
    struct Counts: Equatable {
        var greedy = 0, appended = 0, scoreCalls = 0, scoredCandidates = 0
    }
    private let counts = Mutex(Counts())
    private let threads = Mutex(Set<String>())

    /// Names of the threads the session was fed on.
    var threadNames: Set<String> { threads.withLock { $0 } }

    func noteThread(_ name: String) { threads.withLock { _ = $0.insert(name) } }

    var value: Counts { counts.withLock { $0 } }

    func add(greedy: Int = 0, appended: Int = 0, scoreCalls: Int = 0, scoredCandidates: Int = 0) {
        counts.withLock {
            $0.greedy += greedy
            $0.appended += appended
            $0.scoreCalls += scoreCalls
            $0.scoredCandidates += scoredCandidates
        }
    }
}
