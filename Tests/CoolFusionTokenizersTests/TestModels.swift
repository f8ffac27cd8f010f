import CoolFusionGGUF
import CoolFusionModelStore
import CoolFusionTokenizers
import Foundation

/// The three default models' tokenizers, loaded once per test process (Gemma's 262k vocabulary
/// takes about a second), and the golden files written by scripts/golden_tokenizers.py.
enum TestModels {
    static let aliases = ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b"]

    private static let loaded: [String: Result<Tokenizer, Error>] = {
        var result: [String: Result<Tokenizer, Error>] = [:]
        for alias in aliases {
            result[alias] = Result {
                let path = try ModelStore().resolve(alias)
                return try Tokenizer(gguf: GGUFFile(path: path))
            }
        }
        return result
    }()

    static func tokenizer(_ alias: String) throws -> Tokenizer {
        guard let result = loaded[alias] else { throw TestDataError("no model \(alias)") }
        return try result.get()
    }

    /// The tokenizer of a vocabulary-only copy of a default model with some metadata values
    /// replaced and some token texts renamed (as scripts/golden_tokenizers.py makes for llama.cpp).
    static func variant(of alias: String, setting values: [String: GGUFValue],
                        renaming renamed: [String: String] = [:]) throws -> Tokenizer {
        let source = try GGUFFile(path: ModelStore().resolve(alias))
        var writer = GGUFWriter()
        for (key, value) in source.metadataEntries {
            if let replacement = values[key] {
                writer.add(key, replacement)
            } else if key == "tokenizer.ggml.tokens" && !renamed.isEmpty {
                writer.add(key, .array(.string(try source.stringArray(key).map { renamed[$0] ?? $0 })))
            } else {
                writer.add(key, value)
            }
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("coolfusion-variant-\(UUID().uuidString).gguf")
        try Data(writer.bytes()).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try Tokenizer(path: url.path)
    }
}

struct TestDataError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// llama.cpp's outputs for one model over the corpus (see scripts/golden_tokenizers.py).
struct GoldenFile: Decodable {
    let model: String
    let llama_cpp_python: String
    /// [corpus index] tokenize(text, add_bos=False, special=False)
    let plain: [[TokenID]]
    /// [corpus index] tokenize(text, add_bos=False, special=True)
    let special: [[TokenID]]
    /// "plain:INDEX" / "special:INDEX" → llama.cpp's detokenize when it is not the input.
    let detokenize_differs: [String: String]

    static func load(_ alias: String) throws -> GoldenFile {
        try JSONDecoder().decode(GoldenFile.self, from: data(alias))
    }

    static let corpus: [String] = {
        (try? JSONDecoder().decode([String].self, from: data("corpus"))) ?? []
    }()

    private static func data(_ name: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Golden") else {
            throw TestDataError("missing golden file Golden/\(name).json")
        }
        return try Data(contentsOf: url)
    }
}
