import CoolFusion
import CoolFusionTestModels
import CoolFusionTestSupport
import Foundation
import Testing

/// `coolfusion serve --method gated` with a follower behind a real `coolfusion worker` process, on the
/// synthetic models: a follower that is gone (killed) or does not answer (stopped) when the gate
/// consults it ends the request with an error naming it, within the worker timeout, or is dropped with
/// `--drop-failed-workers` while the leader finishes the generation.
@Suite(.serialized) struct GatedServeTests {
    static let request = #"{"prompt": "Question: What is the capital of France?\nAnswer:", "max_tokens": 12}"#
    static let follower = SyntheticModel.sentencePiece.name
    /// Short, so a stopped worker is given up on quickly; a hang would outlast the test's bound.
    static let workerTimeout = 5.0

    /// A worker for the SentencePiece model and a gated master whose leader is the local BPE model.
    static func start(threshold: String, drop: Bool) throws -> (worker: ServerProcess, master: ServerProcess) {
        let worker = try ServerProcess(["worker", "--model", try SyntheticModel.sentencePiece.path()])
        var arguments = ["serve", "--method", "gated", "--model", try SyntheticModel.bytePairs.path(), "--worker", worker.url,
                         "--leader", SyntheticModel.bytePairs.name, "--gate-threshold=\(threshold)",
                         "--worker-timeout", String(workerTimeout)]
        if drop { arguments.append("--drop-failed-workers") }
        do {
            return (worker, try ServerProcess(arguments))
        } catch {
            worker.stop()
            throw error
        }
    }

    /// The answer's `cool_fusion` object.
    static func coolFusion(_ body: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        return try #require(object?["cool_fusion"] as? [String: Any], "\(body)")
    }

    /// Makes the worker unusable: killed (connections refused) or stopped (connections accepted by the
    /// kernel, never answered, so only the timeout ends the call).
    static func disable(_ worker: ServerProcess, stopped: Bool) {
        if stopped { kill(worker.process.processIdentifier, SIGSTOP) } else { worker.kill() }
    }

    @Test("a dead follower ends a fused step with an error naming it, within the timeout", arguments: [false, true])
    func deadFollowerIsNamed(stopped: Bool) async throws {
        let (worker, master) = try Self.start(threshold: "inf", drop: false)
        defer {
            kill(worker.process.processIdentifier, SIGCONT)
            master.stop()
            worker.stop()
        }
        Self.disable(worker, stopped: stopped)
        let clock = ContinuousClock()
        let start = clock.now
        let answer = try await EndToEndTests.post(master.url + "/v1/completions", Self.request, timeout: .seconds(300))
        #expect(answer.status == 502 || answer.status == 504, "\(answer.body)")
        #expect(answer.body.contains(Self.follower), "\(answer.body)")
        #expect(answer.body.contains(worker.url), "\(answer.body)")
        // No hang. Alone this takes about a second (killed) or the worker timeout (stopped); sharing two
        // cores with the whole suite and other work, the killed case was once measured at 147 s, so the
        // bound leaves that room. A hang would end only at the client's 300 s timeout.
        #expect(clock.now - start < .seconds(Self.workerTimeout + 175))
    }

    @Test("with --drop-failed-workers a dead follower is dropped and the leader finishes", arguments: [false, true])
    func deadFollowerIsDropped(stopped: Bool) async throws {
        let (worker, master) = try Self.start(threshold: "inf", drop: true)
        defer {
            kill(worker.process.processIdentifier, SIGCONT)
            master.stop()
            worker.stop()
        }
        Self.disable(worker, stopped: stopped)
        let answer = try await EndToEndTests.post(master.url + "/v1/completions", Self.request, timeout: .seconds(300))
        #expect(answer.status == 200, "\(answer.body)")
        let trace = try Self.coolFusion(answer.body)
        let dropped = try #require(trace["dropped_models"] as? [String], "\(answer.body)")
        #expect(dropped.count == 1)
        #expect(dropped.first?.contains("\(Self.follower) dropped") == true, "\(dropped)")
        #expect(dropped.first?.contains(worker.url) == true, "\(dropped)")
        // Every step was fused (the gate always opens), and the leader won each: the dropped follower
        // proposed nothing.
        let segments = try #require(trace["segments"] as? [[String: Any]], "\(answer.body)")
        #expect(!segments.isEmpty)
        for segment in segments {
            #expect((segment["gate"] as? [String: Any])?["fused"] as? Bool == true, "\(segment)")
            let candidates = segment["candidates"] as? [[String: Any]] ?? []
            let winner = segment["winner"] as? Int ?? -1
            #expect(candidates.indices.contains(winner) && candidates[winner]["model"] as? Int == 0, "\(segment)")
        }
    }

    @Test("a gate that never opens never calls the follower: a dead one does not matter")
    func deadFollowerNeverConsulted() async throws {
        let (worker, master) = try Self.start(threshold: "-inf", drop: false)
        defer {
            master.stop()
            worker.stop()
        }
        worker.kill()
        let answer = try await EndToEndTests.post(master.url + "/v1/completions", Self.request, timeout: .seconds(300))
        #expect(answer.status == 200, "\(answer.body)")
        let trace = try Self.coolFusion(answer.body)
        #expect((trace["dropped_models"] as? [String] ?? []).isEmpty, "\(answer.body)")
        let segments = try #require(trace["segments"] as? [[String: Any]], "\(answer.body)")
        #expect(!segments.isEmpty)
        #expect(segments.allSatisfy { ($0["gate"] as? [String: Any])?["fused"] as? Bool == false }, "\(answer.body)")
    }

    /// The fused flags of a trace's segments, as JSON gives them.
    static func fusedFlags(_ object: [String: Any]) -> [Bool?] {
        (object["segments"] as? [[String: Any]] ?? []).map { ($0["gate"] as? [String: Any])?["fused"] as? Bool }
    }

    @Test("serve --method gated with a follower behind a worker answers as generate does in process")
    func workerFollowerServesAsInProcess() async throws {
        // A threshold between the extremes: the SentencePiece leader's median margin when it writes
        // alone, so the answer has confident segments and fused ones (whose catch-up crosses the wire).
        // The margin signal is named, since the threshold is one of its values.
        let models = try SyntheticMembers.both().reversed().map { $0.makeSourceModel() }
        let alone = try await FusionDecoder(models: models, options: FusionOptions(
            method: .gated, maxTokens: 24, gate: GateSettings(leader: 0, signal: .margin, threshold: -.infinity)))
            .generate(prompt: "Question: What is the capital of France?\nAnswer:")
        let margins = alone.segments.compactMap { $0.gate?.margin }.sorted()
        try #require(margins.count >= 2, "the leader wrote \(margins.count) segments")
        let threshold = String(margins[margins.count / 2])

        let worker = try ServerProcess(["worker", "--model", try SyntheticModel.bytePairs.path()])
        defer { worker.stop() }
        let master = try ServerProcess(["serve", "--method", "gated", "--model", try SyntheticModel.sentencePiece.path(),
                                        "--worker", worker.url, "--gate-signal", "margin", "--gate-threshold=\(threshold)"])
        defer { master.stop() }
        let answer = try await EndToEndTests.post(master.url + "/v1/completions",
                                                  #"{"prompt": "Question: What is the capital of France?\nAnswer:", "max_tokens": 24}"#,
                                                  timeout: .seconds(300))
        #expect(answer.status == 200, "\(answer.body)")
        let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
        let served = try Self.coolFusion(answer.body)
        let servedText = (object?["choices"] as? [[String: Any]])?.first?["text"] as? String

        let generated = try EndToEndTests.generatedJSON(
            ["--method", "gated", "--model", try SyntheticModel.sentencePiece.path(), "--model", try SyntheticModel.bytePairs.path(),
             "--gate-signal", "margin", "--gate-threshold=\(threshold)", "--max-tokens", "24"],
            prompt: "Question: What is the capital of France?\nAnswer:")

        #expect(servedText == generated["text"] as? String)
        let flags = Self.fusedFlags(served)
        #expect(flags == Self.fusedFlags(generated))
        #expect(flags.contains(true) && flags.contains(false), "\(flags)")
    }
}
