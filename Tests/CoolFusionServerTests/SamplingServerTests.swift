import CoolFusion
import CoolFusionRemote
import CoolFusionServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `temperature`, `top_p` and `seed` of the completion endpoints, on a real server on loopback over
/// the synthetic models: a request samples exactly as the decoder does with the same settings, the same
/// seed gives the same text, and values out of range are refused with a 400 naming the field.
@Suite struct SamplingServerTests {
    static let prompt = "Question: What is two plus three?\nAnswer:"

    func withLiveServer(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        var configuration = ServeConfiguration()
        configuration.maximumMaxTokens = 512
        let server = try FusionServer(members: try SyntheticMembers.both(), configuration: configuration)
        let app = Application(router: server.makeRouter(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live, body)
    }

    /// One completion on a connection of its own (the server closes a generation's connection after
    /// answering): its text.
    static func completionText(port: Int, _ json: String) async throws -> String? {
        let connection = try RawHTTPConnection(port: port)
        defer { connection.close() }
        try connection.post("/v1/completions", json: json)
        let body = try await connection.body(within: .seconds(300))
        let answer = try WireCoding.decoder().decode(OpenAIWire.CompletionResponse.self, from: Data(body))
        return answer.choices.first?.text
    }

    static func direct(_ sampling: TokenSampling) async throws -> String {
        let members = try SyntheticMembers.both()
        return try await FusionDecoder(models: members.map { $0.makeSourceModel() },
                                       options: FusionOptions(maxTokens: 16, sampling: sampling))
            .generate(prompt: prompt).text
    }

    @Test func sampledRequestsAreTheDecodersOutputAndRepeatWithTheSeed() async throws {
        let sampled = try await Self.direct(TokenSampling(temperature: 2, seed: 2))
        let greedy = try await Self.direct(.greedy)
        #expect(sampled != greedy)
        let promptJSON = String(decoding: try JSONEncoder().encode(Self.prompt), as: UTF8.self)
        try await withLiveServer { client in
            let port = try #require(client.port)
            let request = #"{"prompt": \#(promptJSON), "max_tokens": 16, "temperature": 2, "top_p": 1, "seed": 2}"#
            #expect(try await Self.completionText(port: port, request) == sampled)
            #expect(try await Self.completionText(port: port, request) == sampled)
            let zero = #"{"prompt": \#(promptJSON), "max_tokens": 16, "temperature": 0, "seed": 7}"#
            #expect(try await Self.completionText(port: port, zero) == greedy)
        }
    }

    /// In process through the router: the live test client keeps one connection, which the server may
    /// close after an answer (answers carry `Connection: close`), so twelve requests in a row on it
    /// could wait for a reply that never comes.
    @Test func outOfRangeSamplingIsRefusedNamingTheField() async throws {
        var configuration = ServeConfiguration()
        configuration.maximumMaxTokens = 512
        let server = try FusionServer(members: try SyntheticMembers.both(), configuration: configuration)
        try await Application(router: server.makeRouter()).test(.router) { client in
            let cases: [(String, String, String)] = [
                (#""temperature": -0.5"#, "temperature", "between 0 and 2"),
                (#""temperature": 2.5"#, "temperature", "got 2.5"),
                (#""top_p": -0.5"#, "top_p", "got -0.5"),
                (#""top_p": 0"#, "top_p", "greater than 0"),
                (#""top_p": 1.5"#, "top_p", "at most 1"),
                (#""seed": "seven""#, "seed", "expected an integer"),
            ]
            for (field, param, text) in cases {
                for uri in ["/v1/completions", "/v1/chat/completions"] {
                    let body = uri.hasSuffix("chat/completions")
                        ? #"{"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 2, \#(field)}"#
                        : #"{"prompt": "Hi", "max_tokens": 2, \#(field)}"#
                    try await client.execute(uri: uri, method: .post, headers: [.contentType: "application/json"],
                                             body: ByteBuffer(string: body)) { response in
                        #expect(response.status == .badRequest, "\(uri) \(field)")
                        let error = try Wire.error(response)
                        #expect(error.param == param, "\(uri) \(field): \(error)")
                        #expect(error.message.contains(text), "\(uri) \(field): \(error.message)")
                    }
                }
            }
        }
    }
}
