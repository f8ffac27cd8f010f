import CoolFusion
import CoolFusionEngine
import CoolFusionGGUF
import CoolFusionTokenizers

/// A source model on this machine: the engine and the model's own tokenizer.
public typealias EngineSourceModel = LocalSourceModel<EngineSession, EngineTokenizer>

extension LocalSourceModel where S == EngineSession, T == EngineTokenizer {
    /// The rounding of every model a fusion runs (here or hosted for a server or worker):
    /// batch-invariant. A candidate's perplexity (M3) must not depend on which other candidates share
    /// its scoring pass, and committing a scored candidate (M4) must leave the state that recomputing
    /// it would. llama.cpp's order (the engine default, for greedy parity) rounds a batched row
    /// differently from the same row alone.
    public static var rounding: MatmulRounding { .batchInvariant }

    /// A source model over loaded weights, with a fresh session (empty cache) of its own.
    public init(name: String, tokenizer: Tokenizer, model: Model) {
        self.init(name: name, tokenizer: EngineTokenizer(tokenizer), session: EngineSession(model: model))
    }

    /// The forward passes and rows this model's engine has run so far (every session of its `Model`).
    public func work() -> PassCounter.Counts { session.model.passCounter.value }

    /// The weight bytes one forward pass of this model streams (`DecodeTraffic.weightBytes`).
    public func weightBytesPerPass() -> Int { DecodeTraffic(model: session.model).weightBytes }

    /// The weight bytes this model's passes have streamed so far: passes times `weightBytesPerPass`
    /// (a pass reads every weight once, however many rows it computes).
    public func weightBytesStreamed() -> Double { Double(work().passes) * Double(weightBytesPerPass()) }

    /// The weight bytes all of `models` have streamed so far, for `GateCalibrator.workMeter`.
    public static func weightBytesStreamed(by models: [EngineSourceModel]) async -> Double {
        var total = 0.0
        for model in models { total += await model.weightBytesStreamed() }
        return total
    }

    /// Loads the GGUF at `path` once for both the tokenizer and the weights.
    /// - Parameters:
    ///   - name: display name (e.g. the alias the user gave).
    ///   - threads: nil shares the process-wide thread pool (several models never oversubscribe the cores).
    public static func load(path: String, name: String, threads: Int? = nil) throws -> EngineSourceModel {
        let file = try GGUFFile(path: path)
        let tokenizer = try Tokenizer(gguf: file)
        return EngineSourceModel(name: name, tokenizer: tokenizer, model: try Model(file: file, threads: threads, rounding: rounding))
    }
}
