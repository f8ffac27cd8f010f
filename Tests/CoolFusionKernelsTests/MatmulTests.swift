import CoolFusionGGUF
import CoolFusionKernels
import Testing

@Suite("Matrix products")
struct MatmulTests {
    /// Columns: two or more blocks of every type (and a non-multiple of 16 for F32/F16/BF16 tails).
    static func columns(_ type: GGMLType) -> Int { type.blockSize == 1 ? 531 : 3 * 256 }

    @Test("SIMD dot products equal the scalar reference on random blocks", arguments: kernelTypes)
    func simdMatchesScalar(type: GGMLType) throws {
        let cols = Self.columns(type), rows = 37, n = 13   // 8-row, 4-row and single-row kernels
        let bytes = randomBlocks(type, blocks: rows * cols / type.blockSize, seed: 0x51D + UInt64(type.rawValue))
        let x = randomFloats(n * cols, seed: 7)
        try bytes.withUnsafeBytes { raw in
            let w = try WeightMatrix(type: type, rows: rows, cols: cols, data: raw.baseAddress!)
            var fast = [Float](repeating: .nan, count: n * rows), slow = fast
            Kernels.matmul(w, x: x, n: n, y: &fast, pool: ThreadPool(threads: 1), implementation: .simd)
            Kernels.matmul(w, x: x, n: n, y: &slow, pool: ThreadPool(threads: 1), implementation: .scalarReference)
            #expect(fast.allSatisfy { $0.isFinite })
            // Same integer sums; only the order of f32 accumulation differs.
            #expect(nmse(fast, slow) < 1e-10, "\(type.name): NMSE \(nmse(fast, slow))")
        }
    }

    @Test("matmul equals dequantize-then-f32 matmul", arguments: kernelTypes, [1, 5])
    func matchesDequantizedReference(type: GGMLType, n: Int) throws {
        let cols = Self.columns(type), rows = 29
        let bytes = randomBlocks(type, blocks: rows * cols / type.blockSize, seed: 0xAB + UInt64(type.rawValue))
        let x = randomFloats(n * cols, seed: 11)
        try bytes.withUnsafeBytes { raw in
            let w = try WeightMatrix(type: type, rows: rows, cols: cols, data: raw.baseAddress!)
            let expected = try referenceMatmul(w, x: x, n: n)
            for implementation in [KernelImplementation.simd, .scalarReference] {
                var y = [Float](repeating: .nan, count: n * rows)
                Kernels.matmul(w, x: x, n: n, y: &y, pool: .shared, implementation: implementation)
                // Activations are rounded to int8 (relative error ~1/254 per element); f32
                // weights keep f32 activations and agree to rounding.
                let bound = type.blockSize == 1 ? 1e-10 : 2e-4
                #expect(nmse(y, expected) < bound, "\(type.name) n=\(n) \(implementation): NMSE \(nmse(y, expected))")
            }
        }
    }

    @Test("results do not depend on the thread count", arguments: [1, 2, 3, 4])
    func threadCounts(threads: Int) throws {
        let type = GGMLType.q4_K, cols = 512, rows = 201, n = 9
        let bytes = randomBlocks(type, blocks: rows * cols / 256, seed: 99)
        let x = randomFloats(n * cols, seed: 5)
        let pool = ThreadPool(threads: threads)
        #expect(pool.threads == threads)
        try bytes.withUnsafeBytes { raw in
            let w = try WeightMatrix(type: type, rows: rows, cols: cols, data: raw.baseAddress!)
            var single = [Float](repeating: .nan, count: n * rows), multi = single
            Kernels.matmul(w, x: x, n: n, y: &single, pool: ThreadPool(threads: 1))
            for _ in 0..<3 {   // repeated jobs reuse the same workers
                Kernels.matmul(w, x: x, n: n, y: &multi, pool: pool)
                #expect(multi == single)
            }
        }
    }

    @Test("concurrent callers share one pool safely")
    func concurrentCallers() async throws {
        let type = GGMLType.q8_0, cols = 256, rows = 97
        let bytes = randomBlocks(type, blocks: rows * cols / 32, seed: 3)
        let x = randomFloats(cols, seed: 4)
        let expected: [Float] = try bytes.withUnsafeBytes { raw in
            let w = try WeightMatrix(type: type, rows: rows, cols: cols, data: raw.baseAddress!)
            var y = [Float](repeating: 0, count: rows)
            Kernels.matmul(w, x: x, n: 1, y: &y, pool: ThreadPool(threads: 1))
            return y
        }
        let pool = ThreadPool(threads: 2)
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try bytes.withUnsafeBytes { raw in
                        let w = try WeightMatrix(type: type, rows: rows, cols: cols, data: raw.baseAddress!)
                        var y = [Float](repeating: 0, count: rows)
                        for _ in 0..<50 { Kernels.matmul(w, x: x, n: 1, y: &y, pool: pool) }
                        return y == expected
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 8 && results.allSatisfy { $0 })
    }

}

@Suite("Batched products")
struct BatchedMatmulTests {
    @Test("a batch spanning several activation panels equals the reference", arguments: [GGMLType.q8_0, .q6_K, .f32])
    func severalPanels(type: GGMLType) throws {
        // Long rows make each activation panel (256 KB) hold only a few dozen rows, so n = 61
        // runs several panels, the four-row kernels and a single-row remainder.
        let cols = type == .f32 ? 4096 : 8192, rows = 13, n = 61
        let bytes = randomBlocks(type, blocks: rows * cols / type.blockSize, seed: 0xBA7C + UInt64(type.rawValue))
        let x = randomFloats(n * cols, seed: 8)
        try bytes.withUnsafeBytes { raw in
            let w = try WeightMatrix(type: type, rows: rows, cols: cols, data: raw.baseAddress!)
            let expected = try referenceMatmul(w, x: x, n: n)
            var y = [Float](repeating: .nan, count: n * rows)
            Kernels.matmul(w, x: x, n: n, y: &y, pool: ThreadPool(threads: 2))
            #expect(nmse(y, expected) < (type == .f32 ? 1e-10 : 2e-4), "\(type.name): NMSE \(nmse(y, expected))")
        }
    }
}
