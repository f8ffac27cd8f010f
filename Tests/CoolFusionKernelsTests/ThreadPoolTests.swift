import CoolFusionGGUF
import CoolFusionKernels
import Testing

@Suite("Thread pool")
struct ThreadPoolTests {
    @Test("parallelFor covers every index exactly once")
    func parallelForCoverage() {
        let pool = ThreadPool(threads: 3)
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: 1000)
        defer { counts.deallocate() }
        counts.initialize(repeating: 0)
        pool.parallelFor(1000, grain: 7) { range in for i in range { counts[i] += 1 } }
        #expect(counts.allSatisfy { $0 == 1 })
    }

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
