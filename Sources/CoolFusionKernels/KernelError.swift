import CoolFusionGGUF

/// Why a kernel cannot run on the data it was given.
public enum KernelError: Error, Equatable, CustomStringConvertible {
    /// No dequantization / dot-product kernel for this tensor type.
    case unsupportedType(GGMLType)
    /// An element count (or row length) that is not a whole number of blocks of the type.
    case notWholeBlocks(type: GGMLType, count: Int)
    /// A weight matrix whose byte count does not match rows × row bytes.
    case sizeMismatch(type: GGMLType, rows: Int, cols: Int, expectedBytes: Int, actualBytes: Int)
    /// A tensor that is not a 2-D (or 1-D) matrix.
    case notAMatrix(name: String, shape: [Int])
    /// A row index outside the matrix.
    case rowOutOfRange(row: Int, rows: Int)
    /// Scratch memory for quantized activations could not be allocated.
    case outOfMemory(bytes: Int)

    public var description: String {
        switch self {
        case .unsupportedType(let type):
            return "no kernel for tensor type \(type.name); supported: \(Kernels.supportedTypes.map(\.name).joined(separator: ", "))"
        case .notWholeBlocks(let type, let count):
            return "\(count) elements is not a whole number of \(type.name) blocks (\(type.blockSize) elements each)"
        case .sizeMismatch(let type, let rows, let cols, let expected, let actual):
            return "\(type.name) matrix \(rows)×\(cols) needs \(expected) bytes, got \(actual)"
        case .notAMatrix(let name, let shape):
            return "tensor \(name) with shape \(shape) is not a matrix"
        case .rowOutOfRange(let row, let rows):
            return "row \(row) is outside a matrix of \(rows) rows"
        case .outOfMemory(let bytes):
            return "could not allocate \(bytes) bytes of kernel scratch memory"
        }
    }
}
