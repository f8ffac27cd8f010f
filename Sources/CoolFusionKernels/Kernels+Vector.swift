import CCoolFusionKernels

/// f32 vector helpers for attention, residuals and activations (AVX2/FMA in C, scalar fallback).
/// The engine's RMSNorm is `VectorMath.rmsNorm` (ggml's rounding: squares summed in Double).
extension Kernels {
    /// y += x
    public static func add(_ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, count: Int) { cf_add_f32(x, y, Int64(count)) }
    /// Σ x[i]²
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Float { cf_sum_squares_f32(x, Int64(count)) }
    /// In-place softmax of `count` values, rounded as ggml's soft_max (its exp approximation in
    /// blocks of 8 values, block sums added in Double, one multiply by the Float reciprocal).
    /// Attention calls it on key positions aligned to multiples of 8, padded with −∞, so its blocks
    /// are llama.cpp's.
    public static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int, implementation: KernelImplementation = .simd) {
        guard count > 0 else { return }
        cf_softmax_f32(x, Int64(count), implementation.cFlag)
    }
    /// gate[i] = silu(gate[i]) · up[i]  (SwiGLU FFN)
    public static func siluMultiply(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        cf_silu_mul_f32(gate, up, Int64(count))
    }
    /// gate[i] = gelu_tanh(gate[i]) · up[i]  (GeGLU FFN, Gemma)
    public static func geluMultiply(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        cf_gelu_mul_f32(gate, up, Int64(count))
    }
    /// x[i] = x[i] rounded to the nearest f16 value: llama.cpp keeps keys, values, and the query
    /// and attention weights it multiplies them with, as f16; rounding ours the same way makes
    /// attention agree with it to float accuracy.
    public static func roundToHalf(_ x: UnsafeMutablePointer<Float>, count: Int) { cf_round_to_half_f32(x, Int64(count)) }
    /// Attention scores of one query against `count` key rows:
    /// scores[t] = scale · (q · rows[t]), row t starting at `rows + t·stride` (`width` floats each),
    /// summed in the lane order of the product llama.cpp runs for `order` (see `AttentionOrder`).
    public static func dotRows(_ q: UnsafePointer<Float>, rows: UnsafePointer<Float>, stride: Int, count: Int, width: Int,
                               scale: Float = 1, into scores: UnsafeMutablePointer<Float>, order: AttentionOrder = .batch,
                               implementation: KernelImplementation = .simd) {
        cf_dot_rows_f32(q, rows, Int64(stride), Int64(count), Int64(width), scale, scores, order.cValue, implementation.cFlag)
    }
    /// Attention output, first half: lanes[(firstLane + t) % L] += weights[t] · rows[t] (fused
    /// multiply-add), `lanes` [L][width] with L = `order.laneCount`, row t starting at
    /// `rows + t·stride`. Pass the key position mod L as `firstLane`: llama.cpp sums value rows in
    /// the lane of their position.
    public static func weightedSumLanes(_ weights: UnsafePointer<Float>, rows: UnsafePointer<Float>, stride: Int, count: Int,
                                        width: Int, firstLane: Int, lanes: UnsafeMutablePointer<Float>,
                                        order: AttentionOrder = .batch, implementation: KernelImplementation = .simd) {
        cf_weighted_sum_lanes_f32(weights, rows, Int64(stride), Int64(count), Int64(width), Int64(firstLane), lanes,
                                  order.cValue, implementation.cFlag)
    }
    /// Attention output, second half: out[d] = the sum of lanes[·][d] in llama.cpp's order.
    public static func reduceLanes(_ lanes: UnsafePointer<Float>, width: Int, into out: UnsafeMutablePointer<Float>,
                                   order: AttentionOrder = .batch, implementation: KernelImplementation = .simd) {
        cf_reduce_lanes_f32(lanes, Int64(width), out, order.cValue, implementation.cFlag)
    }
}

/// Which of llama.cpp's two F16 attention products to round like: it multiplies several query
/// tokens with tinyBLAS (one 8-lane accumulator) and a single one with ggml_vec_dot_f16 (four
/// 8-lane accumulators); the results differ in the last bits, which greedy decoding can amplify.
public enum AttentionOrder: Sendable {
    /// Several query tokens in the forward batch (prefill, scoring): tinyBLAS's order.
    case batch
    /// One query token (a decode step): ggml_vec_dot_f16's order.
    case single

    /// Partial sums per output: 8 or 32.
    public var laneCount: Int { self == .single ? 32 : 8 }
    var cValue: Int32 { self == .single ? Int32(CF_ORDER_GEMV) : Int32(CF_ORDER_GEMM) }
}
