import CoolFusionRemote
import CoolFusionServer
import CoolFusionTestModels
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The playground page at `/` and its setup, in process on the synthetic models: served as HTML that
/// fetches nothing from elsewhere, and offering only what requests can set. (PlaygroundBrowserTests
/// drives it in a real browser.)
@Suite struct PlaygroundPageTests {
    func withServer(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let server = try FusionServer(members: try SyntheticMembers.both())
        try await Application(router: server.makeRouter()).test(.router, body)
    }

    @Test func rootServesThePlaygroundAsSelfContainedHTML() async throws {
        try await withServer { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let policy = try #require(response.headers[.contentSecurityPolicy])
                #expect(policy.contains("default-src 'none'") && policy.contains("connect-src 'self'"), "\(policy)")
                let page = String(decoding: response.body.readableBytesView, as: UTF8.self)
                #expect(page.hasPrefix("<!doctype html>"))
                #expect(page.contains("<title>CoolFusion playground</title>"))
                #expect(page.contains("v1/chat/completions") && page.contains("v1/completions"))
                #expect(!page.contains("/*STYLE*/") && !page.contains("/*SCRIPT*/"), "the style and script are inline")
                Self.expectNoExternalReferences(page)
            }
            try await client.execute(uri: "/", method: .post) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET")
            }
        }
    }

    /// No absolute or protocol-relative URL anywhere, and every `src`/`href` is inline data.
    static func expectNoExternalReferences(_ page: String) {
        for scheme in ["http:", "https:", "ws:", "wss:", "ftp:"] {
            #expect(!page.lowercased().contains(scheme), "the page names a \(scheme) URL")
        }
        #expect(!page.contains("@import") && !page.contains("url("), "the style sheet loads nothing")
        let attributes = try! NSRegularExpression(pattern: #"\b(src|href|action)\s*=\s*["']?([^"'\s>]*)"#, options: [.caseInsensitive])
        let range = NSRange(page.startIndex..., in: page)
        for match in attributes.matches(in: page, range: range) {
            let value = String(page[Range(match.range(at: 2), in: page)!])
            #expect(value.hasPrefix("data:"), "the page loads \(value)")
        }
        #expect(!page.contains("\"//") && !page.contains("'//"), "a protocol-relative URL")
    }

    @Test func setupOffersWhatRequestsCanSet() async throws {
        try await withServer { client in
            try await client.execute(uri: "/playground/config.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                #expect(object["model"] as? String == "coolfusion")
                #expect(object["models"] as? [String] == SyntheticModel.allCases.map(\.name))
                #expect(object["method"] as? String == "cool")
                #expect(object["selection"] as? String == "paper")
                // What a request may name instead: every fusing method, and the rules that need no weights
                // (this server has none, so `weighted` is not offered).
                #expect(object["methods"] as? [String] == ["cool", "cool-align", "rerank", "cool+rerank", "gated"])
                #expect(object["selections"] as? [String] == ["paper", "logppl", "vote", "median", "leader", "majority"])
                #expect(object["tasks"] as? [String] == [])
                #expect(object["default_max_tokens"] as? Int == 256)
                #expect(object["max_tokens_limit"] as? Int == 4096)
                #expect(object["sampling"] as? Bool == true, "every member is local")
            }
        }
    }

    /// What the page reads from each streamed chunk: one segment whose winner is one of its candidates,
    /// each candidate with its proposer and one perplexity per model.
    @Test func streamedChunksCarryTheSegmentsThePageShows() async throws {
        try await withServer { client in
            let request = OpenAIWire.CompletionRequest(prompt: .text("Question: What is two plus three?\nAnswer:"),
                                                       maxTokens: 12, stream: true)
            try await client.execute(uri: "/v1/completions", method: .post, body: try Wire.json(request)) { response in
                let chunks = try Wire.chunks(OpenAIWire.CompletionResponse.self, response)
                let segmentChunks = chunks.dropLast()
                #expect(!segmentChunks.isEmpty)
                for chunk in segmentChunks {
                    let segments = try #require(chunk.coolFusion?.segments)
                    #expect(segments.count == 1)
                    let segment = try #require(segments.first)
                    #expect(segment.text == chunk.choices[0].text)
                    #expect(segment.candidates.indices.contains(segment.winner))
                    #expect(segment.winnerModel != nil)
                    for candidate in segment.candidates { #expect(candidate.ppl.count == SyntheticModel.allCases.count) }
                }
                #expect(chunks.last?.coolFusion?.segments == nil)
                #expect(chunks.last?.choices[0].finishReason != nil)
            }
        }
    }
}
