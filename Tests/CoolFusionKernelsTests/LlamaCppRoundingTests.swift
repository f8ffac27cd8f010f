import CoolFusionGGUF
import CoolFusionKernels
import Testing

/// `MatmulRounding.llamaCpp`: K-quant products rounded in llama.cpp's CPU order for the batch
/// size at hand (repacked Q4_K GEMM/GEMV, tiled K-quant matmul for n ≥ 8, vec_dot otherwise).
/// Whether that order is llama.cpp's is shown by the engine's golden parity tests; these check
/// that the SIMD kernels compute exactly what the scalar reference computes, in every order.
@Suite("llama.cpp rounding order of K-quant products")
struct LlamaCppRoundingTests {
    static let kQuants: [GGMLType] = [.q4_K, .q5_K, .q6_K]

    static func product(_ w: WeightMatrix, _ x: [Float], n: Int, threads: Int = 2,
                        implementation: KernelImplementation = .simd, rounding: MatmulRounding = .llamaCpp) -> [Float] {
        var y = [Float](repeating: .nan, count: n * w.rows)   // [n][rows]
        Kernels.matmul(w, x: x, n: n, y: &y, pool: ThreadPool(threads: threads), implementation: implementation, rounding: rounding)
        return y
    }

    /// rows 40 (a multiple of 8: repacked Q4_K) and 37 (not); n = 1...17 covers GEMV only,
    /// GEMM groups with GEMV leftovers, vec_dot below 8 rows and the tiled order from 8 on.
    @Test("SIMD equals the scalar reference bit for bit in the GEMV, GEMM and tiled orders", arguments: kQuants)
    func simdEqualsReference(type: GGMLType) throws {
        for (rows, cols) in [(40, 512), (37, 2048)] {
            let bytes = randomBlocks(type, blocks: rows * cols / type.blockSize, seed: UInt64(rows * cols) &+ UInt64(type.rawValue))
            let x = randomFloats(17 * cols, seed: 5, range: -4...4)
            try bytes.withUnsafeBytes { raw in
                let w = try WeightMatrix(type: type, rows: rows, cols: cols, data: raw.baseAddress!)
                for n in 1...17 {
                    let xs = Array(x.prefix(n * cols))
                    let fast = Self.product(w, xs, n: n)
                    let slow = Self.product(w, xs, n: n, threads: 1, implementation: .scalarReference)
                    // vec_dot (n < 8, not repacked) keeps its own SIMD-vs-scalar tests (summation order).
                    if (type == .q4_K && rows % 8 == 0) || n >= 8 {
                        let differing = zip(fast, slow).filter { $0.bitPattern != $1.bitPattern }.count
                        #expect(differing == 0, "\(type.name) rows=\(rows) n=\(n): \(differing) outputs differ")
                    }
                    // Only the rounding differs from the batch-invariant product.
                    let invariant = Self.product(w, xs, n: n, rounding: .batchInvariant)
                    #expect(nmse(fast, invariant) < 1e-12, "\(type.name) rows=\(rows) n=\(n): NMSE \(nmse(fast, invariant))")
                }
            }
        }
    }

    @Test("the result does not depend on the thread count", arguments: kQuants)
    func threadIndependent(type: GGMLType) throws {
        let rows = 48, cols = 1024, n = 13
        let bytes = randomBlocks(type, blocks: rows * cols / type.blockSize, seed: 77)
        let x = randomFloats(n * cols, seed: 78)
        try bytes.withUnsafeBytes { raw in
            let w = try WeightMatrix(type: type, rows: rows, cols: cols, data: raw.baseAddress!)
            let one = Self.product(w, x, n: n, threads: 1), two = Self.product(w, x, n: n, threads: 2)
            #expect(zip(one, two).allSatisfy { $0.bitPattern == $1.bitPattern })
        }
    }

    /// The order is that of llama.cpp's batch, so rows of a batch may round differently from the
    /// same rows alone, but never by more than rounding; below 8 rows, non-repacked K-quants use
    /// vec_dot as a single row does.
    @Test("batch sizes that keep vec_dot round as single rows do")
    func smallBatchesOfUnrepackedMatricesAreRowInvariant() throws {
        let rows = 37, cols = 512
        for type in Self.kQuants {
            let bytes = randomBlocks(type, blocks: rows * cols / type.blockSize, seed: 91)
            let x = randomFloats(7 * cols, seed: 92)
            try bytes.withUnsafeBytes { raw in
                let w = try WeightMatrix(type: type, rows: rows, cols: cols, data: raw.baseAddress!)
                let batched = Self.product(w, x, n: 7)
                let invariant = Self.product(w, x, n: 7, rounding: .batchInvariant)
                #expect(zip(batched, invariant).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(type.name)")
            }
        }
    }

    @Test("other weight types round the same in both modes", arguments: [GGMLType.q4_0, .q4_1, .q5_0, .q8_0, .q3_K, .f16])
    func otherTypesUnchanged(type: GGMLType) throws {
        let rows = 40, cols = 512, n = 9
        let bytes = randomBlocks(type, blocks: rows * cols / type.blockSize, seed: 93)
        let x = randomFloats(n * cols, seed: 94)
        try bytes.withUnsafeBytes { raw in
            let w = try WeightMatrix(type: type, rows: rows, cols: cols, data: raw.baseAddress!)
            let llama = Self.product(w, x, n: n), invariant = Self.product(w, x, n: n, rounding: .batchInvariant)
            #expect(zip(llama, invariant).allSatisfy { $0.bitPattern == $1.bitPattern })
        }
    }
}
