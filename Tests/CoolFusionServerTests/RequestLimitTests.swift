import CoolFusionServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// What a request may weigh and how a malformed one is named: a prompt that cannot fit a model's
/// context is refused by its size before it is tokenised, a body beyond what any prompt that fits
/// can need is not read, and broken text, numbers and methods are named with their field.
@Suite(.serialized) struct RequestLimitTests {
    func withServer(_ members: [any FusionMember],
                    _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let server = try FusionServer(members: members)
        try await Application(router: server.makeRouter()).test(.router, body)
    }

    @Test func promptsThatCannotFitAreRefusedBySizeBeforeTokenising() async throws {
        try await withServer([try SyntheticMembers.shortContext(), try SyntheticMembers.both()[1]]) { client in
            // 64 tokens of the short-context model hold a few kilobytes at most: 200 kB is refused by its size, with
            // the model whose context it cannot fit.
            let prompt = String(repeating: "word ", count: 40_000)
            try await ServerErrorTests.expectError(client, "/v1/completions", #"{"prompt": "\#(prompt)", "max_tokens": 4}"#,
                                                   status: .badRequest, param: "prompt",
                                                   contains: "the prompt is 200000 bytes, more than the")
            // A 63 MB prompt is not even read whole: no prompt that large fits any of the models.
            let huge = String(repeating: "a", count: 63_000_000)
            try await client.execute(uri: "/v1/completions", method: .post,
                                     body: ByteBuffer(string: #"{"prompt": "\#(huge)"}"#)) { response in
                #expect(response.status == .contentTooLarge)
                let error = try Wire.error(response)
                #expect(error.message.contains("more than a request that fits the models' contexts"), "\(error.message)")
            }
        }
    }

    @Test func brokenTextNumbersAndMethodsAreNamed() async throws {
        try await withServer([try TestModels.smol()]) { client in
            let completions = "/v1/completions"
            try await ServerErrorTests.expectError(client, completions, #"{"prompt": "a\ud800b"}"#, status: .badRequest,
                                                   param: "prompt", contains: "lone UTF-16 surrogate")
            try await ServerErrorTests.expectError(client, completions, #"{"prompt": "a\udc00b"}"#, status: .badRequest,
                                                   param: "prompt", contains: "lone UTF-16 surrogate")
            try await ServerErrorTests.expectError(client, completions, #"{"prompt": "Hi", "max_tokens": 4.5}"#,
                                                   status: .badRequest, param: "max_tokens", contains: "must be an integer")
            var invalid = ByteBuffer(string: #"{"prompt": "a"#)
            invalid.writeBytes([0xFF, 0xFE])
            invalid.writeString(#""}"#)
            try await client.execute(uri: completions, method: .post, body: invalid) { response in
                #expect(response.status == .badRequest)
                let error = try Wire.error(response)
                #expect(error.message.contains("not valid UTF-8"), "\(error.message)")
                #expect(error.param == "prompt")
            }
            // A pair is a character: no complaint about it.
            try await client.execute(uri: completions, method: .post,
                                     body: ByteBuffer(string: #"{"prompt": "\ud83d\ude00", "max_tokens": 1}"#)) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: completions, method: .get) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST")
            }
            try await client.execute(uri: "/health", method: .post) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET")
            }
        }
    }
}
