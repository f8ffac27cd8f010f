import CoolFusionGGUF
import CoolFusionKernels
import Testing

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
        // Q8_0-style blocks keep their scale as an f16 value (as ggml does): up to 2^-11 relative
        // off, so an element up to 127 steps out moves by up to 127·2^-11 of a step more. Q8_K
        // keeps ggml's f32 d = 1 / (127 / amax), a few ulps from amax / 127.
        let scaleRounding: Float = type == .q4_K ? 127 * 0x1p-21 : 127 * 0x1p-11
        for start in stride(from: 0, to: cols, by: block) {
            let amax = x[start..<(start + block)].map(abs).max()!
            let step = amax / 127
            for i in start..<(start + block) {
                #expect(abs(back[i] - x[i]) <= step * (0.5001 + scaleRounding), "element \(i): \(back[i]) vs \(x[i])")
            }
        }
        #expect(back[5] == 0)
        #expect(abs(back[40] + 7.5) <= 7.5 * scaleRounding / 127)
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

    @Test("a NaN activation makes the outputs of its row NaN on both paths", arguments: [GGMLType.q8_0, .q4_K])
    func nanPropagates(type: GGMLType) throws {
        let cols = 512, rows = 5, n = 2
        let bytes = randomBlocks(type, blocks: rows * cols / type.blockSize, seed: 61)
        var x = randomFloats(n * cols, seed: 62)
        x[cols + 100] = .nan   // second row only
        try bytes.withUnsafeBytes { raw in
            let w = try WeightMatrix(type: type, rows: rows, cols: cols, data: raw.baseAddress!)
            for implementation in [KernelImplementation.simd, .scalarReference] {
                var y = [Float](repeating: 0, count: n * rows)
                Kernels.matmul(w, x: x, n: n, y: &y, pool: .shared, implementation: implementation)
                #expect(y[0..<rows].allSatisfy { $0.isFinite }, "\(implementation)")
                #expect(y[rows...].allSatisfy { $0.isNaN }, "\(implementation)")
            }
        }
    }
}
