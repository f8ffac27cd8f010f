import CoolFusionGGUF
import CoolFusionModelStore
import Foundation
import CoolFusionKernels
import CoolFusionTestSupport

/// Normalized mean squared error Σ(a−b)² / Σb², the measure llama.cpp's test-backend-ops uses.
func nmse(_ a: [Float], _ reference: [Float]) -> Double {
    var error = 0.0, norm = 0.0
    for (x, y) in zip(a, reference) {
        error += Double(x - y) * Double(x - y)
        norm += Double(y) * Double(y)
    }
    return norm == 0 ? error : error / norm
}

/// Byte offsets of the f16 scale fields inside one block of each quantized type.
func halfScaleOffsets(_ type: GGMLType) -> [Int] {
    switch type {
    case .q4_0, .q5_0, .q8_0: [0]
    case .q4_1, .q5_1, .q4_K, .q5_K: [0, 2]
    case .q2_K: [80, 82]
    case .q3_K: [108]
    case .q6_K: [208]
    default: []
    }
}

/// `blocks` blocks of random quantized data with realistic (small, finite) f16 scales; for
/// F32/F16/BF16, random values in [-1, 1].
func randomBlocks(_ type: GGMLType, blocks: Int, seed: UInt64) -> [UInt8] {
    var rng = SeededGenerator(seed: seed)
    var bytes = (0..<(blocks * type.blockBytes)).map { _ in UInt8.random(in: 0...255, using: &rng) }
    func store16(_ value: UInt16, at offset: Int) {
        bytes[offset] = UInt8(value & 0xFF)
        bytes[offset + 1] = UInt8(value >> 8)
    }
    switch type {
    case .f32:
        for i in 0..<blocks {
            let bits = Float.random(in: -1...1, using: &rng).bitPattern
            for k in 0..<4 { bytes[4 * i + k] = UInt8((bits >> (8 * UInt32(k))) & 0xFF) }
        }
    case .f16:
        for i in 0..<blocks { store16(Float16(Float.random(in: -1...1, using: &rng)).bitPattern, at: 2 * i) }
    case .bf16:
        for i in 0..<blocks { store16(UInt16(Float.random(in: -1...1, using: &rng).bitPattern >> 16), at: 2 * i) }
    default:
        for b in 0..<blocks {
            for offset in halfScaleOffsets(type) {
                let scale = Float.random(in: -0.02...0.02, using: &rng)
                store16(Float16(scale).bitPattern, at: b * type.blockBytes + offset)
            }
        }
    }
    return bytes
}

func randomFloats(_ count: Int, seed: UInt64, range: ClosedRange<Float> = -1...1) -> [Float] {
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { _ in Float.random(in: range, using: &rng) }
}

/// Every type with kernels, as the tests iterate over them.
let kernelTypes: [GGMLType] = [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K]

/// Dequantizes `rows` rows of `cols` and multiplies in f32 (double accumulation): the reference
/// every matmul is compared with.
func referenceMatmul(_ w: WeightMatrix, x: [Float], n: Int) throws -> [Float] {
    var dense = [Float](repeating: 0, count: w.rows * w.cols)
    try dense.withUnsafeMutableBufferPointer { buffer in
        for r in 0..<w.rows { try Kernels.dequantizeRow(w, row: r, to: buffer.baseAddress! + r * w.cols) }
    }
    var y = [Float](repeating: 0, count: n * w.rows)
    for i in 0..<n {
        for r in 0..<w.rows {
            var s = 0.0
            for c in 0..<w.cols { s += Double(dense[r * w.cols + c]) * Double(x[i * w.cols + c]) }
            y[i * w.rows + r] = Float(s)
        }
    }
    return y
}

/// The path of a default model given its file name, fetched by the model store on first use (the
/// README's default models), so a fresh machine tests the real tensors instead of skipping them.
func defaultModelPath(_ fileName: String) throws -> String {
    guard let model = DefaultModel.all.first(where: { $0.fileName == fileName }) else { return fileName }
    return try ModelStore().resolve(model.alias)
}
