import CoolFusion
import CoolFusionRemote
import CoolFusionServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The OpenAI-compatible server in process on the two smallest models: shapes, streaming, and that the
/// answer is exactly the fusion decoder's output.
@Suite(.serialized) struct FusionServerTests {
    static let prompt = "Question: What is the capital of France?\nAnswer:"

    static func server(configure: (inout ServeConfiguration) -> Void = { _ in }) throws -> FusionServer {
        var configuration = ServeConfiguration()
        configuration.defaultMaxTokens = 12
        configure(&configuration)
        return try FusionServer(members: [try TestModels.smol(), try TestModels.gemma()],
                                configuration: configuration)
    }

    func withServer(_ server: FusionServer, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await Application(router: server.makeRouter()).test(.router, body)
    }

    /// The same generation straight from the decoder.
    static func directFusion(maxTokens: Int) async throws -> FusionResult {
        let decoder = try FusionDecoder(models: [try TestModels.smol().makeSourceModel(), try TestModels.gemma().makeSourceModel()],
                                        options: FusionOptions(maxTokens: maxTokens))
        return try await decoder.generate(prompt: prompt)
    }

    @Test func healthAndModels() async throws {
        try await withServer(try Self.server()) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                let health = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                #expect(health?["status"] as? String == "ok")
                #expect(health?["models"] as? [String] == ["smollm2-135m", "gemma3-270m"])
            }
            try await client.execute(uri: "/v1/models", method: .get) { response in
                let list = try Wire.decode(OpenAIWire.ModelList.self, response)
                #expect(list.object == "list")
                #expect(list.data.map(\.id) == ["coolfusion"])
            }
        }
    }

    @Test func completionIsTheFusionDecodersOutput() async throws {
        let direct = try await Self.directFusion(maxTokens: 12)
        try await withServer(try Self.server()) { client in
            let body = ByteBuffer(string: #"{"model": "coolfusion", "prompt": "\#(Self.prompt.replacingOccurrences(of: "\n", with: "\\n"))", "max_tokens": 12}"#)
            try await client.execute(uri: "/v1/completions", method: .post, body: body) { response in
                #expect(response.status == .ok)
                let answer = try Wire.decode(OpenAIWire.CompletionResponse.self, response)
                #expect(answer.object == "text_completion")
                #expect(answer.id.hasPrefix("cmpl-"))
                #expect(answer.model == "coolfusion")
                let choice = try #require(answer.choices.first)
                #expect(choice.text == direct.text)
                #expect(choice.finishReason == (direct.stats.stopReason == .maxTokens ? "length" : "stop"))
                let usage = try #require(answer.usage)
                #expect(usage.promptTokens == (try TestModels.smol()).tokenizer.encode(Self.prompt).count)
                #expect(usage.completionTokens == direct.stats.committedTokens[0])
                #expect(usage.totalTokens == usage.promptTokens + usage.completionTokens)
                let info = try #require(answer.coolFusion)
                #expect(info.method == "cool")
                #expect(info.models == ["smollm2-135m", "gemma3-270m"])
                #expect(info.segments?.map(\.text).joined() == choice.text)
                #expect(info.segments?.map(\.winner) == direct.segments.map(\.winner))
            }
        }
    }

    /// A request naming its `task` is selected with that task's rule: with the leader rule, the task
    /// whose calibration put SmolLM2 first gets SmolLM2's own answer, the other task Gemma-3's.
    @Test func aRequestsTaskChoosesItsSelectionRule() async throws {
        var texts: [String] = []
        for model in [try TestModels.smol(), try TestModels.gemma()] {
            let decoder = try FusionDecoder(models: [model.makeSourceModel()], options: FusionOptions(method: .single, maxTokens: 12))
            texts.append(try await decoder.generate(prompt: Self.prompt).text)
        }
        let alone = texts
        #expect(alone[0] != alone[1], "the test needs the two models to answer differently")
        let rules = ["smol-task": try SelectionRules.make("leader", weights: [2, 1]),
                     "gemma-task": try SelectionRules.make("leader", weights: [1, 2])]
        let server = try Self.server { $0.taskSelections = rules }
        try await withServer(server) { client in
            for (task, expected) in [("smol-task", alone[0]), ("gemma-task", alone[1])] {
                let request = OpenAIWire.CompletionRequest(prompt: .text(Self.prompt), maxTokens: 12, task: task)
                try await client.execute(uri: "/v1/completions", method: .post, body: try Wire.json(request)) { response in
                    #expect(response.status == .ok)
                    let answer = try Wire.decode(OpenAIWire.CompletionResponse.self, response)
                    #expect(answer.choices.first?.text == expected, "task \(task)")
                }
            }
            let unknown = OpenAIWire.CompletionRequest(prompt: .text(Self.prompt), maxTokens: 12, task: "chess")
            try await client.execute(uri: "/v1/completions", method: .post, body: try Wire.json(unknown)) { response in
                #expect(response.status == .badRequest)
                let body = String(buffer: response.body)
                #expect(body.contains("unknown task 'chess'") && body.contains("gemma-task, smol-task"))
            }
        }
        try await withServer(try Self.server()) { client in
            let request = OpenAIWire.CompletionRequest(prompt: .text(Self.prompt), maxTokens: 12, task: "smol-task")
            try await client.execute(uri: "/v1/completions", method: .post, body: try Wire.json(request)) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("no per-task weights"))
            }
        }
    }

    @Test func streamedCompletionSendsEachSegmentThenDone() async throws {
        let direct = try await Self.directFusion(maxTokens: 12)
        try await withServer(try Self.server()) { client in
            let request = OpenAIWire.CompletionRequest(prompt: .text(Self.prompt), maxTokens: 12, stream: true)
            try await client.execute(uri: "/v1/completions", method: .post, body: try Wire.json(request)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/event-stream")
                let events = Wire.events(response)
                #expect(events.last == "[DONE]")
                let chunks = try Wire.chunks(OpenAIWire.CompletionResponse.self, response)
                // One event per committed segment, then the closing one with finish reason and usage.
                #expect(chunks.count == direct.segments.count + 1)
                #expect(chunks.map { $0.choices[0].text }.joined() == direct.text)
                #expect(chunks.dropLast().allSatisfy { $0.choices[0].finishReason == nil && $0.coolFusion?.segments?.count == 1 })
                #expect(chunks.last?.choices[0].finishReason != nil)
                #expect(chunks.last?.usage?.completionTokens == direct.stats.committedTokens[0])
                #expect(Set(chunks.map(\.id)).count == 1)
            }
        }
    }

    @Test func chatCompletionWholeAndStreamedAgree() async throws {
        try await withServer(try Self.server()) { client in
            let chat = #"{"messages": [{"role": "user", "content": "Name a colour."}], "max_tokens": 10}"#
            let whole = try await client.execute(uri: "/v1/chat/completions", method: .post, body: ByteBuffer(string: chat)) { response in
                #expect(response.status == .ok)
                return try Wire.decode(OpenAIWire.ChatResponse.self, response)
            }
            #expect(whole.object == "chat.completion")
            #expect(whole.choices[0].message.role == "assistant")
            #expect(!whole.choices[0].message.content.isEmpty)
            // Gemma-3-270M (base) has no chat template: the answer says so.
            #expect(whole.coolFusion?.warnings?.contains { $0.contains("gemma3-270m") } == true)
            let smolPrompt = ChatTemplate.detect(try TestModels.smol().chatTemplateSource, modelName: "smol").template
                .render([OpenAIWire.ChatMessage(role: "user", content: "Name a colour.")])
            #expect(whole.usage?.promptTokens == (try TestModels.smol()).tokenizer.encode(smolPrompt, parseSpecial: true).count)

            let streamedBody = ByteBuffer(string: String(chat.dropLast()) + #", "stream": true}"#)
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: streamedBody) { response in
                let events = Wire.events(response)
                #expect(events.last == "[DONE]")
                let chunks = try Wire.chunks(OpenAIWire.ChatChunk.self, response)
                #expect(chunks.first?.choices[0].delta.role == "assistant")
                #expect(chunks.allSatisfy { $0.object == "chat.completion.chunk" })
                #expect(chunks.compactMap { $0.choices[0].delta.content }.joined() == whole.choices[0].message.content)
                #expect(chunks.last?.choices[0].finishReason == whole.choices[0].finishReason)
                #expect(chunks.last?.usage == whole.usage)
            }
        }
    }
}
