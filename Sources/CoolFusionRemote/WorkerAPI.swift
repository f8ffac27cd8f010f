import CoolFusion
import CoolFusionTokenizers

/// The `coolfusion worker` protocol: one source model behind a small stateful HTTP/JSON API, the
/// paper's worker operations (Table 1) at the level of `SourceModel`. Bodies are JSON with
/// snake_case keys (`WireCoding`); errors are `{"error": {"message", "type", "code"}}` with a 4xx/5xx
/// status.
///
/// | method and path | body → answer | operation |
/// |---|---|---|
/// | `GET /v1/worker` | → `Info` | name, context length, tokenizer digest |
/// | `GET /v1/worker/tokenizer` | → GGUF bytes | this model's `TokenizerPackage` |
/// | `PUT /v1/worker/tokenizers/{digest}` | GGUF bytes → 204 | register another model's tokenizer |
/// | `POST /v1/sessions` | `Open` → `Opened` | M1 in a new session |
/// | `POST /v1/sessions/{id}/open` | `Open` → `Opened` | M1 again (same session, cache reused) |
/// | `POST /v1/sessions/{id}/next_segment` | `NextSegment` → `Proposal` | T1 |
/// | `POST /v1/sessions/{id}/assess` | `Assess` → `Assessments` | M3 |
/// | `POST /v1/sessions/{id}/commit` | `Commit` → `Tokens` | M4 |
/// | `POST /v1/sessions/{id}/commit_text` | `CommitText` → `Tokens` | M4 of text not assessed (a follower's catch-up) |
/// | `GET /v1/sessions/{id}/continuation` | → `Tokens` | committed continuation |
/// | `POST /v1/sessions/{id}/answer` | `Answer` → `Answered` | a whole answer (rerank baselines) |
/// | `DELETE /v1/sessions/{id}` | → 204 | free the session |
///
/// Word boundaries: the master names every model's tokenizer by the digest of its package in each
/// `next_segment` call; the worker keeps a tokenizer per digest. A digest it does not know yet gets
/// 409 with code `unknown_tokenizer` and the missing digests in `missing`; the master then uploads
/// those packages once (`PUT`) and repeats the call. So the boundary rule is applied by the worker,
/// during generation, exactly as in-process (no per-token round trips), and a tokenizer crosses the
/// network once per worker. Sessions idle longer than the worker's timeout are freed (404 afterwards).
public enum WorkerAPI {
    public struct Info: Codable, Sendable, Equatable {
        public var name: String
        public var architecture: String
        public var contextLength: Int
        public var tokenizerDigest: String
        public var sessions: Int
        /// The identity of the served model (the SHA-256 of its GGUF header and size); absent from
        /// older workers.
        public var modelDigest: String?
        public init(name: String, architecture: String, contextLength: Int, tokenizerDigest: String, sessions: Int,
                    modelDigest: String? = nil) {
            self.name = name
            self.architecture = architecture
            self.contextLength = contextLength
            self.tokenizerDigest = tokenizerDigest
            self.sessions = sessions
            self.modelDigest = modelDigest
        }
    }

    public struct Open: Codable, Sendable {
        public var prompt: String
        /// The id the new session is to have (`POST /v1/sessions`; absent: the worker picks one).
        /// Chosen by the master so it can close a session whose open it gave up on (a timeout): the
        /// worker may still create it, and a `DELETE` of an id not open yet stops that.
        public var sessionId: String?
        public init(prompt: String, sessionId: String? = nil) {
            self.prompt = prompt
            self.sessionId = sessionId
        }
    }

    public struct Opened: Codable, Sendable {
        public var sessionId: String
        public var promptTokens: Int
        /// The served model's identity (as in `Info`), so the master checks on every session that the
        /// model behind the URL is still the one it saw at start-up.
        public var modelDigest: String?
        public init(sessionId: String, promptTokens: Int, modelDigest: String? = nil) {
            self.sessionId = sessionId
            self.promptTokens = promptTokens
            self.modelDigest = modelDigest
        }
    }

    public struct NextSegment: Codable, Sendable {
        /// Digest of every model's tokenizer package, in model order.
        public var splitters: [String]
        public var ownIndex: Int
        public var ownBoundariesOnly: Bool
        public var tokenCap: Int
        /// The request's stop sequences and the end of the output so far that one could begin in
        /// (`SegmentStop`); absent: none (older masters), and the segment ends at a word boundary.
        public var stopSequences: [String]?
        public var stopContext: String?
        /// Another model's segment from the same state, to check as a draft of this one's
        /// (`SourceModel.nextSegment(rule:tokenCap:draft:)`); absent: none, or an older master.
        public var draft: Candidate?
        public init(splitters: [String], ownIndex: Int, ownBoundariesOnly: Bool, tokenCap: Int,
                    stop: SegmentStop? = nil, draft: Candidate? = nil) {
            self.splitters = splitters
            self.ownIndex = ownIndex
            self.ownBoundariesOnly = ownBoundariesOnly
            self.tokenCap = tokenCap
            stopSequences = stop?.sequences
            stopContext = stop?.context
            self.draft = draft
        }

        /// The stop the master sent, if any.
        public var stop: SegmentStop? {
            guard let stopSequences, !stopSequences.isEmpty else { return nil }
            return SegmentStop(sequences: stopSequences, context: stopContext ?? "")
        }
    }

    public struct Proposal: Codable, Sendable {
        public var text: String
        public var isFinal: Bool
        public var alignment: SegmentAlignment
        public var tokensGenerated: Int
        public var tokensReused: Int
        /// How sure the model was of each of the candidate's tokens (absent from older workers).
        public var confidences: [TokenConfidence]?
        /// Of the generated tokens, those a checked draft gave (absent from older workers).
        public var tokensFromDraft: Int?

        public init(_ proposal: SegmentProposal) {
            text = proposal.candidate.text
            isFinal = proposal.candidate.isFinal
            alignment = proposal.alignment
            tokensGenerated = proposal.tokensGenerated
            tokensReused = proposal.tokensReused
            confidences = proposal.confidences
            tokensFromDraft = proposal.tokensFromDraft
        }

        public var segmentProposal: SegmentProposal {
            SegmentProposal(candidate: Candidate(text: text, isFinal: isFinal), alignment: alignment,
                            tokensGenerated: tokensGenerated, tokensReused: tokensReused,
                            confidences: confidences ?? [], tokensFromDraft: tokensFromDraft ?? 0)
        }
    }

    public struct Assess: Codable, Sendable {
        public var candidates: [Candidate]
        public init(candidates: [Candidate]) { self.candidates = candidates }
    }

    public struct Assessment: Codable, Sendable {
        public var tokenCount: Int
        public var totalNll: Double
        public init(_ assessment: CandidateAssessment) {
            tokenCount = assessment.tokenCount
            totalNll = assessment.totalNLL
        }
        public var candidateAssessment: CandidateAssessment {
            CandidateAssessment(tokenCount: tokenCount, totalNLL: totalNll)
        }
    }

    public struct Assessments: Codable, Sendable {
        public var assessments: [Assessment]
        public init(assessments: [Assessment]) { self.assessments = assessments }
    }

    public struct Commit: Codable, Sendable {
        public var index: Int
        public init(index: Int) { self.index = index }
    }

    public struct CommitText: Codable, Sendable {
        public var text: String
        public init(text: String) { self.text = text }
    }

    public struct Tokens: Codable, Sendable {
        public var tokens: [TokenID]
        public init(tokens: [TokenID]) { self.tokens = tokens }
    }

    public struct Answer: Codable, Sendable {
        public var maxTokens: Int
        public var stop: [String]
        public init(maxTokens: Int, stop: [String]) {
            self.maxTokens = maxTokens
            self.stop = stop
        }
    }

    public struct Answered: Codable, Sendable {
        public var text: String
        public var endedByModel: Bool
        public var tokenCount: Int
        public init(_ answer: GeneratedAnswer) {
            text = answer.text
            endedByModel = answer.endedByModel
            tokenCount = answer.tokenCount
        }
        public var generatedAnswer: GeneratedAnswer {
            GeneratedAnswer(text: text, endedByModel: endedByModel, tokenCount: tokenCount)
        }
    }
}
