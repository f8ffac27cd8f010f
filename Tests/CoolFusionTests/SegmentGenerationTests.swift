import CoolFusion
import Testing

/// T1, individual text generation (paper §2.2, Fig. 2), on scripted models.
@Suite struct SegmentGenerationTests {
    let spaceWords = ScriptedTokenizer(pieces: englishPieces)
    let hyphenWords = ScriptedTokenizer(pieces: englishPieces, extraWordStarts: "-")

    func rule(_ splitters: [any WordSplitter], own: Int = 0, ownOnly: Bool = false) -> SegmentBoundaryRule {
        SegmentBoundaryRule(splitters: splitters, ownIndex: own, ownBoundariesOnly: ownOnly)
    }

    @Test("\"not the\" is cut after \"not\" (paper Fig. 2)")
    func notTheGivesNot() async throws {
        let handle = makeScripted(.init(name: "m", tokenizer: spaceWords, scripts: ["LLMs are not the best"]))
        try await handle.model.open(prompt: "LLMs are")
        let proposal = try await handle.model.nextSegment(rule: rule([spaceWords, spaceWords]), tokenCap: 32)
        #expect(proposal.candidate == Candidate(text: " not"))
        #expect(proposal.alignment == .aligned)
        // " not" alone has no complete boundary; " the" had to start for " not" to be complete.
        #expect(proposal.tokensGenerated == 2)
    }

    @Test("Multi-tasking under ['Multi','-tasking'] and ['Multi-tasking'] ends after Multi-tasking")
    func multiTaskingEndsAfterTheWholeWord() async throws {
        for own in 0..<2 {
            let tokenizers = [hyphenWords, spaceWords]
            let handle = makeScripted(.init(name: "m", tokenizer: tokenizers[own], scripts: ["Q: Multi-tasking is fun"]))
            try await handle.model.open(prompt: "Q: ")
            let proposal = try await handle.model.nextSegment(rule: rule(tokenizers, own: own), tokenCap: 32)
            #expect(proposal.candidate.text == "Multi-tasking", "generating model \(own)")
            #expect(proposal.alignment == .aligned)
        }
        // The words really differ: the hyphen tokenizer alone would cut after "Multi".
        #expect(hyphenWords.completeBoundaries(in: "Multi-tasking is") == [5, 13])
        #expect(spaceWords.completeBoundaries(in: "Multi-tasking is") == [13])
    }

    @Test("Cool-align cuts at the generating model's own first boundary")
    func coolAlignUsesOwnBoundary() async throws {
        let handle = makeScripted(.init(name: "m", tokenizer: hyphenWords, scripts: ["Q: Multi-tasking is fun"]))
        try await handle.model.open(prompt: "Q: ")
        let proposal = try await handle.model.nextSegment(
            rule: rule([hyphenWords, spaceWords], own: 0, ownOnly: true), tokenCap: 32)
        #expect(proposal.candidate.text == "Multi")
    }

    @Test("end-of-generation makes all generated text a final candidate")
    func endOfGeneration() async throws {
        let handle = makeScripted(.init(name: "m", tokenizer: spaceWords, scripts: ["LLMs are not"]))
        try await handle.model.open(prompt: "LLMs are")
        let proposal = try await handle.model.nextSegment(rule: rule([spaceWords]), tokenCap: 32)
        #expect(proposal.candidate == Candidate(text: " not", isFinal: true))
        #expect(proposal.alignment == .endOfGeneration)
        #expect(proposal.tokensGenerated == 2) // " not", then end-of-generation
    }

    @Test("immediate end-of-generation is an empty final candidate")
    func immediateEnd() async throws {
        let handle = makeScripted(.init(name: "m", tokenizer: spaceWords, scripts: ["LLMs are"]))
        try await handle.model.open(prompt: "LLMs are")
        let proposal = try await handle.model.nextSegment(rule: rule([spaceWords]), tokenCap: 32)
        #expect(proposal.candidate == Candidate(text: "", isFinal: true))
    }

    @Test("at the token cap: cut at the own last boundary, recorded as unaligned")
    func capFallsBackToOwnBoundary() async throws {
        // Single-byte tokens "ab-cd-ef-gh": the hyphen tokenizer has boundaries, the space one none.
        let handle = makeScripted(.init(name: "m", tokenizer: hyphenWords, scripts: [">ab-cd-ef-gh ij"]))
        try await handle.model.open(prompt: ">")
        let proposal = try await handle.model.nextSegment(rule: rule([hyphenWords, spaceWords]), tokenCap: 7)
        #expect(proposal.candidate.text == "ab-cd")
        #expect(proposal.alignment == .cappedAtOwnBoundary)
        #expect(proposal.alignment.isAligned == false)
        #expect(proposal.tokensGenerated == 7)
    }

    @Test("at the token cap with no boundary at all: the whole text, recorded as unaligned")
    func capTakesWholeText() async throws {
        let handle = makeScripted(.init(name: "m", tokenizer: spaceWords, scripts: [">abcdefghij kl"]))
        try await handle.model.open(prompt: ">")
        let proposal = try await handle.model.nextSegment(rule: rule([spaceWords, hyphenWords]), tokenCap: 4)
        #expect(proposal.candidate.text == "abcd")
        #expect(proposal.alignment == .cappedWhole)
    }

    @Test("text is only looked at once the tokens form complete UTF-8")
    func waitsForCompleteUTF8() async throws {
        // "é" is two single-byte tokens; a cap of 1 must not cut inside the character.
        let handle = makeScripted(.init(name: "m", tokenizer: spaceWords, scripts: [">é x"]))
        try await handle.model.open(prompt: ">")
        let proposal = try await handle.model.nextSegment(rule: rule([spaceWords]), tokenCap: 1)
        #expect(proposal.candidate.text == "é")
        #expect(proposal.tokensGenerated == 2)
    }

    @Test("a stop sequence ends the segment at the end of the token that completes it")
    func stopSequenceEndsTheSegment() async throws {
        // "\n\n" is one token: the stop "\n" is complete inside it, and the cut keeps the whole token,
        // so the generated tokens stand for the candidate (no scoring call if it is assessed).
        let tokenizer = ScriptedTokenizer(pieces: englishPieces + ["\n\n"])
        let script = "A: Yes\n\nQ: is fun"
        let stop = SegmentStop(sequences: ["\n"], following: "")
        let handle = makeScripted(.init(name: "m", tokenizer: tokenizer, scripts: [script]))
        try await handle.model.open(prompt: "A:")
        let stopped = try await handle.model.nextSegment(
            rule: SegmentBoundaryRule(splitters: [tokenizer], ownIndex: 0, stop: stop), tokenCap: 32)
        #expect(stopped.candidate == Candidate(text: " Yes\n\n"))
        #expect(stopped.alignment == .stopSequence)
        #expect(stopped.tokensGenerated == 2)
        let scoredBefore = handle.counters.value.scoreCalls
        _ = try await handle.model.assess([stopped.candidate])
        #expect(handle.counters.value.scoreCalls == scoredBefore)

        // Without the stop, T1 runs on to the next word boundary.
        let free = makeScripted(.init(name: "m", tokenizer: tokenizer, scripts: [script]))
        try await free.model.open(prompt: "A:")
        let unstopped = try await free.model.nextSegment(rule: rule([tokenizer]), tokenCap: 32)
        #expect(unstopped.candidate.text == " Yes\n\nQ:")
        #expect(unstopped.tokensGenerated > stopped.tokensGenerated)
    }

    @Test("a stop sequence that begins in the committed text ends the segment where it is complete")
    func stopSequenceAcrossTheCommittedText() async throws {
        let stop = try #require(SegmentStop(sequences: ["\nQ:", ""], following: "A: Yes\n"))
        // Only as much committed text as a stop sequence could begin in (one byte less than the longest).
        #expect(stop.context == "s\n")
        let handle = makeScripted(.init(name: "m", tokenizer: spaceWords, scripts: ["A: Yes\nQ: is fun"]))
        try await handle.model.open(prompt: "A: Yes\n")
        let proposal = try await handle.model.nextSegment(
            rule: SegmentBoundaryRule(splitters: [spaceWords], ownIndex: 0, stop: stop), tokenCap: 32)
        #expect(proposal.candidate.text == "Q:")
        #expect(proposal.alignment == .stopSequence)
        #expect(proposal.tokensGenerated == 2)
        // The context starts at a character, never inside one; no stop sequences, no stop.
        #expect(SegmentStop(sequences: ["ab"], following: "xé")?.context == "")
        #expect(SegmentStop(sequences: [""], following: "abc") == nil)
    }

    @Test("stop sequences match literally over UTF-8, also inside what Swift calls one character")
    func stopSequencesMatchBytes() {
        let text = "a\r\nb"
        let match = StopSequences.firstMatch(in: text, stopSequences: ["\n", "b"])
        #expect(match.map { text.utf8.distance(from: text.utf8.startIndex, to: $0) } == 2)
        #expect(StopSequences.firstEnd(inUTF8: Array("xyxy".utf8), after: 2, stopSequences: ["xy"]) == 4)
        #expect(StopSequences.firstEnd(inUTF8: Array("xyxy".utf8), after: 1, stopSequences: ["xy"]) == 2)
        #expect(StopSequences.firstEnd(inUTF8: Array("xyxy".utf8), after: 4, stopSequences: ["xy", ""]) == nil)
    }
}
