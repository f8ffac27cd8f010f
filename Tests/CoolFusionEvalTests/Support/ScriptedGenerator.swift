import CoolFusionEval
import Foundation

/// A generator that answers from a script instead of running models, and records what it was asked.
final class ScriptedGenerator: EvalGenerator, @unchecked Sendable {
    struct Interrupted: Error {}

    let modelNames: [String]
    /// Output for (column id, prompt).
    private let answer: @Sendable (String, String) -> String
    private let lock = NSLock()
    private var calls: [GenerationRequest] = []
    /// Throw `Interrupted` once this many generations have succeeded (simulates a killed run).
    private let failAfter: Int?

    /// Seconds, weight bytes streamed and (segments, fused segments) reported for a column id.
    private let seconds: @Sendable (String) -> Double
    private let weightBytes: @Sendable (String) -> Double?
    private let fused: @Sendable (String) -> (segments: Int, fused: Int)?

    init(models: [String], failAfter: Int? = nil, seconds: @escaping @Sendable (String) -> Double = { _ in 0.01 },
         weightBytes: @escaping @Sendable (String) -> Double? = { _ in nil },
         fused: @escaping @Sendable (String) -> (segments: Int, fused: Int)? = { _ in nil },
         answer: @escaping @Sendable (String, String) -> String) {
        self.modelNames = models
        self.failAfter = failAfter
        self.seconds = seconds
        self.weightBytes = weightBytes
        self.fused = fused
        self.answer = answer
    }

    var requests: [GenerationRequest] { lock.withLock { calls } }
    /// What the runner asked for, in order: "read PROMPT" and "COLUMN PROMPT".
    private var log: [String] = []
    var events: [String] { lock.withLock { log } }

    func readPrompt(_ prompt: String) async throws {
        lock.withLock { log.append("read \(prompt)") }
    }

    func validate(_ method: MethodSpec) throws {
        if let key = method.options.keys.sorted().first(where: { $0 != "selection" }) {
            throw EvalError.unsupportedMethodOption(method: method.method, key: key)
        }
    }

    func generate(_ request: GenerationRequest) async throws -> Generation {
        try lock.withLock {
            if let failAfter, calls.count >= failAfter { throw Interrupted() }
            calls.append(request)
            log.append("\(request.method.id) \(request.prompt)")
        }
        let text = answer(request.method.id, request.prompt)
        // Perplexities that depend on the text, so reports have something to average.
        let perplexities = Dictionary(uniqueKeysWithValues: modelNames.enumerated().map { index, name in
            (name, 1.0 + Double(text.count % 7) / 10 + Double(index) / 100)
        })
        return Generation(text: text, outputTokens: [modelNames[0]: text.count / 4], generatedTokens: text.count / 3,
                          seconds: seconds(request.method.id), perplexities: perplexities, stopReason: "stop-sequence",
                          segments: fused(request.method.id)?.segments, fusedSegments: fused(request.method.id)?.fused,
                          weightBytes: weightBytes(request.method.id))
    }
}
