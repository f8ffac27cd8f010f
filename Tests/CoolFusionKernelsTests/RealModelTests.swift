import CoolFusionGGUF
import CoolFusionKernels
import Foundation
import Testing

/// Kernels on real tensors of the default models.
@Suite("Real GGUF tensors")
struct RealModelTests {
    static let models = ["qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", "SmolLM2-135M-Instruct.Q4_1.gguf", "gemma-3-270m-q4_k_m.gguf"]

    /// The first 2-D tensor of each quantized type in each model, checked by: matmul (SIMD and
    /// scalar, 1 and 2 threads, n = 1 and 3) against dequantize-then-f32 on its first rows.
    @Test("matmul on real weights matches the dequantized f32 reference", arguments: models)
    func realTensors(model: String) throws {
        let path = try defaultModelPath(model)
        let file = try GGUFFile(path: path)
        var seen = Set<GGMLType>()
        for info in file.tensors where info.shape.count == 2 && seen.insert(info.type).inserted {
            let full = try WeightMatrix(info: info, data: file.data(of: info))
            // Enough rows to cover several blocks of every kind but keep the f64 reference fast.
            let rows = min(full.rows, 67)
            let w = try WeightMatrix(type: full.type, rows: rows, cols: full.cols, data: full.data)
            for n in [1, 3] {
                let x = randomFloats(n * w.cols, seed: UInt64(n), range: -2...2)
                let expected = try referenceMatmul(w, x: x, n: n)
                for (implementation, threads) in [(KernelImplementation.simd, 1), (.simd, 2), (.scalarReference, 1)] {
                    var y = [Float](repeating: .nan, count: n * rows)
                    Kernels.matmul(w, x: x, n: n, y: &y, pool: ThreadPool(threads: threads), implementation: implementation)
                    let error = nmse(y, expected)
                    let bound = info.type.blockSize == 1 ? 1e-10 : 1e-4
                    #expect(error < bound, "\(model) \(info.name) \(info.type.name) n=\(n) \(implementation) threads=\(threads): NMSE \(error)")
                }
            }
        }
        #expect(seen.contains(.q8_0) || seen.contains(.q6_K), "\(model): expected quantized weight tensors, found \(seen.map(\.name))")
    }

    @Test("the types the default models use are all supported")
    func defaultModelTypesSupported() throws {
        for model in Self.models {
            let path = try defaultModelPath(model)
            let file = try GGUFFile(path: path)
            let unsupported = Set(file.tensors.map(\.type)).filter { !Kernels.isSupported($0) }
            #expect(unsupported.isEmpty, "\(model): \(unsupported.map(\.name))")
        }
    }

    @Test("a real Q4_K and Q6_K weight: whole-matrix matvec matches row-by-row dequantized dots")
    func wholeQwenMatrices() throws {
        let path = try defaultModelPath("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")
        let file = try GGUFFile(path: path)
        for type in [GGMLType.q4_K, .q6_K] {
            guard let info = file.tensors.first(where: { $0.type == type && $0.shape.count == 2 }) else {
                Issue.record("no \(type.name) tensor in \(path)")
                continue
            }
            let w = try WeightMatrix(info: info, data: file.data(of: info))
            let x = randomFloats(w.cols, seed: 42)
            var y = [Float](repeating: .nan, count: w.rows)
            Kernels.matmul(w, x: x, n: 1, y: &y, pool: .shared)
            var row = [Float](repeating: 0, count: w.cols)
            var expected = [Float](repeating: 0, count: w.rows)
            for r in 0..<w.rows {
                try Kernels.dequantizeRow(w, row: r, to: &row)
                expected[r] = Float(zip(row, x).reduce(0.0) { $0 + Double($1.0) * Double($1.1) })
            }
            #expect(nmse(y, expected) < 1e-4, "\(info.name) (\(type.name) \(w.rows)×\(w.cols)): NMSE \(nmse(y, expected))")
        }
    }
}
