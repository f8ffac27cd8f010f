import CoolFusion
import CoolFusionRemote
import CoolFusionServer
import Testing

/// A model behind the worker protocol, or behind an OpenAI-compatible completions endpoint, must fuse
/// exactly as the same model in process: same segments, same winners, same text. On the synthetic
/// models (two tokenizer kinds), since the outcome does not depend on the weights.
@Suite(.serialized) struct RemoteFusionTests {
    static let prompt = "Question: What is the capital of France?\nAnswer:"
    static let options = FusionOptions(maxTokens: 24)

    func localFusion(_ options: FusionOptions = Self.options) async throws -> FusionResult {
        let decoder = try FusionDecoder(models: [try SyntheticPair.bpe().makeSourceModel(), try SyntheticPair.spm().makeSourceModel()],
                                        options: options)
        return try await decoder.generate(prompt: Self.prompt)
    }

    func expectSameFusion(_ fused: FusionResult, _ local: FusionResult) {
        #expect(fused.text == local.text)
        #expect(fused.segments.map(\.text) == local.segments.map(\.text))
        #expect(fused.segments.map(\.winner) == local.segments.map(\.winner))
        #expect(fused.segments.map { $0.candidates.map(\.text) } == local.segments.map { $0.candidates.map(\.text) })
        #expect(fused.stats.committedTokens == local.stats.committedTokens)
    }

    @Test func workerModelFusesLikeTheLocalModel() async throws {
        let local = try await localFusion()
        #expect(!local.text.isEmpty)
        let bpe = try SyntheticPair.bpe()
        let fused = try await withLiveWorker(try SyntheticPair.spm()) { url, worker in
            let remoteWorker = try await RemoteWorker.connect(url: url, timeout: .seconds(60))
            #expect(remoteWorker.name == (try SyntheticPair.spm()).name)
            let remote = remoteWorker.makeSourceModel()
            let decoder = try FusionDecoder(
                models: [PackagedSourceModel(bpe.makeSourceModel(), splitter: bpe.splitter), remote],
                options: Self.options)
            let result = try await decoder.generate(prompt: Self.prompt)
            #expect(await worker.sessionCount == 1)
            await remote.close()
            #expect(await worker.sessionCount == 0)
            return result
        }
        expectSameFusion(fused, local)
        // The PPL matrix crosses the wire as JSON doubles, which round-trip exactly.
        #expect(fused.segments.map { $0.candidates.map(\.ppl) } == local.segments.map { $0.candidates.map(\.ppl) })
    }

    /// The request's stop sequences reach the worker with each `next_segment`, so a model behind it
    /// stops generating where a stop sequence is complete, as in process (a worker that ignored them
    /// would generate on to the next word boundary: more tokens, other candidates).
    @Test func workerModelStopsAtAStopSequenceLikeTheLocalModel() async throws {
        // A stop sequence from the middle of the text the models write without one.
        let characters = Array(try await localFusion().text)
        try #require(characters.count >= 8)
        let stop = String(characters[(characters.count / 2)..<(characters.count / 2 + 2)])
        let options = FusionOptions(maxTokens: Self.options.maxTokens, stopSequences: [stop])
        let local = try await localFusion(options)
        #expect(local.stats.stopReason == .stopSequence)
        #expect(local.segments.contains { $0.candidates.contains { $0.alignment == .stopSequence } })
        let bpe = try SyntheticPair.bpe()
        let fused = try await withLiveWorker(try SyntheticPair.spm()) { url, _ in
            let remote = try await RemoteWorker.connect(url: url, timeout: .seconds(60)).makeSourceModel()
            let decoder = try FusionDecoder(models: [PackagedSourceModel(bpe.makeSourceModel(), splitter: bpe.splitter), remote],
                                            options: options)
            let result = try await decoder.generate(prompt: Self.prompt)
            await remote.close()
            return result
        }
        expectSameFusion(fused, local)
        #expect(fused.segments.map { $0.candidates.map(\.alignment) } == local.segments.map { $0.candidates.map(\.alignment) })
        #expect(fused.stats.tokensGenerated == local.stats.tokensGenerated)
    }

    @Test func openAICompatibleEngineFusesLikeTheLocalModel() async throws {
        let local = try await localFusion()
        let bpe = try SyntheticPair.bpe()
        let spm = try SyntheticPair.spm()
        let fused = try await withLiveWorker(spm) { url, _ in
            // Our worker's /v1/completions speaks vLLM's shape (echo + logprobs, token ids).
            let engine = try await OpenAICompatibleEngine.connect(url: url, package: spm.package, timeout: .seconds(60))
            #expect(engine.contextLength == spm.contextLength || engine.contextLength == 4096)
            let decoder = try FusionDecoder(
                models: [PackagedSourceModel(bpe.makeSourceModel(), splitter: bpe.splitter), engine.makeSourceModel()],
                options: Self.options)
            return try await decoder.generate(prompt: Self.prompt)
        }
        expectSameFusion(fused, local)
    }

    @Test func unreachableWorkerIsNamedInTheError() async throws {
        // A port nothing listens on: bind-free loopback port 9 (discard) is never served here.
        do {
            _ = try await RemoteWorker.connect(url: "http://127.0.0.1:9", timeout: .seconds(5))
            Issue.record("connecting to a closed port succeeded")
        } catch let error as RemoteModelError {
            let text = error.description
            #expect(text.contains("http://127.0.0.1:9"))
            #expect(text.contains("info"))
        }
    }

    @Test func localSplitterWithoutPackageIsRefusedClearly() async throws {
        let bpe = try SyntheticPair.bpe()
        try await withLiveWorker(try SyntheticPair.spm()) { url, _ in
            let remote = try await RemoteWorker.connect(url: url).makeSourceModel()
            // The plain local model hands out its own tokenizer, which a worker cannot be told about.
            let decoder = try FusionDecoder(models: [bpe.makeSourceModel(), remote], options: Self.options)
            do {
                _ = try await decoder.generate(prompt: Self.prompt)
                Issue.record("fusion with an unpackaged splitter succeeded")
            } catch let error as RemoteModelError {
                #expect(error.description.contains("model 0"))
                #expect(error.description.contains((try SyntheticPair.spm()).name))
            }
            await remote.close()
        }
    }
}
