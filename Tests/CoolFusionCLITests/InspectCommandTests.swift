import Foundation
import Testing
import CoolFusionModelStore
import CoolFusionTestSupport

@Suite("coolfusion inspect and models")
struct InspectCommandTests {
    @Test("inspect --json reports Gemma-3's real facts with the documented keys")
    func inspectJSON() throws {
        let result = try CoolFusionExecutable.run(["inspect", "gemma3-270m", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        for key in ["architecture", "block_count", "context_length", "embedding_length", "vocab_size",
                    "tokenizer_model", "tokenizer_pre", "tensor_count", "tensor_types"] {
            #expect(object[key] != nil, "missing key \(key)")
        }
        #expect(object["architecture"] as? String == "gemma3")
        #expect(object["block_count"] as? Int == 18)
        #expect(object["vocab_size"] as? Int == 262_144)
        #expect(object["tokenizer_model"] as? String == "llama")
        let types = try #require(object["tensor_types"] as? [String: Int])
        #expect(types["Q4_K"] == 27 && types["Q6_K"] == 9 && types.values.reduce(0, +) == object["tensor_count"] as? Int)
    }

    @Test("inspect prints a readable table")
    func inspectTable() throws {
        let result = try CoolFusionExecutable.run(["inspect", "smollm2-135m"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("architecture") && result.stdout.contains("llama"))
        #expect(result.stdout.contains("49,152") && result.stdout.contains("smollm"))
    }

    @Test("a file that is not GGUF is a clear error, not a crash")
    func notGGUF() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("coolfusion-not-\(UUID().uuidString).gguf")
        try Data("hello world, not a model".utf8).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let result = try CoolFusionExecutable.run(["inspect", path.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("not a GGUF file"))
    }

    @Test("inspect --check loads and runs each file; a broken one is named and the others still shown")
    func checkSeveral() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("coolfusion-cut-\(UUID().uuidString).gguf")
        // A real model cut inside its tensor data: the header parses, loading must refuse it.
        let real = try Data(contentsOf: URL(fileURLWithPath: try ModelStore().resolve("smollm2-135m")))
        try real.prefix(real.count / 2).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let result = try CoolFusionExecutable.run(["inspect", "--check", "smollm2-135m", path.path, "gemma3-270m"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.components(separatedBy: "loads and runs a token").count == 3, "\(result.stdout)")
        #expect(result.stdout.contains("gemma3") && result.stdout.contains("smollm"))
        let complaint = result.stderr.split(separator: "\n").filter { $0.hasPrefix(path.path + ": ") }
        #expect(complaint.count == 1, "\(result.stderr)")
        let alone = try CoolFusionExecutable.run(["inspect", "--check", path.path])
        #expect(alone.status != 0 && !alone.stderr.isEmpty)
    }

    @Test("an unknown model name lists the aliases")
    func unknownModel() throws {
        let result = try CoolFusionExecutable.run(["inspect", "llama-9000"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("smollm2-135m") && result.stderr.contains("llama-9000"))
    }

    @Test("models list shows every default model and where they live")
    func modelsList() throws {
        let result = try CoolFusionExecutable.run(["models", "list"])
        #expect(result.status == 0)
        for alias in ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b"] { #expect(result.stdout.contains(alias)) }
        #expect(result.stdout.contains("present"))
        let empty = try CoolFusionExecutable.run(["models", "list"], environment: ["COOLFUSION_MODELS": "/nonexistent/coolfusion"])
        #expect(empty.stdout.contains("/nonexistent/coolfusion") && empty.stdout.contains("missing"))
        let bad = try CoolFusionExecutable.run(["models", "fetch", "gpt-5"])
        #expect(bad.status != 0 && bad.stderr.contains("unknown model 'gpt-5'"))
    }
}
