import CoolFusionEngine
import CoolFusionModelStore
import Foundation

/// The default models the tests run on, found where the model store keeps them.
enum TestModels {
    /// All three, or the comma-separated list in COOLFUSION_ENGINE_MODELS (to iterate on one).
    static let aliases: [String] = ProcessInfo.processInfo.environment["COOLFUSION_ENGINE_MODELS"]
        .map { $0.split(separator: ",").map(String.init) } ?? ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b"]

    /// The model's file, fetched by the model store on first use (a fresh machine has none).
    static func path(_ alias: String) throws -> String {
        try ModelStore().resolve(alias)
    }

    /// Loaded once per process and shared by the tests (models are immutable).
    nonisolated(unsafe) private static var cache: [String: Model] = [:]
    private static let lock = NSLock()

    static func model(_ alias: String) throws -> Model {
        lock.lock()
        defer { lock.unlock() }
        if let model = cache[alias] { return model }
        let model = try Model(path: try path(alias), threads: 2)
        cache[alias] = model
        return model
    }
}
