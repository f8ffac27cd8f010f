import CoolFusion
import CoolFusionRemote
import CoolFusionServer
import CoolFusionTestModels
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The server in process on the two synthetic models (byte-level BPE and SentencePiece): the answer is
/// the decoder's output, streaming adds up to it, and a full queue answers 503. Runs in a debug build
/// without any downloaded model.
@Suite struct SyntheticServerTests {
    static let prompt = "Question: What is two plus three?\nAnswer:"

    func withServer(_ members: [any FusionMember], configure: (inout ServeConfiguration) -> Void = { _ in },
                    _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        var configuration = ServeConfiguration()
        configure(&configuration)
        let server = try FusionServer(members: members, configuration: configuration)
        try await Application(router: server.makeRouter()).test(.router, body)
    }

    @Test func completionIsTheDecodersOutputWholeAndStreamed() async throws {
        let members = try SyntheticMembers.both()
        let direct = try await FusionDecoder(models: members.map { $0.makeSourceModel() }, options: FusionOptions(maxTokens: 12))
            .generate(prompt: Self.prompt)
        try await withServer(members) { client in
            let request = OpenAIWire.CompletionRequest(prompt: .text(Self.prompt), maxTokens: 12)
            try await client.execute(uri: "/v1/completions", method: .post, body: try Wire.json(request)) { response in
                #expect(response.status == .ok)
                let answer = try Wire.decode(OpenAIWire.CompletionResponse.self, response)
                let choice = try #require(answer.choices.first)
                #expect(choice.text == direct.text)
                #expect(answer.usage?.promptTokens == members[0].tokenizer.encodePrompt(Self.prompt).count)
                #expect(answer.usage?.completionTokens == direct.stats.committedTokens[0])
                #expect(answer.coolFusion?.models == SyntheticModel.allCases.map(\.name))
                #expect(answer.coolFusion?.segments?.map(\.winner) == direct.segments.map(\.winner))
            }
            let streamed = OpenAIWire.CompletionRequest(prompt: .text(Self.prompt), maxTokens: 12, stream: true)
            try await client.execute(uri: "/v1/completions", method: .post, body: try Wire.json(streamed)) { response in
                #expect(response.headers[.contentType] == "text/event-stream")
                let events = Wire.events(response)
                #expect(events.last == "[DONE]")
                let chunks = try Wire.chunks(OpenAIWire.CompletionResponse.self, response)
                #expect(chunks.count == direct.segments.count + 1)
                #expect(chunks.map { $0.choices[0].text }.joined() == direct.text)
            }
        }
    }

    /// One generation holds the only slot (it waits at its model's `open` until released), so a second
    /// request finds no slot and no room to wait; once the first is released it finishes, and the slot
    /// is free again.
    @Test func fullQueueAnswers503() async throws {
        let hold = Hold()
        let members = try SyntheticMembers.both().map { HeldMember(inner: $0, hold: hold) }
        try await withServer(members, configure: { $0.concurrency = 1; $0.queueLimit = 0 }) { client in
            let body = ByteBuffer(string: #"{"prompt": "Count: one, two,", "max_tokens": 8}"#)
            async let first = client.execute(uri: "/v1/completions", method: .post, body: body) { $0.status }
            await hold.firstArrival()
            let second = try await client.execute(uri: "/v1/completions", method: .post,
                                                  body: ByteBuffer(string: #"{"prompt": "Hi"}"#)) { response in
                (response.status, try Wire.error(response), response.headers[.retryAfter])
            }
            #expect(second.0 == .serviceUnavailable)
            #expect(second.2 == "1", "a 503 says when to retry")
            #expect(second.1.message.contains("busy"))
            await hold.release()
            #expect(try await first == .ok)
            try await client.execute(uri: "/v1/completions", method: .post,
                                     body: ByteBuffer(string: #"{"prompt": "Hi", "max_tokens": 2}"#)) {
                #expect($0.status == .ok)
            }
        }
    }

    /// A request may name its own method and selection rule (CoolFusion extensions): the answer is the
    /// decoder's with those, the response says which method ran, and a name the server does not know
    /// is a 400 naming the field.
    @Test func aRequestChoosesItsMethodAndSelection() async throws {
        let members = try SyntheticMembers.both()
        let gated = try await FusionDecoder(models: members.map { $0.makeSourceModel() },
                                            options: FusionOptions(method: .gated, maxTokens: 12, selection: RankVoteSelection()))
            .generate(prompt: Self.prompt)
        try await withServer(members) { client in
            var request = OpenAIWire.CompletionRequest(prompt: .text(Self.prompt), maxTokens: 12)
            request.method = "gated"
            request.selection = "vote"
            try await client.execute(uri: "/v1/completions", method: .post, body: try Wire.json(request)) { response in
                #expect(response.status == .ok)
                let answer = try Wire.decode(OpenAIWire.CompletionResponse.self, response)
                #expect(answer.choices.first?.text == gated.text)
                #expect(answer.coolFusion?.method == "gated")
                #expect(answer.coolFusion?.segments?.map(\.winner) == gated.segments.map(\.winner))
            }
            for (field, body) in [("method", #"{"prompt": "Hi", "method": "best-of-both"}"#),
                                  ("method", #"{"prompt": "Hi", "method": "single"}"#),
                                  ("selection", #"{"prompt": "Hi", "selection": "weighted"}"#),
                                  ("selection", #"{"prompt": "Hi", "selection": "loudest"}"#)] {
                try await client.execute(uri: "/v1/completions", method: .post, body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .badRequest, "\(body)")
                    let error = try Wire.error(response)
                    #expect(error.param == field, "\(body): \(error.message)")
                }
            }
        }
    }

    /// A request may set gated fusion's leader, signal and threshold (CoolFusion extensions): the
    /// answer is the decoder's with that gate; an unknown leader or signal, or a gate field for a
    /// request that does not run `gated`, is a 400 naming the field.
    @Test func aRequestChoosesItsGate() async throws {
        let members = try SyntheticMembers.both()
        let gate = GateSettings(leader: 1, signal: .margin, threshold: 2.0)
        let direct = try await FusionDecoder(models: members.map { $0.makeSourceModel() },
                                             options: FusionOptions(method: .gated, maxTokens: 12, gate: gate))
            .generate(prompt: Self.prompt)
        try await withServer(members) { client in
            var request = OpenAIWire.CompletionRequest(prompt: .text(Self.prompt), maxTokens: 12)
            request.method = "gated"
            request.leader = SyntheticModel.sentencePiece.name
            request.gateSignal = "margin"
            request.gateThreshold = 2.0
            try await client.execute(uri: "/v1/completions", method: .post, body: try Wire.json(request)) { response in
                #expect(response.status == .ok)
                let answer = try Wire.decode(OpenAIWire.CompletionResponse.self, response)
                #expect(answer.choices.first?.text == direct.text)
                let segments = try #require(answer.coolFusion?.segments)
                #expect(segments.map(\.winner) == direct.segments.map(\.winner))
                // The answer names the gate it ran with.
                #expect(answer.coolFusion?.gate == gate)
                #expect(segments.map { $0.gate?.fused } == direct.segments.map { $0.gate?.fused })
                #expect(segments.allSatisfy { $0.gate?.signal == .margin })
                // The leader wrote every segment the gate let through.
                #expect(segments.filter { $0.gate?.fused == false }.allSatisfy { $0.winner == 1 })
            }
            let leader = SyntheticModel.sentencePiece.name
            for (field, body) in [("leader", #"{"prompt": "Hi", "method": "gated", "leader": "gpt-4"}"#),
                                  ("gate_signal", #"{"prompt": "Hi", "method": "gated", "gate_signal": "loudness"}"#),
                                  ("leader", #"{"prompt": "Hi", "leader": "\#(leader)"}"#),
                                  ("gate_threshold", #"{"prompt": "Hi", "method": "cool", "gate_threshold": 0.5}"#),
                                  ("gate_threshold", #"{"prompt": "Hi", "method": "gated", "gate_threshold": "high"}"#)] {
                try await client.execute(uri: "/v1/completions", method: .post, body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .badRequest, "\(body)")
                    let error = try Wire.error(response)
                    #expect(error.param == field, "\(body): \(error.message)")
                }
            }
        }
    }
}
