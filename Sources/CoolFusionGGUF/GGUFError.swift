/// Everything that can be wrong with a GGUF file or a request for its contents.
///
/// Each case names the problem and where it is, so a user who hands us a damaged or unexpected
/// file learns what is wrong with it instead of seeing a crash.
public enum GGUFError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case badMagic(found: UInt32)
    case unsupportedVersion(UInt32)
    case truncated(what: String, offset: Int, needed: Int, fileSize: Int)
    case invalidUTF8(what: String, offset: Int)
    case unknownValueType(key: String, rawType: UInt32)
    case nestingTooDeep(key: String)
    case duplicateKey(String)
    case duplicateTensor(String)
    case invalidAlignment(UInt64)
    case unknownTensorType(tensor: String, rawType: UInt32)
    case invalidTensorDimensions(tensor: String, reason: String)
    case tensorOutOfBounds(tensor: String, offset: UInt64, size: UInt64, fileSize: Int)
    case missingKey(String)
    case typeMismatch(key: String, expected: String, found: String)
    case missingTensor(String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "cannot open GGUF file '\(path)': \(reason)"
        case .badMagic(let found):
            "not a GGUF file: magic is 0x\(String(found, radix: 16)) (expected 'GGUF')"
        case .unsupportedVersion(let version):
            "unsupported GGUF version \(version) (supported: 2, 3)"
        case .truncated(let what, let offset, let needed, let fileSize):
            "GGUF file is truncated: \(what) at offset \(offset) needs \(needed) bytes, file has \(fileSize)"
        case .invalidUTF8(let what, let offset):
            "GGUF string for \(what) at offset \(offset) is not valid UTF-8"
        case .unknownValueType(let key, let rawType):
            "metadata key '\(key)' has unknown value type \(rawType)"
        case .nestingTooDeep(let key):
            "metadata key '\(key)' nests arrays too deeply"
        case .duplicateKey(let key):
            "metadata key '\(key)' appears twice"
        case .duplicateTensor(let name):
            "tensor '\(name)' appears twice"
        case .invalidAlignment(let value):
            "general.alignment is \(value); it must be a power of two between 1 and 65536"
        case .unknownTensorType(let tensor, let rawType):
            "tensor '\(tensor)' has unknown type \(rawType) (known: "
                + GGMLType.allCases.map(\.name).joined(separator: ", ") + ")"
        case .invalidTensorDimensions(let tensor, let reason):
            "tensor '\(tensor)' has invalid dimensions: \(reason)"
        case .tensorOutOfBounds(let tensor, let offset, let size, let fileSize):
            "tensor '\(tensor)' data [\(offset), +\(size)) lies outside the file (\(fileSize) bytes)"
        case .missingKey(let key):
            "GGUF metadata has no key '\(key)'"
        case .typeMismatch(let key, let expected, let found):
            "metadata key '\(key)' is \(found), expected \(expected)"
        case .missingTensor(let name):
            "GGUF file has no tensor '\(name)'"
        }
    }
}
