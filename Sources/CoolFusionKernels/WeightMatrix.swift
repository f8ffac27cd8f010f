import CoolFusionGGUF

/// A weight matrix as stored in a GGUF file: `rows` rows of `cols` elements, each row a run of
/// blocks of `type` (`rowBytes` bytes). `data` usually points into the file's memory mapping;
/// the owner of that mapping must keep it alive while the matrix is used.
///
/// Made only through the throwing initializers, so every `WeightMatrix` has a supported type and
/// whole blocks per row, and the kernels need no further checks.
public struct WeightMatrix: @unchecked Sendable {
    public let type: GGMLType
    /// Output dimension (ggml shape[1]).
    public let rows: Int
    /// Input dimension, the contiguous one (ggml shape[0]).
    public let cols: Int
    /// rows × rowBytes bytes.
    public let data: UnsafeRawPointer

    public init(type: GGMLType, rows: Int, cols: Int, data: UnsafeRawPointer) throws(KernelError) {
        guard Kernels.isSupported(type) else { throw .unsupportedType(type) }
        guard rows >= 0, cols > 0, cols % type.blockSize == 0 else { throw .notWholeBlocks(type: type, count: cols) }
        self.type = type
        self.rows = rows
        self.cols = cols
        self.data = data
    }

    /// A matrix over a GGUF tensor's data (`GGUFFile.data(of:)`). Tensors with more than two
    /// dimensions are flattened to rows as ggml does (all dimensions but the first).
    public init(info: GGUFTensorInfo, data: UnsafeRawBufferPointer) throws(KernelError) {
        guard let base = data.baseAddress, !info.shape.isEmpty else { throw .notAMatrix(name: info.name, shape: info.shape) }
        try self.init(type: info.type, rows: info.rowCount, cols: info.rowLength, data: base)
        guard data.count == rows * rowBytes else {
            throw .sizeMismatch(type: type, rows: rows, cols: cols, expectedBytes: rows * rowBytes, actualBytes: data.count)
        }
    }

    /// Bytes of one row.
    public var rowBytes: Int { cols / type.blockSize * type.blockBytes }

    /// Start of row `row` (unchecked).
    public func row(_ row: Int) -> UnsafeRawPointer { data + row * rowBytes }
}
