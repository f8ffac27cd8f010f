import CoolFusionTestModels
import CoolFusionTestSupport
import Foundation
import Testing

/// `generate --temperature --top-p --seed` through the built executable on the synthetic models: the
/// seed fixes the text, temperature 0 is the greedy output, and values out of range are refused naming
/// the flag.
@Suite("coolfusion generate sampling")
struct GenerateSamplingTests {
    static func text(_ extra: [String]) throws -> String {
        let models = try SyntheticModel.allCases.flatMap { ["--model", try $0.path()] }
        let result = try CoolFusionExecutable.run(["generate", "--json", "--max-tokens", "12"] + models + extra
                                                  + ["Question: What is 7 + 5?\\nAnswer:"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        return try #require(object["text"] as? String)
    }

    @Test func seedFixesTheText() throws {
        let sampled = try Self.text(["--temperature", "1", "--top-p", "0.9", "--seed", "11"])
        #expect(try Self.text(["--temperature", "1", "--top-p", "0.9", "--seed", "11"]) == sampled)
        #expect(try Self.text(["--temperature", "0", "--seed", "11"]) == (try Self.text([])))
    }

    @Test func outOfRangeFlagsAreRefused() throws {
        for (flags, message) in [(["--temperature", "-1"], "--temperature"), (["--temperature", "3"], "--temperature"),
                                 (["--top-p", "0"], "--top-p"), (["--top-p", "1.5"], "--top-p"), (["--seed", "-3"], "--seed")] {
            let result = try CoolFusionExecutable.run(["generate"] + flags + ["x"])
            #expect(result.status != 0 && result.stderr.contains(message), "\(flags): \(result.stderr)")
        }
    }
}
