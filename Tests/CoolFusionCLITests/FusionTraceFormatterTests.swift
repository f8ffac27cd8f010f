import CoolFusion
import Foundation
@testable import coolfusion
import Testing

/// The terminal renderings of a generation.
@Suite struct FusionTraceFormatterTests {
    let segment = FusionSegment(text: " not", winner: 0, candidates: [
        CandidateTrace(model: 0, text: " not", ppl: [16.6, 15.3], score: 15.95, alignment: .aligned, final: false,
                       tokensGenerated: 2, tokensReused: 0),
        CandidateTrace(model: 1, text: "\ntrained", ppl: [29.5, nil], score: 29.5, alignment: .cappedWhole, final: false,
                       tokensGenerated: 1, tokensReused: 1),
    ])

    @Test func stepShowsCandidatesMatrixAndWinner() {
        let formatter = FusionTraceFormatter(modelNames: ["llama", "phi"], useColor: false)
        let text = formatter.step(segment, number: 1)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0] == "step 1: \" not\" from llama")
        #expect(lines[2].hasPrefix("  * llama"))
        #expect(lines[2].contains("16.600") && lines[2].contains("15.300") && lines[2].contains("15.950"))
        #expect(lines[3].hasPrefix("    phi"))
        #expect(lines[3].contains("capped-whole") && lines[3].contains("\"\\ntrained\""))
        #expect(!text.contains("\u{1B}"))
    }

    @Test func coloursFollowTheWinner() {
        let formatter = FusionTraceFormatter(modelNames: ["llama", "phi"], useColor: true)
        #expect(formatter.colored(segment) == "\u{1B}[36m not\u{1B}[0m")
        #expect(formatter.legend().contains("\u{1B}[33m[1] phi\u{1B}[0m"))
        // Cool's own answer (a cool+rerank candidate) has no model.
        #expect(formatter.name(of: nil) == "cool")
        // A gated step that went to full fusion is underlined in its winner's colour.
        var fused = segment
        fused.gate = GateTrace(fused: true, signal: .margin,
                               confidences: [TokenConfidence(topLogProb: -0.5, secondLogProb: -0.9, entropy: 1.2)])
        #expect(formatter.colored(fused) == "\u{1B}[36;4m not\u{1B}[0m")
        #expect(formatter.step(fused, number: 1).hasPrefix("step 1: \" not\" from llama [fused: margin 0.4]"))
    }

    @Test func summaryCountsSegmentsWon() {
        let formatter = FusionTraceFormatter(modelNames: ["llama", "phi"], useColor: false)
        let result = FusionResult(
            text: " not", method: .cool, models: ["llama", "phi"], segments: [segment],
            stats: FusionStats(stopReason: .maxTokens, seconds: 0.5, segments: 1, segmentsWon: [1, 0],
                               tokensGenerated: [2, 1], tokensReused: [0, 1], committedTokens: [1, 1],
                               unalignedCandidates: 1))
        let summary = formatter.summary(result)
        #expect(summary.contains("1 segments in 0.50 s (2.00 segments/s), stopped by max-tokens"))
        #expect(summary.contains("segments won: llama 1 (100%), phi 0 (0%)"))
        #expect(summary.contains("unaligned candidates: 1"))
        #expect(!summary.contains("forward passes"))
    }

    /// A gated generation's summary says who led and where the gate opens; its JSON carries the gate,
    /// an infinite threshold (a gate that never opens) as "-inf", and reads back the same.
    @Test func gatedSummaryAndJSONNameTheGate() throws {
        let formatter = FusionTraceFormatter(modelNames: ["llama", "phi"], useColor: false)
        var stats = FusionStats(stopReason: .maxTokens, seconds: 0.5, segments: 4, segmentsWon: [3, 1],
                                tokensGenerated: [4, 1], tokensReused: [0, 0], committedTokens: [4, 4], unalignedCandidates: 0)
        stats.fusedSegments = 1
        stats.catchUpTokens = [0, 3]
        stats.tokensFromDraft = [0, 1]
        var result = FusionResult(text: " not", method: .gated, models: ["llama", "phi"], segments: [segment], stats: stats,
                                  gate: GateSettings(leader: 1, signal: .entropy, threshold: 1.5))
        #expect(formatter.summary(result).contains(
            "phi leading, fused where entropy > 1.5; fused segments: 1 of 4 (25%), catch-up tokens: 0 / 3"))
        for threshold in [-Double.infinity, .infinity, 0.25] {
            result.gate?.threshold = threshold
            let json = try JSONOutput.string(result)
            #expect(try JSONDecoder().decode(FusionResult.self, from: Data(json.utf8)) == result, "\(json)")
            if !threshold.isFinite { #expect(json.contains(#""threshold":"\#(threshold > 0 ? "inf" : "-inf")""#), "\(json)") }
        }
        let broken = #"{"leader": 0, "signal": "margin", "threshold": "high"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(GateSettings.self, from: Data(broken.utf8)) }
    }

    /// The work profile, and a note when the models' seconds overlap (they ran concurrently).
    @Test func summaryShowsTheWorkOfEachModel() {
        let formatter = FusionTraceFormatter(modelNames: ["llama", "phi"], useColor: false)
        var stats = FusionStats(stopReason: .maxTokens, seconds: 0.5, segments: 1, segmentsWon: [1, 0],
                                tokensGenerated: [2, 1], tokensReused: [0, 1], committedTokens: [1, 1], unalignedCandidates: 0)
        stats.forwardPasses = [3, 2]
        stats.forwardRows = [9, 8]
        stats.outputRows = [3, 2]
        stats.forwardSeconds = [0.2, 0.25]
        stats.outputSeconds = [0.05, 0.1]
        let result = FusionResult(text: " not", method: .cool, models: ["llama", "phi"], segments: [segment], stats: stats)
        let summary = formatter.summary(result)
        #expect(summary.contains("forward passes: 3 / 2 (rows 9 / 8, output rows 3 / 2) in 0.20 / 0.25 s (output rows 0.05 / 0.10 s)"))
        #expect(!summary.contains("waiting"))
        stats.forwardSeconds = [0.4, 0.45]
        let overlapping = formatter.summary(FusionResult(text: " not", method: .cool, models: ["llama", "phi"],
                                                         segments: [segment], stats: stats))
        #expect(overlapping.contains("each one's seconds include waiting for the others'"))
    }
}
