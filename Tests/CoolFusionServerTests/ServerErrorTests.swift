import CoolFusion
import CoolFusionRemote
import CoolFusionServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Requests the server must refuse, each with a 4xx/5xx JSON error that names the problem. Served by
/// the synthetic models: what is refused does not depend on the weights.
@Suite(.serialized) struct ServerErrorTests {
    func withServer(_ members: [any FusionMember]? = nil, configure: (inout ServeConfiguration) -> Void = { _ in },
                    _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        var configuration = ServeConfiguration()
        configuration.defaultMaxTokens = 8
        configuration.maximumMaxTokens = 512
        configure(&configuration)
        let members = try members ?? SyntheticMembers.both()
        let server = try FusionServer(members: members, configuration: configuration)
        try await Application(router: server.makeRouter()).test(.router, body)
    }

    static func expectError(_ client: any TestClientProtocol, _ uri: String, _ body: String,
                            status: HTTPResponse.Status, param: String? = nil, contains text: String) async throws {
        try await client.execute(uri: uri, method: .post, body: ByteBuffer(string: body)) { response in
            #expect(response.status == status, "\(body)")
            #expect(response.headers[.contentType] == "application/json")
            let error = try Wire.error(response)
            #expect(error.message.contains(text), "\(error.message)")
            if let param { #expect(error.param == param) }
        }
    }

    @Test func invalidRequestsAreRefusedClearly() async throws {
        try await withServer { client in
            let completions = "/v1/completions", chat = "/v1/chat/completions"
            try await Self.expectError(client, completions, "{\"prompt\": ", status: .badRequest, contains: "not valid JSON")
            try await Self.expectError(client, completions, "", status: .badRequest, contains: "empty")
            try await Self.expectError(client, completions, #"{"prompt": "Hi", "max_tokens": "ten"}"#, status: .badRequest,
                                       param: "max_tokens", contains: "wrong type: expected an integer")
            try await Self.expectError(client, completions, #"{"prompt": "Hi", "max_tokens": 0}"#, status: .badRequest,
                                       param: "max_tokens", contains: "between 1 and 512")
            try await Self.expectError(client, completions, #"{"prompt": "Hi", "max_tokens": 513}"#, status: .badRequest,
                                       param: "max_tokens", contains: "got 513")
            try await Self.expectError(client, completions, #"{"prompt": "Hi", "stream": "yes"}"#, status: .badRequest,
                                       param: "stream", contains: "expected a boolean")
            try await Self.expectError(client, completions, #"{"max_tokens": 5}"#, status: .badRequest,
                                       param: "prompt", contains: "missing required field 'prompt'")
            try await Self.expectError(client, completions, #"{"prompt": [1, 2, 3]}"#, status: .badRequest,
                                       param: "prompt", contains: "different tokenizers")
            try await Self.expectError(client, completions, #"{"prompt": "Hi", "n": 2}"#, status: .badRequest,
                                       param: "n", contains: "n = 1")
            try await Self.expectError(client, completions, #"{"prompt": "Hi", "model": "gpt-4"}"#, status: .notFound,
                                       param: "model", contains: "'gpt-4' does not exist")
            try await Self.expectError(client, completions, #"{"prompt": "Hi", "logprobs": 1}"#, status: .badRequest,
                                       param: "logprobs", contains: "not available")
            try await Self.expectError(client, completions, #"{"prompt": "Hi", "temperature": 5}"#, status: .badRequest,
                                       param: "temperature", contains: "between 0 and 2")
            try await Self.expectError(client, completions, #"{"prompt": "Hi", "stop": ["a", "b", "c", "d", "e"]}"#,
                                       status: .badRequest, param: "stop", contains: "at most 4 sequences, got 5")
            try await Self.expectError(client, completions, #"{"prompt": "Hi", "stop": ["\n", ""]}"#, status: .badRequest,
                                       param: "stop", contains: "stop sequence 1 is empty")
            try await Self.expectError(client, chat, #"{"messages": []}"#, status: .badRequest,
                                       param: "messages", contains: "must not be empty")
            try await Self.expectError(client, chat, #"{"messages": [{"role": "wizard", "content": "Hi"}]}"#,
                                       status: .badRequest, param: "messages", contains: "'wizard'")
            try await Self.expectError(client, chat, #"{"messages": [{"role": "user"}]}"#, status: .badRequest,
                                       param: "messages[0].content", contains: "missing required field")
            try await Self.expectError(client, chat, #"{"messages": {"role": "user"}}"#, status: .badRequest,
                                       param: "messages", contains: "wrong type")
        }
    }

    @Test func promptLongerThanAModelsContextIsRefused() async throws {
        let members = [try SyntheticMembers.shortContext(), try SyntheticMembers.both()[1]]
        try await withServer(members) { client in
            let long = String(repeating: "word ", count: 80)
            try await Self.expectError(client, "/v1/completions", #"{"prompt": "\#(long)", "max_tokens": 4}"#,
                                       status: .badRequest, param: "prompt", contains: SyntheticMembers.shortContextName)
            // Short prompt, but prompt + max_tokens beyond the 64-token context.
            try await Self.expectError(client, "/v1/completions", #"{"prompt": "Hi", "max_tokens": 100}"#,
                                       status: .badRequest, param: "prompt", contains: "context of 64 tokens")
        }
    }
}
