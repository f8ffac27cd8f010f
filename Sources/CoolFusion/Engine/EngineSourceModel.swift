import CoolFusionEngine
import CoolFusionGGUF
import CoolFusionTokenizers

/// A source model on this machine: the engine and the model's own tokenizer.
public typealias EngineSourceModel = LocalSourceModel<EngineSession, EngineTokenizer>

extension LocalSourceModel where S == EngineSession, T == EngineTokenizer {
    /// Loads the GGUF at `path` once for both the tokenizer and the weights.
    /// - Parameters:
    ///   - name: display name (e.g. the alias the user gave).
    ///   - threads: nil shares the process-wide thread pool (several models never oversubscribe the cores).
    public static func load(path: String, name: String, threads: Int? = nil) throws -> EngineSourceModel {
        let file = try GGUFFile(path: path)
        let tokenizer = try Tokenizer(gguf: file)
        // Batch-invariant rounding: a candidate's perplexity (M3) must not depend on which other
        // candidates share its scoring pass, and committing a scored candidate (M4) must leave the
        // state that recomputing it would. llama.cpp's order (the engine default, for greedy parity)
        // rounds a batched row differently from the same row alone.
        let model = try Model(file: file, threads: threads, rounding: .batchInvariant)
        return EngineSourceModel(name: name, tokenizer: EngineTokenizer(tokenizer), session: EngineSession(model: model))
    }
}
