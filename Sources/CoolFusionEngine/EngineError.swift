import CoolFusionGGUF

/// Everything the engine refuses to do, each case naming the problem so a user can act on it.
public enum EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The GGUF's `general.architecture` is not one the engine implements.
    case unsupportedArchitecture(String, supported: [String])
    /// A tensor the architecture needs is not in the file.
    case missingTensor(String)
    /// A tensor has a shape other than the hyperparameters imply (ggml order, row length first).
    case wrongShape(tensor: String, expected: [Int], actual: [Int])
    /// A tensor uses a quantization type the kernels cannot compute with.
    case unsupportedTensorType(tensor: String, type: String)
    /// A hyperparameter is missing or makes no sense.
    case invalidHyperparameter(String)
    /// The sequence would grow past the model's context length.
    case contextOverflow(requested: Int, limit: Int)
    /// A token id outside the vocabulary.
    case invalidToken(Int32, vocabularySize: Int)
    /// An empty token list where at least one token is needed.
    case emptyInput(String)
    /// A position outside the session's current sequence.
    case invalidPosition(Int, count: Int)
    /// Sampling parameters out of range.
    case invalidSamplingParameter(String)
    /// `commit` was handed a session of another model.
    case foreignSession
    /// The GGUF file itself could not be read.
    case file(GGUFError)

    public var description: String {
        switch self {
        case .unsupportedArchitecture(let name, let supported):
            "unsupported architecture '\(name)'; supported: \(supported.joined(separator: ", "))"
        case .missingTensor(let name):
            "the model file has no tensor '\(name)'"
        case .wrongShape(let name, let expected, let actual):
            "tensor '\(name)' has shape \(actual), expected \(expected)"
        case .unsupportedTensorType(let name, let type):
            "tensor '\(name)' has type \(type), which the engine cannot compute with"
        case .invalidHyperparameter(let what):
            "invalid hyperparameter: \(what)"
        case .contextOverflow(let requested, let limit):
            "sequence of \(requested) tokens exceeds the context length \(limit)"
        case .invalidToken(let id, let vocabularySize):
            "token id \(id) is outside the vocabulary (0..<\(vocabularySize))"
        case .emptyInput(let what):
            "empty input: \(what)"
        case .invalidPosition(let position, let count):
            "position \(position) is outside the sequence (0...\(count))"
        case .invalidSamplingParameter(let what):
            "invalid sampling parameter: \(what)"
        case .foreignSession:
            "cannot commit a session that belongs to a different model"
        case .file(let error):
            "cannot read model file: \(error)"
        }
    }
}
