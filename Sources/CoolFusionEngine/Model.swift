import CoolFusionGGUF
import CoolFusionKernels

/// A loaded model: hyperparameters and weights, immutable and shared by all its sessions.
///
/// Weight matrices stay in the file's memory map (resident memory ≈ file size); only norm
/// vectors and biases are copied. Create sessions with `makeSession()`; each holds one sequence.
public final class Model: @unchecked Sendable {
    public let file: GGUFFile
    /// `general.architecture`, e.g. `llama`, `qwen2`, `gemma3`.
    public let architectureName: String
    public let hyperparameters: Hyperparameters
    /// Longest sequence a session may hold (the model's trained context unless capped at load).
    public let contextLength: Int
    /// Names of the architectures this engine implements.
    public static var supportedArchitectures: [String] { Architectures.all.map { $0.name } }

    /// Float rounding of the matrix products: `.llamaCpp` (the default) reproduces llama.cpp's
    /// CPU results, so a batched row may differ in the last bits from the same row alone;
    /// `.batchInvariant` makes a batch compute exactly what its rows would one at a time.
    public let rounding: MatmulRounding
    /// Every forward pass of every session of this model, counted.
    public let passCounter = PassCounter()
    let architecture: any Architecture
    let pool: ThreadPool
    let kvLayout: KVLayout

    /// Opens the GGUF at `path`. `threads` nil shares the process-wide pool (so several models
    /// never oversubscribe the cores); a number gives this model its own pool of that size.
    /// `contextLength` caps the sequence length below the model's own.
    public convenience init(path: String, threads: Int? = nil, contextLength: Int? = nil,
                            rounding: MatmulRounding = .llamaCpp) throws(EngineError) {
        let file: GGUFFile
        do { file = try GGUFFile(path: path) } catch { throw .file(error) }
        try self.init(file: file, threads: threads, contextLength: contextLength, rounding: rounding)
    }

    public init(file: GGUFFile, threads: Int? = nil, contextLength: Int? = nil,
                rounding: MatmulRounding = .llamaCpp) throws(EngineError) {
        self.file = file
        self.rounding = rounding
        architecture = try Architectures.load(file)
        architectureName = type(of: architecture).name
        hyperparameters = architecture.hyperparameters
        if let threads, threads < 1 { throw .invalidHyperparameter("threads must be at least 1, got \(threads)") }
        if let contextLength, contextLength < 1 { throw .invalidHyperparameter("context length must be at least 1, got \(contextLength)") }
        self.contextLength = min(contextLength ?? hyperparameters.contextLength, hyperparameters.contextLength)
        pool = threads.map { ThreadPool(threads: $0) } ?? ThreadPool.shared
        kvLayout = KVLayout(layerCount: hyperparameters.layerCount, keyRowWidth: hyperparameters.kvWidth,
                            valueRowWidth: hyperparameters.valueRowWidth)
    }

    public var vocabularySize: Int { hyperparameters.vocabularySize }

    /// A new, empty sequence on this model.
    public func makeSession() -> Session { Session(model: self) }
}
