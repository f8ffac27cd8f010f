import CoolFusionTestModels
import CoolFusionTestSupport
import Foundation
import Testing

/// `coolfusion chat` with piped standard input, through the built executable: one turn per line, no
/// colour codes, each model's template announced, and every turn's prompt holding the conversation so
/// far until `/reset`. On the synthetic models (no chat template: the plain fallback), in any build.
@Suite("coolfusion chat")
struct ChatCommandTests {
    static func models() throws -> [String] {
        try SyntheticModel.allCases.flatMap { ["--model", try $0.path()] }
    }

    /// The `/prompt` listings of `stdout`, in order: each is the text after `--- NAME ---` lines.
    static func promptListings(_ stdout: String, model: String) -> [String] {
        stdout.components(separatedBy: "--- \(model) ---\n").dropFirst().map { $0 }
    }

    @Test("two turns, /prompt, /trace, /reset, a bad /method, /quit")
    func pipedSession() throws {
        let script = [
            "Hello there", "What comes next", "/prompt", "/trace", "/reset", "Again", "/prompt",
            "/method nonsense", "/method rerank", "/quit", "never read",
        ].joined(separator: "\n") + "\n"
        let result = try CoolFusionExecutable.run(["chat"] + Self.models() + ["--max-tokens", "6"], stdin: script,
                                                  environment: ["COOLFUSION_MODELS": "/nonexistent"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("\u{1B}["), "colour codes on a pipe")
        for model in SyntheticModel.allCases {
            #expect(result.stderr.contains("\(model.name): plain 'User:/Assistant:' chat template (model \(model.name) has no chat template"),
                    "\(result.stderr)")
        }
        let name = SyntheticModel.allCases[0].name
        let listings = Self.promptListings(result.stdout, model: name)
        try #require(listings.count == 2, "\(result.stdout)")
        // The second turn's prompt holds the first exchange, then the second question.
        let second = listings[0]
        let first = try #require(second.range(of: "User: Hello there\n\nAssistant: "))
        let next = try #require(second.range(of: "User: What comes next\n\nAssistant:"))
        #expect(first.upperBound <= next.lowerBound)
        // /trace lists the last turn's steps with the perplexity matrix.
        #expect(result.stdout.contains("step 1: "))
        #expect(result.stdout.contains("ppl "))
        #expect(result.stdout.contains("[conversation reset]"))
        // After /reset the conversation starts over.
        let afterReset = listings[1]
        #expect(afterReset.hasPrefix("User: Again\n\nAssistant:"), "\(afterReset)")
        #expect(!afterReset.contains("Hello there"))
        #expect(result.stdout.contains("error: unknown method 'nonsense'"))
        #expect(result.stdout.contains("[method: rerank]"))
        #expect(!result.stdout.contains("never read"))
    }

    /// Gated chat: `--leader` chooses who writes, `/leader` changes it for the next turn, and a name
    /// that is not a model is refused naming the models. With `--gate-threshold 0` the gate never opens,
    /// so every step of a turn is the leader's own.
    @Test("gated chat: --leader and /leader choose the model that writes")
    func gatedChatFollowsTheLeader() throws {
        let names = SyntheticModel.allCases.map(\.name)
        let script = ["Hello", "/trace", "/leader nonsense", "/leader \(names[0])", "/method gated", "Again", "/trace", "/quit"]
            .joined(separator: "\n") + "\n"
        let arguments = ["chat"] + (try Self.models())
            + ["--max-tokens", "6", "--method", "gated", "--leader", names[1], "--gate-threshold", "0"]
        let result = try CoolFusionExecutable.run(arguments, stdin: script)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("gated fusion: \(names[1]) leads"), "\(result.stderr)")
        #expect(result.stdout.contains("error: 'nonsense' is not one of the models (\(names.joined(separator: ", ")))"))
        #expect(result.stdout.contains("[method: gated, led by \(names[0])]"), "\(result.stdout)")
        let turns = result.stdout.components(separatedBy: "[leader: \(names[0])]")
        try #require(turns.count == 2, "\(result.stdout)")
        /// The model each traced step came from (`step N: "text" from NAME [gated: ...]`).
        func writers(_ text: String) -> [String] {
            text.split(separator: "\n").filter { $0.hasPrefix("step ") }.compactMap { line in
                line.components(separatedBy: " from ").last?.split(separator: " ").first.map(String.init)
            }
        }
        let first = writers(turns[0]), second = writers(turns[1])
        #expect(!first.isEmpty && first.allSatisfy { $0 == names[1] }, "\(turns[0])")
        #expect(!second.isEmpty && second.allSatisfy { $0 == names[0] }, "\(turns[1])")
        #expect(turns[0].contains("[gated: ") && !result.stdout.contains("[fused: "))
    }

    @Test("the same seed gives the same chat answer; a bad sampling flag is refused naming it")
    func sampledChat() throws {
        let arguments = ["chat"] + (try Self.models()) + ["--max-tokens", "8", "--temperature", "1", "--seed", "5"]
        let one = try CoolFusionExecutable.run(arguments, stdin: "Hello\n/quit\n")
        let two = try CoolFusionExecutable.run(arguments, stdin: "Hello\n/quit\n")
        #expect(one.status == 0 && two.status == 0, "\(one.stderr)")
        #expect(!one.stdout.isEmpty)
        #expect(one.stdout == two.stdout)
        let refused = try CoolFusionExecutable.run(["chat", "--top-p", "0"] + (try Self.models()), stdin: "")
        #expect(refused.status != 0 && refused.stderr.contains("--top-p must be greater than 0"), "\(refused.stderr)")
    }
}
