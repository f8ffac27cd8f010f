import CoolFusion
import CoolFusionRemote
import CoolFusionServer
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The server on a real loopback socket: a client that hangs up cancels its generation and frees its
/// slot, and a worker that is gone ends the request at once with an error naming it (or is dropped,
/// when asked, and the fusion goes on as the remaining models' own).
@Suite(.serialized) struct LiveServerTests {
    /// A prompt small models continue for a long time (no end of text soon).
    static let longPrompt = "Count from 1 to 1000: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,"

    /// `/health` as a test reads it.
    struct Health: Decodable {
        var running: Int
        var waiting: Int
        var finished: Int
        var cancelled: Int
    }

    /// Reads `/health` on a raw socket with a generous bound rather than through the test client,
    /// whose 20 s read timeout is too short when other suites' engine work shares the 2 cores.
    static func health(port: Int) async throws -> Health {
        let connection = try RawHTTPConnection(port: port)
        defer { connection.close() }
        try connection.get("/health")
        return try JSONDecoder().decode(Health.self, from: Data(try await connection.body(within: .seconds(300))))
    }

    /// Polls `/health` until `condition` holds; the bound only keeps a broken server from hanging the test.
    static func waitForHealth(port: Int, _ what: String, until condition: (Health) -> Bool) async throws -> Health {
        let clock = ContinuousClock()
        let start = clock.now
        while true {
            let health = try await health(port: port)
            if condition(health) { return health }
            guard clock.now - start < .seconds(300) else {
                Issue.record("\(what): still \(health) after the no-hang bound")
                return health
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func clientDisconnectCancelsTheGenerationAndFreesItsSlot() async throws {
        var configuration = ServeConfiguration()
        configuration.concurrency = 1
        configuration.queueLimit = 0
        let server = try FusionServer(members: [try TestModels.smol(), try TestModels.gemma()],
                                      configuration: configuration)
        let app = Application(router: server.makeRouter(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            for (round, stream) in [false, true].enumerated() {
                // 1,500 tokens of counting would take minutes: the generation is certainly still running
                // when the client hangs up.
                let connection = try RawHTTPConnection(port: port)
                try connection.post("/v1/completions", json: """
                    {"prompt": \(String(decoding: try JSONEncoder().encode(Self.longPrompt), as: UTF8.self)), \
                    "max_tokens": 1500, "stream": \(stream)}
                    """)
                if stream {
                    // The first committed segment arrived: the generation is under way.
                    _ = try await connection.read(until: "data: ", within: .seconds(300))
                } else {
                    _ = try await Self.waitForHealth(port: port, "generation started") { $0.running == 1 }
                }
                connection.close()
                let after = try await Self.waitForHealth(port: port, "slot freed (stream: \(stream))") { $0.running == 0 }
                // It stopped because its client left, not because it ran to its end.
                #expect(after.cancelled == round + 1, "stream: \(stream)")
                #expect(after.finished == 0, "stream: \(stream)")
            }
            // With one slot and no queue, the next request is served (not refused with 503): the slot is
            // free. (On its own connection: the server closes a generation's connection after answering.)
            let next = try RawHTTPConnection(port: port)
            try next.post("/v1/completions", json: #"{"prompt": "Hello", "max_tokens": 2}"#)
            let answer = try await next.read(until: "\"choices\"", within: .seconds(300))
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
            next.close()
            let end = try await Self.health(port: port)
            #expect(end.finished == 1 && end.cancelled == 2 && end.running == 0)
        }
    }

    /// Connects to a worker on a live port, then shuts that worker down (its port now refuses).
    static func vanishedWorker(timeout: Duration = .seconds(10)) async throws -> RemoteWorker {
        let worker = WorkerServer(hosted: try TestModels.gemma())
        let app = Application(router: worker.makeRouter(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            try await RemoteWorker.connect(url: "http://127.0.0.1:\(client.port ?? 0)", timeout: timeout)
        }
    }

    @Test func refusedConnectionFailsAtOnceNamingTheWorker() async throws {
        // With an hour's timeout, only failing fast (not retrying until the deadline) ends this call.
        let gone = try await Self.vanishedWorker(timeout: .seconds(3600))
        let model = gone.makeSourceModel()
        let error = try await withNoHangBound(.seconds(120)) { () -> RemoteModelError? in
            do {
                try await model.open(prompt: "Hello")
                return nil
            } catch let error as RemoteModelError {
                return error
            }
        }
        let failure = try #require(error, "open on a vanished worker succeeded")
        guard case .unreachable(let worker, let url, let operation, let reason) = failure else {
            Issue.record("expected an unreachable worker, got: \(failure)")
            return
        }
        #expect(worker == "gemma3-270m")
        #expect(url == gone.url)
        #expect(operation == "open")
        #expect(reason == "connection refused")
        #expect(failure.description.contains(gone.url))
    }

    @Test func vanishedWorkerEndsTheRequestNamingIt() async throws {
        let gone = try await Self.vanishedWorker()
        let server = try FusionServer(members: [try TestModels.smol(), gone])
        try await Application(router: server.makeRouter()).test(.router) { client in
            try await client.execute(uri: "/v1/completions", method: .post,
                                     body: ByteBuffer(string: #"{"prompt": "Hello", "max_tokens": 4}"#)) { response in
                #expect(response.status == .badGateway)
                let error = try Wire.error(response)
                #expect(error.message.contains("gemma3-270m"))
                #expect(error.message.contains(gone.url))
                #expect(error.message.contains("connection refused"))
                #expect(error.type == "worker_error")
            }
            // Streamed: the error arrives as an event, then [DONE].
            try await client.execute(uri: "/v1/completions", method: .post,
                                     body: ByteBuffer(string: #"{"prompt": "Hello", "max_tokens": 4, "stream": true}"#)) { response in
                let events = Wire.events(response)
                #expect(events.last == "[DONE]")
                #expect(events.contains { $0.contains("\"error\"") && $0.contains("gemma3-270m") })
            }
        }
    }

    @Test func droppedWorkerIsReportedAndTheFusionGoesOnAsTheOthersAlone() async throws {
        let gone = try await Self.vanishedWorker()
        var configuration = ServeConfiguration()
        configuration.dropFailedWorkers = true
        let server = try FusionServer(members: [try TestModels.smol(), gone],
                                      configuration: configuration)
        // The worker is dropped when its session fails to open, before the first step, so the answer is
        // SmolLM2's own fusion: the dropped model's word boundaries no longer cut the segments.
        let alone = try FusionDecoder(models: [try TestModels.smol().makeSourceModel()], options: FusionOptions(maxTokens: 12))
        let expected = try await alone.generate(prompt: "The capital of France is")
        try await Application(router: server.makeRouter()).test(.router) { client in
            try await client.execute(uri: "/v1/completions", method: .post,
                                     body: ByteBuffer(string: #"{"prompt": "The capital of France is", "max_tokens": 12}"#)) { response in
                #expect(response.status == .ok)
                let answer = try Wire.decode(OpenAIWire.CompletionResponse.self, response)
                let dropped = try #require(answer.coolFusion?.droppedModels)
                #expect(dropped.count == 1)
                #expect(dropped[0].contains("gemma3-270m dropped"))
                #expect(dropped[0].contains(gone.url))
                #expect(!expected.text.isEmpty)
                #expect(answer.choices.first?.text == expected.text)
                // Every segment was won by SmolLM2; the dropped model proposed nothing.
                let segments = answer.coolFusion?.segments ?? []
                #expect(!segments.isEmpty && segments.allSatisfy { $0.winner == 0 })
                #expect(segments.allSatisfy { $0.candidates.count == 2 && $0.candidates[1].text.isEmpty })
            }
        }
    }
}
