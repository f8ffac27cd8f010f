import CoolFusion

/// Builds scripted local source models for decoder tests.
struct ScriptedModelSpec {
    var name: String
    var tokenizer: ScriptedTokenizer
    var scripts: [String]
    var logProbs: [String: Float] = [:]
    var defaultLogProb: Float = -1
    /// Set to make the model generate another tokenization of its text than its tokenizer's.
    var generationTokenizer: ScriptedTokenizer? = nil
    /// Top-2 margins (nats) the model reports when it generates these tokens (by token text).
    var margins: [String: Float] = [:]
}

typealias ScriptedModel = LocalSourceModel<ScriptedSession, ScriptedTokenizer>

/// A model plus the counters of its session.
struct ScriptedHandle {
    let model: ScriptedModel
    let counters: SessionCounters
}

func makeScripted(_ spec: ScriptedModelSpec) -> ScriptedHandle {
    let counters = SessionCounters()
    let session = ScriptedSession(tokenizer: spec.tokenizer, scripts: spec.scripts, logProbs: spec.logProbs,
                                  defaultLogProb: spec.defaultLogProb, counters: counters,
                                  generationTokenizer: spec.generationTokenizer, margins: spec.margins)
    return ScriptedHandle(model: LocalSourceModel(name: spec.name, tokenizer: spec.tokenizer, session: session),
                          counters: counters)
}

/// Tokenizer pieces used across tests: whole words with their leading space, and word parts.
let englishPieces = [
    "LLMs", " are", " not", " the", " best", " trained", " on", " data", " ever", "Multi", "-task", "ing",
    " is", " fun", " Yes", " No", "\n",
]
