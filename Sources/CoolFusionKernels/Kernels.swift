import CCoolFusionKernels
import CoolFusionGGUF

/// Which code path a kernel call takes. Tests compare the two; everything else uses `.simd`.
public enum KernelImplementation: Sendable {
    /// AVX2/FMA code when the CPU has it, otherwise the scalar reference.
    case simd
    /// The portable scalar reference kernels.
    case scalarReference

    var cFlag: Int32 { self == .simd ? 1 : 0 }
}

/// Dequantization and matrix products on GGUF blocks (see `Kernels+Vector.swift` for f32 helpers).
public enum Kernels {
    /// Tensor types with dequantization and matmul kernels.
    public static let supportedTypes: [GGMLType] = GGMLType.allCases.filter { cf_type_supported(Int32($0.rawValue)) != 0 }

    public static func isSupported(_ type: GGMLType) -> Bool { cf_type_supported(Int32(type.rawValue)) != 0 }

    /// Dequantizes `count` elements (a whole number of blocks) of `type` at `from` into f32.
    /// Bit-identical to ggml's `dequantize_row_*`.
    public static func dequantize(_ type: GGMLType, from: UnsafeRawPointer, to: UnsafeMutablePointer<Float>, count: Int) throws(KernelError) {
        try check(cf_dequantize(Int32(type.rawValue), from, to, Int64(count)), type: type, count: count)
    }

    /// Dequantizes row `row` of `w` into `to` (`w.cols` floats), e.g. for an embedding lookup.
    public static func dequantizeRow(_ w: WeightMatrix, row: Int, to: UnsafeMutablePointer<Float>) throws(KernelError) {
        guard row >= 0, row < w.rows else { throw .rowOutOfRange(row: row, rows: w.rows) }
        try dequantize(w.type, from: w.row(row), to: to, count: w.cols)
    }

    /// y[n][rows] = x[n][cols] · Wᵀ  (x row-major f32, `n` rows of `w.cols`; y row-major, `n` rows
    /// of `w.rows`). Activations are quantized once to int8 blocks (Q8 for 32-element formats,
    /// Q8_K for K-quants) and weight rows are split across `pool`'s threads.
    ///
    /// Cannot fail for a valid `WeightMatrix` except when scratch memory for `n` quantized
    /// activation rows cannot be allocated; then `y` is filled with NaN so the failure shows.
    /// `rounding` picks the float accumulation order (see `MatmulRounding`).
    public static func matmul(_ w: WeightMatrix, x: UnsafePointer<Float>, n: Int, y: UnsafeMutablePointer<Float>,
                              pool: ThreadPool, implementation: KernelImplementation = .simd,
                              rounding: MatmulRounding = .batchInvariant) {
        let status = cf_matmul_rounded(pool.pool, Int32(w.type.rawValue), w.data, Int64(w.rows), Int64(w.cols),
                                       x, Int64(n), y, implementation.cFlag, rounding.cValue)
        if status != Int32(CF_OK) { (y).update(repeating: .nan, count: n * w.rows) }
    }

    /// Bytes of one activation row of `cols` elements quantized for dot products with `type`
    /// weights (f32 rows for F32/F16/BF16), or nil if `cols` is not a whole number of blocks.
    public static func activationRowBytes(for type: GGMLType, cols: Int) -> Int? {
        let bytes = cf_activation_row_bytes(Int32(type.rawValue), Int64(cols))
        return bytes > 0 ? Int(bytes) : nil
    }

    /// Quantizes one activation row as `matmul` does internally (for tests and diagnostics).
    public static func quantizeActivations(for type: GGMLType, _ x: UnsafePointer<Float>, count: Int,
                                           to: UnsafeMutableRawPointer, implementation: KernelImplementation = .simd) throws(KernelError) {
        try check(cf_quantize_activation_row(Int32(type.rawValue), x, to, Int64(count), implementation.cFlag), type: type, count: count)
    }

    /// Inverse of `quantizeActivations`: d · q for every element.
    public static func dequantizeActivations(for type: GGMLType, from: UnsafeRawPointer, to: UnsafeMutablePointer<Float>,
                                             count: Int) throws(KernelError) {
        try check(cf_dequantize_activation_row(Int32(type.rawValue), from, to, Int64(count)), type: type, count: count)
    }

    private static func check(_ status: Int32, type: GGMLType, count: Int) throws(KernelError) {
        switch status {
        case Int32(CF_OK): return
        case Int32(CF_ERR_UNSUPPORTED_TYPE): throw .unsupportedType(type)
        case Int32(CF_ERR_NO_MEMORY): throw .outOfMemory(bytes: count * 4)
        default: throw .notWholeBlocks(type: type, count: count)
        }
    }
}
