import CCoolFusionKernels

/// How a matrix product rounds its float accumulation.
///
/// llama.cpp's x86 CPU backend multiplies K-quant weights (Q4_K, Q5_K, Q6_K) in different float
/// orders depending on the batch: repacked Q4_K matrices (row count a multiple of 8) go through a
/// 4-row GEMM and a 1-row GEMV, and batches of 8 or more rows through its tiled K-quant matmul.
/// The results differ in the last bits, and re-quantizing activations to int8 before every
/// product turns such bits into visibly different logits within a few layers; reproducing
/// llama.cpp's greedy continuations needs its order. Other weight types round the same either way.
public enum MatmulRounding: Sendable {
    /// Row k of an n-row product is bit for bit the one-row product of row k, whatever n is.
    case batchInvariant
    /// llama.cpp's order (CPU, AVX2) for the batch size at hand; a batched row may differ in the
    /// last bits from the same row alone.
    case llamaCpp

    var cValue: Int32 {
        switch self {
        case .batchInvariant: Int32(CF_ROUNDING_BATCH_INVARIANT)
        case .llamaCpp: Int32(CF_ROUNDING_LLAMA_CPP)
        }
    }
}
