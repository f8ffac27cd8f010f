import CoolFusionEngine
import CoolFusionModelStore
import CoolFusionTestModels
import Foundation

/// The default models the tests run on, found where the model store keeps them.
enum TestModels {
    /// The three default models, or those of them in COOLFUSION_ENGINE_MODELS (comma-separated, to
    /// iterate on one).
    static let aliases = selected(from: ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b"])

    /// The optional models with golden files of their own (fetched on first use, like the others), or
    /// those of them in COOLFUSION_ENGINE_MODELS.
    static let optionalAliases = selected(from: ["qwen2.5-coder-1.5b"])

    private static func selected(from all: [String]) -> [String] {
        guard let listed = ProcessInfo.processInfo.environment["COOLFUSION_ENGINE_MODELS"] else { return all }
        let names = Set(listed.split(separator: ",").map(String.init))
        return all.filter(names.contains)
    }

    /// The synthetic models' names, which `path` and `model` also take.
    static let synthetic = SyntheticModel.allCases.map(\.name)

    /// The model's file, fetched by the model store on first use (a fresh machine has none); a
    /// synthetic model's is written at first use.
    static func path(_ alias: String) throws -> String {
        if let model = SyntheticModel(rawValue: alias) { return try model.path() }
        return try ModelStore().resolve(alias)
    }

    /// Loaded once per process and shared by the tests (models are immutable), one per rounding.
    nonisolated(unsafe) private static var cache: [String: Model] = [:]
    private static let lock = NSLock()

    /// `rounding` .llamaCpp (the engine's default) for parity with llama.cpp; .batchInvariant where
    /// a test compares a batched computation with the same rows computed separately, which only
    /// that rounding makes exact (llama.cpp's own K-quant products depend on the batch size).
    static func model(_ alias: String, rounding: MatmulRounding = .llamaCpp) throws -> Model {
        lock.lock()
        defer { lock.unlock() }
        let key = "\(alias)/\(rounding)"
        if let model = cache[key] { return model }
        let model = try Model(path: try path(alias), threads: 2, rounding: rounding)
        cache[key] = model
        return model
    }
}
