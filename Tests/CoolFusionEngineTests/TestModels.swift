import CoolFusionEngine
import Foundation

/// The default models the tests run on, found where the model store keeps them.
enum TestModels {
    static let files = [
        "smollm2-135m": "SmolLM2-135M-Instruct.Q4_1.gguf",
        "gemma3-270m": "gemma-3-270m-q4_k_m.gguf",
        "qwen2.5-coder-0.5b": "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    ]
    static let aliases = ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b"]

    static func path(_ alias: String) -> String {
        let directory = ProcessInfo.processInfo.environment["COOLFUSION_MODELS"]
            ?? (NSHomeDirectory() + "/.cache/coolfusion/models")
        return directory + "/" + (files[alias] ?? alias)
    }

    /// Loaded once per process and shared by the tests (models are immutable).
    nonisolated(unsafe) private static var cache: [String: Model] = [:]
    private static let lock = NSLock()

    static func model(_ alias: String) throws -> Model {
        lock.lock()
        defer { lock.unlock() }
        if let model = cache[alias] { return model }
        let model = try Model(path: path(alias), threads: 2)
        cache[alias] = model
        return model
    }
}
