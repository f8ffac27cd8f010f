import CoolFusionTestSupport
import CoolFusionModelStore
import CoolFusion
import CoolFusionRemote
import CoolFusionServer
import CoolFusionTestModels
import Hummingbird
import HummingbirdTesting
import Testing

/// Gated fusion with a member behind a real worker on loopback (the worker protocol, or the worker's
/// OpenAI-compatible completions): the same text, segments and gate decisions as the same models in
/// process, and a follower that catches up on the leader's text in one call per consultation.
@Suite(.serialized) struct GatedRemoteFusionTests {
    static let prompt = RemoteFusionTests.prompt
    static let maxTokens = 24

    static func gated(leader: Int, threshold: Double) -> FusionOptions {
        FusionOptions(method: .gated, maxTokens: maxTokens, gate: GateSettings(leader: leader, signal: .margin, threshold: threshold))
    }

    /// Both synthetic models in process (BPE first, SentencePiece second).
    static func localGated(leader: Int, threshold: Double) async throws -> FusionResult {
        let models: [any SourceModel] = [try SyntheticPair.bpe().makeSourceModel(), try SyntheticPair.spm().makeSourceModel()]
        return try await FusionDecoder(models: models, options: gated(leader: leader, threshold: threshold)).generate(prompt: prompt)
    }

    /// A threshold between the extremes, from the leader's own margins when it writes alone (their
    /// median), checked to give both confident and fused segments, so the catch-up is exercised.
    static func mixedThreshold(leader: Int) async throws -> Double {
        let alone = try await localGated(leader: leader, threshold: -.infinity)
        let margins = alone.segments.compactMap { $0.gate?.margin }.sorted()
        try #require(margins.count >= 2, "the leader wrote \(margins.count) segments")
        let threshold = margins[margins.count / 2]
        let mixed = try await localGated(leader: leader, threshold: threshold)
        let flags = mixed.segments.compactMap { $0.gate?.fused }
        try #require(flags.contains(true) && flags.contains(false), "threshold \(threshold) gave fused flags \(flags)")
        return threshold
    }

    /// How many consultations found text the follower had not seen: one catch-up call each.
    static func catchUps(_ result: FusionResult) -> Int {
        var pending = false
        var calls = 0
        for segment in result.segments {
            if segment.gate?.fused == true {
                if pending { calls += 1 }
                pending = false
            } else if !segment.text.isEmpty {
                pending = true
            }
        }
        return calls
    }

    /// `checksDrafts`: the remote member checks the leader's segment as the same model in process does
    /// (a worker); an engine, which has no such call, takes nothing from the leader's segment.
    static func expectSameGatedFusion(_ remote: FusionResult, _ local: FusionResult, checksDrafts: Bool = true) {
        #expect(remote.text == local.text)
        #expect(remote.segments.map(\.text) == local.segments.map(\.text))
        #expect(remote.segments.map(\.winner) == local.segments.map(\.winner))
        #expect(remote.segments.map { $0.gate?.fused } == local.segments.map { $0.gate?.fused })
        #expect(remote.segments.map { $0.candidates.map(\.text) } == local.segments.map { $0.candidates.map(\.text) })
        #expect(remote.stats.fusedSegments == local.stats.fusedSegments)
        #expect(remote.stats.catchUpTokens == local.stats.catchUpTokens)
        #expect(remote.stats.committedTokens == local.stats.committedTokens)
        if checksDrafts {
            #expect(remote.stats.tokensFromDraft == local.stats.tokensFromDraft)
        } else {
            #expect(remote.stats.tokensFromDraft?.allSatisfy { $0 == 0 } == true)
        }
    }

    /// Runs `body` against a real `WorkerServer` for `hosted` on a free loopback port, counting the
    /// requests it receives; `before` runs ahead of answering each (counted) request (given its path's last component).
    static func withCountedWorker<T: Sendable>(_ hosted: HostedModel, before: @escaping @Sendable (String) async -> Void = { _ in },
                                               _ body: @escaping @Sendable (String, WorkerServer, RequestCounter) async throws -> T)
        async throws -> T {
        let worker = WorkerServer(hosted: hosted, idleTimeout: .seconds(120))
        let counter = RequestCounter()
        // Around the worker's whole responder: a router's middleware covers only routes added after it.
        let inner = worker.makeRouter().buildResponder()
        let responder = CallbackResponder<ServerRequestContext> { request, context in
            try await counter.handle(request, context: context) { request, context in
                await before(request.uri.path.split(separator: "/").last.map(String.init) ?? "")
                return try await inner.respond(to: request, context: context)
            }
        }
        let app = Application(responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            try await body("http://127.0.0.1:\(client.port ?? 0)", worker, counter)
        }
    }

    @Test("a local leader and a follower behind a worker fuse as in process; one commit_text per catch-up",
          arguments: [-Double.infinity, Double.nan, Double.infinity])
    func followerBehindAWorker(threshold requested: Double) async throws {
        // NaN stands for the threshold between the extremes (found from the models, see mixedThreshold).
        let threshold = requested.isNaN ? try await Self.mixedThreshold(leader: 1) : requested
        let local = try await Self.localGated(leader: 1, threshold: threshold)
        let spm = try SyntheticPair.spm()
        let (remote, counts) = try await Self.withCountedWorker(try SyntheticPair.bpe()) { url, worker, counter in
            let follower = try await RemoteWorker.connect(url: url, timeout: .seconds(60)).makeSourceModel()
            let decoder = try FusionDecoder(models: [follower, PackagedSourceModel(spm.makeSourceModel(), splitter: spm.splitter)],
                                            options: Self.gated(leader: 1, threshold: threshold))
            let result = try await decoder.generate(prompt: Self.prompt)
            await follower.close()
            #expect(await worker.sessionCount == 0)
            return (result, counter.all)
        }
        Self.expectSameGatedFusion(remote, local)
        let fused = local.segments.filter { $0.gate?.fused == true }.count
        let consulted = fused > 0
        // The follower is called only when consulted: its session opens then (once), it proposes once
        // per consultation, and the leader's text it missed arrives in one commit_text per consultation.
        // (The first proposal is asked twice: a fresh worker answers 409 until it is sent the other
        // model's tokenizer, once.)
        #expect(counts["sessions", default: 0] == (consulted ? 1 : 0), "\(counts)")
        #expect(counts["next_segment", default: 0] == fused + (consulted ? 1 : 0), "\(counts)")
        #expect(counts["commit_text", default: 0] == Self.catchUps(local), "\(counts)")
        if threshold == -.infinity {
            // A generation the leader is sure of end to end never calls the follower at all.
            for call in ["sessions", "open", "next_segment", "assess", "commit", "commit_text"] {
                #expect(counts[call, default: 0] == 0, "\(call): \(counts)")
            }
        }
        if requested.isNaN {
            #expect(Self.catchUps(local) > 0)
            #expect((remote.stats.catchUpTokens?[0] ?? 0) > 0)
        }
    }

    /// The leader's segment travels with each `next_segment` to a follower behind a worker, which checks
    /// it there as in process: the same tokens taken from the check. On real models (the synthetic ones
    /// never write what the other wrote), SmolLM2 following Qwen2.5 with a gate that fuses most steps.
    @Test("a follower behind a worker checks the leader's segment as in process",
          .enabled(if: BuildMode.isRelease, "real models run in release builds: swift test -c release"))
    func workerFollowerChecksTheLeadersSegment() async throws {
        let follower = try HostedModel(path: try ModelStore().resolve("smollm2-135m"), name: "smollm2-135m")
        let leader = try HostedModel(path: try ModelStore().resolve("qwen2.5-coder-0.5b"), name: "qwen2.5-coder-0.5b")
        let options = FusionOptions(method: .gated, maxTokens: 24, gate: GateSettings(leader: 1, signal: .margin, threshold: 2.5))
        let prompt = "The capital of France is"
        let local = try await FusionDecoder(models: [follower.makeSourceModel(), leader.makeSourceModel()], options: options)
            .generate(prompt: prompt)
        let fromDraft = try #require(local.stats.tokensFromDraft)
        #expect(fromDraft[0] > 0, "the follower never agreed with the leader: \(fromDraft)")
        let (remote, _) = try await Self.withCountedWorker(follower) { url, _, counter in
            let remoteFollower = try await RemoteWorker.connect(url: url, timeout: .seconds(60)).makeSourceModel()
            let decoder = try FusionDecoder(
                models: [remoteFollower, PackagedSourceModel(leader.makeSourceModel(), splitter: leader.splitter)], options: options)
            let result = try await decoder.generate(prompt: prompt)
            await remoteFollower.close()
            return (result, counter.all)
        }
        Self.expectSameGatedFusion(remote, local)
        #expect(remote.segments.map { $0.candidates.map(\.ppl) } == local.segments.map { $0.candidates.map(\.ppl) })
    }

    @Test("a leader behind a worker writes alone there, and a local follower catches up as in process")
    func leaderBehindAWorker() async throws {
        let threshold = try await Self.mixedThreshold(leader: 1)
        let local = try await Self.localGated(leader: 1, threshold: threshold)
        let bpe = try SyntheticPair.bpe()
        let (remote, counts) = try await Self.withCountedWorker(try SyntheticPair.spm()) { url, _, counter in
            let leader = try await RemoteWorker.connect(url: url, timeout: .seconds(60)).makeSourceModel()
            let decoder = try FusionDecoder(models: [PackagedSourceModel(bpe.makeSourceModel(), splitter: bpe.splitter), leader],
                                            options: Self.gated(leader: 1, threshold: threshold))
            let result = try await decoder.generate(prompt: Self.prompt)
            await leader.close()
            return (result, counter.all)
        }
        Self.expectSameGatedFusion(remote, local)
        // The leader proposes every segment and never catches up: it wrote or committed all the text.
        // (plus the first one's retry, after the worker was sent the follower's tokenizer).
        #expect(counts["next_segment", default: 0] == local.segments.count + 1, "\(counts)")
        #expect(counts["commit_text", default: 0] == 0, "\(counts)")
        #expect(remote.stats.catchUpTokens?[1] == 0)
    }

    @Test("a follower behind an OpenAI-compatible engine fuses as in process",
          arguments: [-Double.infinity, Double.nan, Double.infinity])
    func followerBehindAnOpenAICompatibleEngine(threshold requested: Double) async throws {
        let threshold = requested.isNaN ? try await Self.mixedThreshold(leader: 1) : requested
        let local = try await Self.localGated(leader: 1, threshold: threshold)
        let bpe = try SyntheticPair.bpe()
        let spm = try SyntheticPair.spm()
        let (remote, counts) = try await Self.withCountedWorker(bpe) { url, _, counter in
            let engine = try await OpenAICompatibleEngine.connect(url: url, package: bpe.package, timeout: .seconds(60))
            // Connecting probes the engine's prompt mode with one completions request; count the generation's.
            let atConnection = counter.all
            let decoder = try FusionDecoder(
                models: [engine.makeSourceModel(), PackagedSourceModel(spm.makeSourceModel(), splitter: spm.splitter)],
                options: Self.gated(leader: 1, threshold: threshold))
            let result = try await decoder.generate(prompt: Self.prompt)
            return (result, counter.all.merging(atConnection) { $0 - $1 })
        }
        Self.expectSameGatedFusion(remote, local, checksDrafts: false)
        // An engine keeps no session: the missed text travels in the follower's next completions request,
        // so a generation that never consults the follower never calls the engine for a completion.
        if threshold == -.infinity { #expect(counts["completions", default: 0] == 0, "\(counts)") }
        if local.stats.fusedSegments ?? 0 > 0 { #expect(counts["completions", default: 0] > 0, "\(counts)") }
    }

    @Test("a follower whose worker stops answering at the catch-up fails the step within the timeout, naming it")
    func followerThatHangsAtTheCatchUp() async throws {
        let threshold = try await Self.mixedThreshold(leader: 1)
        let spm = try SyntheticPair.spm()
        // The worker takes the catch-up and never answers it (as a hung or unplugged machine would)
        // until the test is over.
        let (released, release) = AsyncStream<Void>.makeStream()
        defer { release.finish() }
        let timeout = Duration.seconds(3)
        let outcome = try await Self.withCountedWorker(try SyntheticPair.bpe(), before: { call in
            if call == "commit_text" { for await _ in released {} }
        }) { url, _, counter in
            let worker = try await RemoteWorker.connect(url: url, timeout: timeout)
            let follower = worker.makeSourceModel()
            let decoder = try FusionDecoder(models: [follower, PackagedSourceModel(spm.makeSourceModel(), splitter: spm.splitter)],
                                            options: Self.gated(leader: 1, threshold: threshold))
            let clock = ContinuousClock()
            let start = clock.now
            do {
                _ = try await decoder.generate(prompt: Self.prompt)
                release.finish()
                return ("the generation succeeded", clock.now - start, counter.count("commit_text"), url)
            } catch {
                release.finish()
                return (String(describing: error), clock.now - start, counter.count("commit_text"), url)
            }
        }
        let (message, elapsed, catchUps, url) = outcome
        #expect(catchUps == 1)
        #expect(message.contains(SyntheticModel.bytePairs.name), "\(message)")
        #expect(message.contains(url), "\(message)")
        #expect(message.contains("commit_text"), "\(message)")
        // The timeout ends the call; the margin is for a loaded machine, a hang would never end.
        #expect(elapsed < timeout + .seconds(30), "\(elapsed)")
    }
}
