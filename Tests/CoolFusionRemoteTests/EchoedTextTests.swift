import CoolFusionRemote
import Testing

/// Mapping an engine's text-prompt log-probabilities back onto a candidate's span and onto generated
/// text, on answers written in llama.cpp's server's shape (tokens as text, offsets in characters
/// of its rendering, the first prompt log-probability null, BOS read but not echoed).
@Suite struct EchoedTextTests {
    static func logprobs(_ entries: [(String, Int, Double?)]) -> OpenAIWire.Logprobs {
        OpenAIWire.Logprobs(textOffset: entries.map(\.1), tokenLogprobs: entries.map(\.2), tokens: entries.map(\.0),
                            topLogprobs: entries.map { _ in nil })
    }

    /// "The capital of" + " France is", then one generated token.
    static let france = logprobs([("The", 0, nil), (" capital", 3, -9.9), (" of", 11, -0.8), (" France", 14, -4.8),
                                  (" is", 21, -1.3), (" a", 24, -0.5)])

    @Test func candidateIsTheTokensInItsSpan() throws {
        let mapped = try EchoedText.candidateLogProbs(Self.france, completionTokens: 1, candidateScalars: 10, isFinal: false)
        #expect(mapped.logProbs == [-4.8, -1.3])
        #expect(!mapped.junctionMerged)
    }

    @Test func candidateFoundFromTheEndWhatEverThePromptRendersAs() throws {
        // Control tokens render as nothing: offsets are shorter than the string sent, the span is not.
        let chat = Self.logprobs([("", 0, nil), ("user", 0, -3), ("\n", 4, -0.1), ("", 5, -0.2), ("Hi", 5, -2),
                                  (" there", 7, -1), ("!", 13, -0.3)])
        let mapped = try EchoedText.candidateLogProbs(chat, completionTokens: 1, candidateScalars: 6, isFinal: false)
        #expect(mapped.logProbs == [-1])
    }

    @Test func tokenAcrossTheJunctionCountsWithTheCandidate() throws {
        // "x ab" + "cd", read by the engine as "x", " abc", "d".
        let merged = Self.logprobs([("x", 0, nil), (" abc", 1, -2), ("d", 5, -1)])
        let mapped = try EchoedText.candidateLogProbs(merged, completionTokens: 0, candidateScalars: 2, isFinal: false)
        #expect(mapped.logProbs == [-2, -1])
        #expect(mapped.junctionMerged)
    }

    @Test func finalCandidateEndsWithTheEndOfGenerationToken() throws {
        // "Hi" + " there" + "<end_of_turn>" (renders as nothing), then one generated token.
        let final = Self.logprobs([("Hi", 0, nil), (" there", 2, -1), ("", 8, -0.5), ("\n", 8, -0.1)])
        let mapped = try EchoedText.candidateLogProbs(final, completionTokens: 1, candidateScalars: 6, isFinal: true)
        #expect(mapped.logProbs == [-1, -0.5])
        // An empty final candidate is the end token alone.
        let empty = Self.logprobs([("Hi", 0, nil), ("", 2, -3)])
        #expect(try EchoedText.candidateLogProbs(empty, completionTokens: 0, candidateScalars: 0, isFinal: true).logProbs == [-3])
    }

    @Test func characterSplitOverByteTokensBelongsToTheCandidate() throws {
        // "a" + " é", with "é" as two byte tokens that render nothing alone.
        let bytes = Self.logprobs([("a", 0, nil), (" ", 1, -1), ("", 2, -2), ("", 2, -0.1), (".", 3, -1)])
        let mapped = try EchoedText.candidateLogProbs(bytes, completionTokens: 1, candidateScalars: 2, isFinal: false)
        #expect(mapped.logProbs == [-1, -2, -0.1])
    }

    @Test func malformedEchoesAreRefusedWithAReason() {
        let cases: [(OpenAIWire.Logprobs, Int, Int, String)] = [
            (OpenAIWire.Logprobs(textOffset: [0, 1], tokenLogprobs: [nil], tokens: ["a", "b"]), 0, 1, "text offsets"),
            (Self.logprobs([("a", 0, nil), ("b", 3, -1), ("c", 2, -1)]), 0, 1, "backwards"),
            (Self.france, 7, 1, "usage says"),
            (Self.france, 1, 40, "fewer than the candidate"),
            (Self.logprobs([("ab", 0, nil), ("c", 2, -1)]), 0, 2, "first token"),
            (Self.logprobs([("a", 0, nil), ("b", 1, nil), ("c", 2, -1)]), 1, 1, "null log-probability"),
            (Self.logprobs([("a", 0, nil), ("b", 1, 0.5)]), 0, 1, "log-probability of 0.5"),
        ]
        for (logprobs, completion, scalars, reason) in cases {
            let error = #expect(throws: EchoedText.Mismatch.self) {
                _ = try EchoedText.candidateLogProbs(logprobs, completionTokens: completion, candidateScalars: scalars,
                                                     isFinal: false)
            }
            #expect(error?.reason.contains(reason) == true, "\(String(describing: error)) should say \(reason)")
        }
    }

    @Test func anEchoWithoutALeftOutBOSIsRefused() throws {
        try EchoedText.checkBOSLeftOut(Self.france, usage: .init(promptTokens: 6, completionTokens: 1))
        #expect(throws: EchoedText.Mismatch.self) {
            try EchoedText.checkBOSLeftOut(Self.france, usage: .init(promptTokens: 5, completionTokens: 1))
        }
    }

    @Test func generatedTextIsCutAtTheEnginesTokens() throws {
        let plain = Self.logprobs([(" Paris", 24, -0.2), (".", 30, -0.7)])
        let spans = try EchoedText.generatedSpans(plain, text: " Paris.")
        #expect(spans.map(\.text) == [" Paris", "."])
        #expect(spans.map(\.logProb) == [-0.2, -0.7])
        // Byte tokens join the token that completes their character; an unfinished one is dropped.
        let bytes = Self.logprobs([(" ", 10, -1), ("", 11, -2), ("", 11, -0.5), ("", 12, -3)])
        let cut = try EchoedText.generatedSpans(bytes, text: " é")
        #expect(cut.map(\.text) == [" ", "é"])
        #expect(cut.map(\.logProb) == [-1, -2.5])
        #expect(try EchoedText.generatedSpans(Self.logprobs([]), text: "").isEmpty)
    }

    @Test func malformedGenerationsAreRefusedWithAReason() {
        let cases: [(OpenAIWire.Logprobs, String, String)] = [
            (Self.logprobs([]), "text", "no tokens"),
            (Self.logprobs([("a", 5, -1), ("b", 9, -1)]), "ab", "outside"),
            (Self.logprobs([("a", 5, nil)]), "a", "null"),
        ]
        for (logprobs, text, reason) in cases {
            let error = #expect(throws: EchoedText.Mismatch.self) {
                _ = try EchoedText.generatedSpans(logprobs, text: text)
            }
            #expect(error?.reason.contains(reason) == true, "\(String(describing: error)) should say \(reason)")
        }
    }
}
