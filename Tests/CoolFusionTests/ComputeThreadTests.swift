import CoolFusion
import CoolFusionEngine
import Foundation
import Testing

/// Model calls run on each model's own thread, never on Swift's cooperative pool, whose few threads
/// a long forward pass would otherwise hold (a server's health checks and new requests wait then).
@Suite struct ComputeThreadTests {
    @Test func eachLocalModelFeedsItsSessionOnItsOwnThread() async throws {
        let tokenizer = ScriptedTokenizer(pieces: englishPieces)
        let first = makeScripted(ScriptedModelSpec(name: "first", tokenizer: tokenizer, scripts: ["LLMs are fun"]))
        let second = makeScripted(ScriptedModelSpec(name: "second", tokenizer: tokenizer, scripts: ["LLMs are fun"]))
        try await first.model.open(prompt: "LLMs")
        try await second.model.open(prompt: "LLMs")
        // Opening only records the prompt; it is read with the first call that needs the state.
        #expect(first.counters.threadNames.isEmpty && second.counters.threadNames.isEmpty)
        _ = try await first.model.nextSegment(rule: SegmentBoundaryRule(splitters: [tokenizer], ownIndex: 0), tokenCap: 4)
        try await second.model.prefill()
        #expect(first.counters.threadNames == ["cf first"])
        #expect(second.counters.threadNames == ["cf second"])
    }

    @Test func performRunsOnTheThreadAndPassesErrorsOn() async throws {
        struct Refused: Error {}
        let thread = ComputeThread(name: "cf test")
        let name = try await thread.perform { Thread.current.name ?? "" }
        #expect(name == "cf test")
        await #expect(throws: Refused.self) { try await thread.perform { throw Refused() } }
        // Many one-off threads: a thread that named itself too early would keep the name it
        // inherited from its creator, a pool thread (a race CI once lost).
        for _ in 0..<100 {
            let detached = try await ComputeThread.detached(name: "cf once, with a long name") { Thread.current.name ?? "" }
            #expect(detached == "cf once, with a")   // 15 bytes: what Linux keeps
        }
    }
}
