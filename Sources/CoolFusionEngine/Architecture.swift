import CoolFusionGGUF

/// A transformer family: how its hyperparameters and weights are read from a GGUF and in what
/// order a forward pass applies them. One conforming type per file, all with the same skeleton
/// (embed; per layer norm → attention → residual → norm → FFN → residual; final norm; head).
protocol Architecture: Sendable {
    /// `general.architecture` value this type implements.
    static var name: String { get }
    init(file: GGUFFile) throws(EngineError)
    var hyperparameters: Hyperparameters { get }
    /// Runs `tokens` [N] through the network, storing their keys/values in `pass.newKV`, and hands
    /// `consume` the logits [V] of each batch row listed in `outputRows`, in that order.
    func forward(_ pass: ForwardPass, tokens: [Int32], outputRows: [Int],
                 consume: (Int, UnsafeMutablePointer<Float>) throws -> Void) throws
}

/// The architectures the engine implements, looked up by the GGUF's own name.
enum Architectures {
    static let all: [any Architecture.Type] = [LlamaArchitecture.self, Qwen2Architecture.self, Gemma3Architecture.self]

    static func load(_ file: GGUFFile) throws(EngineError) -> any Architecture {
        let name: String
        do { name = try file.string("general.architecture") } catch { throw .file(error) }
        guard let type = all.first(where: { $0.name == name }) else {
            throw .unsupportedArchitecture(name, supported: all.map { $0.name })
        }
        return try type.init(file: file)
    }

    /// Vocabulary size from the embedding table (rows of `token_embd.weight`).
    static func vocabularySize(_ file: GGUFFile) throws(EngineError) -> Int {
        guard let info = file.tensorInfo("token_embd.weight") else { throw .missingTensor("token_embd.weight") }
        guard info.shape.count == 2 else {
            throw .wrongShape(tensor: "token_embd.weight", expected: [-1, -1], actual: info.shape)
        }
        return info.shape[1]
    }
}
