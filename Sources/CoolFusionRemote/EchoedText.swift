/// How the log-probabilities an engine returns for a **text** prompt are mapped back onto text, for
/// engines that take prompts only as strings (llama.cpp's server, `llama_cpp.server`). Such an engine
/// tokenizes the text itself and labels its tokens with their text (`tokens`), where each one starts
/// in the text (`text_offset`, in Unicode scalars as Python counts a string's length) and their
/// log-probabilities (`token_logprobs`). Nothing here trusts the answer: every inconsistency is a
/// `reason` the caller turns into `RemoteModelError.malformedAnswer`.
///
/// Offsets are in the engine's *rendering* of its tokens (llama.cpp's detokenizer: control tokens such
/// as BOS or `<start_of_turn>` render as nothing, a character split over byte tokens counts once its
/// last byte arrives), not in the string sent. So spans are found from the end of the prompt, where
/// the candidate is, never from its start.
public enum EchoedText {
    public struct Mismatch: Error, Sendable, Equatable {
        public var reason: String
        public init(_ reason: String) { self.reason = reason }
    }

    /// The log-probabilities of a candidate scored by an echo request on `context + candidate` (plus
    /// the end-of-generation token's text for a final candidate), `completionTokens` being how many
    /// tokens the engine generated after the echoed prompt (its `usage.completion_tokens`).
    ///
    /// The candidate's tokens are the engine's tokens that start inside the candidate's span or cross
    /// into it from the context (`junctionMerged`: the engine's tokenization of the joined text has a
    /// token across the junction, whose log-probability then covers some context text too), and, for a
    /// final candidate, the prompt's last token (the end of generation).
    public static func candidateLogProbs(_ logprobs: OpenAIWire.Logprobs, completionTokens: Int,
                                         candidateScalars: Int, isFinal: Bool) throws(Mismatch)
        -> (logProbs: [Float], junctionMerged: Bool)
    {
        let offsets = logprobs.textOffset
        try checkShape(logprobs)
        guard completionTokens >= 0, completionTokens <= offsets.count else {
            throw Mismatch("usage says \(completionTokens) generated tokens, but only \(offsets.count) tokens came back")
        }
        let promptCount = offsets.count - completionTokens
        guard promptCount >= (isFinal ? 1 : 0) + (candidateScalars > 0 ? 1 : 0), promptCount > 0 else {
            throw Mismatch("\(promptCount) echoed prompt tokens, too few for the candidate")
        }
        // Where the prompt's text ends in the engine's rendering.
        let promptEnd = completionTokens > 0
            ? offsets[promptCount]
            : offsets[promptCount - 1] + logprobs.tokens[promptCount - 1].unicodeScalars.count
        let textCount = isFinal ? promptCount - 1 : promptCount
        let spanEnd = isFinal ? offsets[promptCount - 1] : promptEnd
        let start = spanEnd - candidateScalars
        guard start >= 0 else {
            throw Mismatch("the echoed prompt renders as \(spanEnd) characters, fewer than the candidate's \(candidateScalars)")
        }
        var indices: [Int] = []
        for index in 0..<textCount {
            let end = index + 1 < offsets.count ? offsets[index + 1] : promptEnd
            if offsets[index] >= start || end > start { indices.append(index) }
        }
        if isFinal { indices.append(promptCount - 1) }
        guard let first = indices.first else {
            throw Mismatch("no echoed token falls in the candidate's span")
        }
        var values: [Float] = []
        for index in indices {
            guard let value = logprobs.tokenLogprobs[index] else {
                throw Mismatch(index == 0
                    ? "the candidate's first token is the prompt's first, whose log-probability the engine does not give"
                    : "a null log-probability at prompt token \(index)")
            }
            values.append(Float(value))
        }
        return (values, offsets[first] < start)
    }

    /// Text mode needs the engine to have read a BOS it leaves out of the echo: llama.cpp's server
    /// (llama-cpp-python 0.3.36) pairs the i-th echoed token with the log-probabilities computed at
    /// position i, which are that token's only when a BOS came first. For a model without BOS every
    /// echoed log-probability would belong to the next token's position, so such an answer is refused:
    /// the usage must count more prompt tokens than were echoed.
    public static func checkBOSLeftOut(_ logprobs: OpenAIWire.Logprobs, usage: OpenAIWire.Usage) throws(Mismatch) {
        let echoed = logprobs.tokens.count - usage.completionTokens
        guard usage.promptTokens > echoed else {
            throw Mismatch("the engine echoed all \(echoed) prompt tokens it read, so it added no BOS; without one, "
                           + "llama.cpp's server gives each prompt token the log-probabilities of the next position")
        }
    }

    /// The generated text of a completion (no echo) cut into the engine's tokens: each entry is the
    /// text of one token with its log-probability. A token that renders as nothing on its own (a byte
    /// of a character split over several tokens, a control token) is merged into the next one that
    /// renders text, log-probabilities added; trailing tokens that render nothing (a character not
    /// finished within `max_tokens`) are dropped, the next request generating them again.
    public static func generatedSpans(_ logprobs: OpenAIWire.Logprobs, text: String) throws(Mismatch)
        -> [(text: String, logProb: Float)]
    {
        try checkShape(logprobs)
        let scalars = Array(text.unicodeScalars)
        guard let base = logprobs.textOffset.first else {
            guard scalars.isEmpty else { throw Mismatch("generated text but no tokens") }
            return []
        }
        var spans: [(text: String, logProb: Float)] = []
        var groupStart = 0
        var groupLogProb: Float = 0
        for index in logprobs.textOffset.indices {
            let start = logprobs.textOffset[index] - base
            let end = index + 1 < logprobs.textOffset.count ? logprobs.textOffset[index + 1] - base : scalars.count
            guard start >= 0, end <= scalars.count, start <= end else {
                throw Mismatch("token \(index) at \(start)..<\(end) lies outside the \(scalars.count) generated characters")
            }
            guard let value = logprobs.tokenLogprobs[index] else {
                throw Mismatch("a null log-probability for generated token \(index)")
            }
            groupLogProb += Float(value)
            if end > start {
                var piece = String.UnicodeScalarView()
                piece.append(contentsOf: scalars[groupStart..<end])
                spans.append((String(piece), groupLogProb))
                groupStart = end
                groupLogProb = 0
            }
        }
        return spans
    }

    private static func checkShape(_ logprobs: OpenAIWire.Logprobs) throws(Mismatch) {
        let count = logprobs.textOffset.count
        guard logprobs.tokens.count == count, logprobs.tokenLogprobs.count == count else {
            throw Mismatch("\(logprobs.tokens.count) tokens, \(count) text offsets and \(logprobs.tokenLogprobs.count) "
                           + "log-probabilities")
        }
        for index in logprobs.textOffset.indices.dropFirst()
        where logprobs.textOffset[index] < logprobs.textOffset[index - 1] {
            throw Mismatch("text offsets go backwards at token \(index)")
        }
        if let first = logprobs.textOffset.first, first < 0 { throw Mismatch("a negative text offset") }
        for value in logprobs.tokenLogprobs.compactMap({ $0 }) where !(value <= 1e-3) {
            throw Mismatch("a log-probability of \(value)")
        }
    }
}
