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

    @Test("parallelFor covers every index exactly once")
    func parallelForCoverage() {
        let pool = ThreadPool(threads: 3)
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: 1000)
        defer { counts.deallocate() }
        counts.initialize(repeating: 0)
        pool.parallelFor(1000, grain: 7) { range in for i in range { counts[i] += 1 } }
        #expect(counts.allSatisfy { $0 == 1 })
    }
}

@Suite("Activation quantization")
struct ActivationQuantizationTests {
    @Test("Q8 activations round-trip within half a quantization step; SIMD equals scalar",
          arguments: [GGMLType.q4_0, .q4_K])
    func roundTrip(type: GGMLType) throws {
        let cols = 1024
        var x = randomFloats(cols, seed: 21, range: -3...3)
        x[5] = 0; x[40] = -7.5   // an exact zero and a block maximum of negative sign
        let bytes = Kernels.activationRowBytes(for: type, cols: cols)!
        var fast = [UInt8](repeating: 0, count: bytes), slow = fast
        try Kernels.quantizeActivations(for: type, x, count: cols, to: &fast, implementation: .simd)
        try Kernels.quantizeActivations(for: type, x, count: cols, to: &slow, implementation: .scalarReference)
        #expect(fast == slow)
        var back = [Float](repeating: 0, count: cols)
        try Kernels.dequantizeActivations(for: type, from: fast, to: &back, count: cols)
        let block = type == .q4_K ? 256 : 32
        for start in stride(from: 0, to: cols, by: block) {
            let amax = x[start..<(start + block)].map(abs).max()!
            let step = amax / 127
            for i in start..<(start + block) {
                #expect(abs(back[i] - x[i]) <= step * 0.5001, "element \(i): \(back[i]) vs \(x[i])")
            }
        }
        #expect(back[5] == 0)
        #expect(back[40] == -7.5)
        #expect(nmse(back, x) < 1e-4)
    }

    @Test("an all-zero row quantizes to zeros")
    func zeros() throws {
        let x = [Float](repeating: 0, count: 256)
        var bytes = [UInt8](repeating: 0xFF, count: Kernels.activationRowBytes(for: .q6_K, cols: 256)!)
        try Kernels.quantizeActivations(for: .q6_K, x, count: 256, to: &bytes)
        var back = [Float](repeating: 1, count: 256)
        try Kernels.dequantizeActivations(for: .q6_K, from: bytes, to: &back, count: 256)
        #expect(back.allSatisfy { $0 == 0 })
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

@Suite("Thread pool nesting")
struct ThreadPoolNestingTests {
    @Test("matmul inside parallelFor on the same pool runs inline instead of deadlocking")
    func nestedMatmul() throws {
        let type = GGMLType.q4_0, cols = 64, rows = 40
        let bytes = randomBlocks(type, blocks: rows * cols / 32, seed: 17)
        let x = randomFloats(cols, seed: 18)
        let pool = ThreadPool(threads: 2)
        try bytes.withUnsafeBytes { raw in
            let w = try WeightMatrix(type: type, rows: rows, cols: cols, data: raw.baseAddress!)
            var expected = [Float](repeating: 0, count: rows)
            Kernels.matmul(w, x: x, n: 1, y: &expected, pool: pool)
            let results = UnsafeMutableBufferPointer<Float>.allocate(capacity: 8 * rows)
            defer { results.deallocate() }
            pool.parallelFor(8) { range in
                for task in range {
                    Kernels.matmul(w, x: x, n: 1, y: results.baseAddress! + task * rows, pool: pool)
                }
            }
            for task in 0..<8 { #expect(Array(results[(task * rows)..<((task + 1) * rows)]) == expected) }
        }
    }
}

@Suite("Thread pool wake-ups")
struct ThreadPoolWakeTests {
    @Test("workers that sleep between jobs (no spinning) still run every chunk", arguments: [0, 50])
    func sleepingWorkers(spinMicroseconds: Int) {
        let pool = ThreadPool(threads: 3)
        pool.setSpin(microseconds: spinMicroseconds)
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: 257)
        defer { counts.deallocate() }
        counts.initialize(repeating: 0)
        for job in 0..<300 {
            let size = 1 + (job * 37) % 257   // varying sizes, some below one chunk per thread
            pool.parallelFor(size) { range in for i in range { counts[i] += 1 } }
        }
        let expected = (0..<257).map { i in (0..<300).filter { 1 + ($0 * 37) % 257 > i }.count }
        #expect(Array(counts) == expected)
    }
}
