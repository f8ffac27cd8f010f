/// One entry of a GGUF tensor table.
///
/// `shape` is in ggml order: `shape[0]` is the number of elements in a row (the contiguous
/// dimension), so a weight matrix `W` of a linear layer `y = W x` has shape `[in, out]`.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    public let type: GGMLType
    /// Dimensions in ggml order (innermost first), 1 to 4 of them.
    public let shape: [Int]
    /// Offset of the data from the start of the file (already includes the data section start).
    public let fileOffset: Int
    /// Bytes of data.
    public let byteCount: Int

    public var elementCount: Int { shape.reduce(1, *) }
    /// Elements in one row (`shape[0]`).
    public var rowLength: Int { shape[0] }
    /// Number of rows (product of all dimensions but the first).
    public var rowCount: Int { shape.dropFirst().reduce(1, *) }
    /// Bytes of one row.
    public var rowBytes: Int { shape[0] / type.blockSize * type.blockBytes }
}
