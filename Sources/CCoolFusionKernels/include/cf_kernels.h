// CoolFusion kernels in C: code here can be compiled for AVX2/FMA per function with runtime
// dispatch (cf_cpu_has_avx2_fma). Swift cannot do that: its default x86-64 target has no FMA, and
// raising the target for a Swift module needs `unsafeFlags`, which would stop other packages from
// depending on this one. docs/ENGINE.md describes the kernels and the two rounding modes.
//
// Types are ggml type ids (GGUF tensor types). Every function with a SIMD path also has a scalar
// reference path, selectable with `simd` = 0, which the tests compare against.
#ifndef CF_KERNELS_H
#define CF_KERNELS_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    CF_OK = 0,
    CF_ERR_UNSUPPORTED_TYPE = -1,   // no kernel for this ggml type
    CF_ERR_BAD_LENGTH = -2,         // a length is not a whole number of blocks
    CF_ERR_NO_MEMORY = -3,          // scratch space could not be allocated
};

/// 1 when the CPU running this process supports AVX2, FMA and F16C, else 0.
int cf_cpu_has_avx2_fma(void);
/// Number of online CPU cores (at least 1).
int cf_cpu_count(void);

// ---- Block formats ----

/// 1 when dequantize, vec_dot and matmul support the ggml type `type`.
int cf_type_supported(int type);
/// Elements per block (1 for F32/F16/BF16), 0 for unsupported types.
int64_t cf_block_elements(int type);
/// Bytes per block, 0 for unsupported types.
int64_t cf_block_bytes(int type);
/// Scalar reference dequantization of `count` elements (a multiple of the block size).
int cf_dequantize(int type, const void *src, float *dst, int64_t count);

// ---- Activations quantized for integer dot products ----

/// Bytes of one quantized activation row of `cols` elements for weights of `type`
/// (f32 rows for F32/F16/BF16 weights). 0 for unsupported types or a bad length.
int64_t cf_activation_row_bytes(int type, int64_t cols);
/// Quantizes one f32 row into the activation format the dot product with `type` weights uses.
int cf_quantize_activation_row(int type, const float *x, void *dst, int64_t cols, int simd);
/// Dequantizes an activation row made by cf_quantize_activation_row (for round-trip tests).
int cf_dequantize_activation_row(int type, const void *src, float *dst, int64_t cols);
/// Dot product of one weight row of `type` with one quantized activation row, both `cols` long.
/// Returns NAN for unsupported types or lengths.
float cf_vec_dot(int type, int64_t cols, const void *weight_row, const void *activation_row, int simd);

// ---- Thread pool ----

typedef struct cf_pool cf_pool;
/// Work item: processes task indices [begin, end).
typedef void (*cf_task_fn)(void *context, int64_t begin, int64_t end);

/// A pool of `threads` - 1 workers plus the calling thread; `threads` <= 0 means one per core.
/// Returns NULL if threads cannot be started.
cf_pool *cf_pool_create(int threads);
void cf_pool_destroy(cf_pool *pool);
int cf_pool_threads(const cf_pool *pool);
/// How long (µs) idle workers spin before sleeping. Default 200.
void cf_pool_set_spin_microseconds(cf_pool *pool, int microseconds);
/// Runs fn over [0, count) split in chunks of a multiple of `grain` across the pool's threads and
/// returns when all are done. Callers from several threads are serialized (one job at a time),
/// so concurrent users never oversubscribe the cores. A call made from inside a job (nested) runs
/// inline on the calling thread.
void cf_pool_run(cf_pool *pool, int64_t count, int64_t grain, cf_task_fn fn, void *context);

// ---- Matrix products ----

/// y[n][rows] = x[n][cols] · Wᵀ, W = `rows` rows of `type` in GGUF layout (row-major blocks).
/// x is quantized once per call (per row) to the activation format of `type`. Weight rows are
/// split across the pool's threads; each weight row is read once for all n activation rows.
/// `simd` = 0 forces the scalar reference kernels. `pool` may be NULL (single thread).
int cf_matmul(cf_pool *pool, int type, const void *w, int64_t rows, int64_t cols,
              const float *x, int64_t n, float *y, int simd);

/// How a product rounds. BATCH_INVARIANT: every output row is rounded as the one-row product
/// would be, whatever n is (the cf_matmul default). LLAMA_CPP: K-quant products (Q4_K, Q5_K,
/// Q6_K) round as llama.cpp's x86 CPU backend does, which depends on n and on the weight row
/// count (repacked Q4_K GEMM/GEMV, tiled K-quant matmul for n >= 8; see k_quant_orders.c), so a
/// row of a batch can differ in the last bits from the same row alone. Other types are the same
/// in both.
enum { CF_ROUNDING_BATCH_INVARIANT = 0, CF_ROUNDING_LLAMA_CPP = 1 };
/// cf_matmul with a choice of rounding (CF_ROUNDING_*).
int cf_matmul_rounded(cf_pool *pool, int type, const void *w, int64_t rows, int64_t cols,
                      const float *x, int64_t n, float *y, int simd, int rounding);

// ---- f32 vector helpers (AVX2/FMA with scalar fallback) ----

float cf_dot_f32(const float *a, const float *b, int64_t n);
/// y += a * x
void cf_axpy_f32(float a, const float *x, float *y, int64_t n);
/// x *= a
void cf_scale_f32(float *x, float a, int64_t n);
/// y += x
void cf_add_f32(const float *x, float *y, int64_t n);
/// y *= x (elementwise)
void cf_mul_f32(const float *x, float *y, int64_t n);
/// Σ x²
float cf_sum_squares_f32(const float *x, int64_t n);
/// max x (−inf for n = 0)
float cf_max_f32(const float *x, int64_t n);
/// x[i] = exp(x[i] - max), returns Σ of the new x (for softmax).
float cf_exp_sub_sum_f32(float *x, float max, int64_t n);
/// gate[i] = silu(gate[i]) * up[i]  (SwiGLU)
void cf_silu_mul_f32(float *gate, const float *up, int64_t n);
/// gate[i] = gelu_tanh(gate[i]) * up[i]  (GeGLU, tanh approximation through ggml's f16 table:
/// gelu(x) = f16(gelu(f16(x))) for -10 < x < 10, 0 below, x above)
void cf_gelu_mul_f32(float *gate, const float *up, int64_t n);
/// x[i] = x[i] rounded to the nearest f16 value (round to nearest even)
void cf_round_to_half_f32(float *x, int64_t n);

// Attention in llama.cpp's exact rounding order (see vector_f32.c). `order` picks the product
// llama.cpp runs: CF_ORDER_GEMM (several query tokens: tinyBLAS, 8 lanes) or CF_ORDER_GEMV (one
// query token: ggml_vec_dot_f16, 32 lanes). `simd` = 0 forces the scalar reference; both give
// identical bits.
enum { CF_ORDER_GEMM = 0, CF_ORDER_GEMV = 1 };

/// scores[t] = scale · (q · rows[t]) for t < count; row t starts at rows + t·stride.
void cf_dot_rows_f32(const float *q, const float *rows, int64_t stride, int64_t count, int64_t width, float scale,
                     float *scores, int order, int simd);
/// acc[(first_lane + t) % lanes][·] += weights[t] · rows[t] (fused), acc [lanes][width] with
/// lanes = 8 (GEMM) or 32 (GEMV): value rows go to the lane of their key position.
void cf_weighted_sum_lanes_f32(const float *weights, const float *rows, int64_t stride, int64_t count, int64_t width,
                               int64_t first_lane, float *acc, int order, int simd);
/// out[d] = lane sum of acc[·][d] in llama.cpp's order.
void cf_reduce_lanes_f32(const float *acc, int64_t width, float *out, int order, int simd);
/// A row of next-token logits in three reads: `max` and its first index `argmax` (−1 when no value
/// is a number), `second` the largest value at any other index (−inf if none), and, with
/// e_i = exp(x_i − max) (ggml's exp in blocks of 8, libm's expf for the n mod 8 last values),
/// `sum` = Σ e_i and `weighted` = Σ e_i·(x_i − max), each block's sum added in double (both 0 when
/// `max` is not finite). So log p(t) = x_t − max − log(sum) and the entropy is
/// log(sum) − weighted / sum. `simd` = 0 forces the scalar reference; both give identical bits.
typedef struct {
    float max;
    float second;
    int64_t argmax;
    double sum;
    double weighted;
} cf_logit_summary;
void cf_logit_summary_f32(const float *x, int64_t n, cf_logit_summary *out, int simd);
/// The first index holding the largest value of x (NaNs never win; −1 when no value is a number):
/// the greedy token of a row of logits, the `argmax` of cf_logit_summary_f32 without its sums.
int64_t cf_argmax_f32(const float *x, int64_t n, int simd);

/// In-place softmax as ggml's soft_max: ggml's exp in blocks of 8, block sums added in double,
/// then one multiply by (float)(1 / sum).
void cf_softmax_f32(float *x, int64_t n, int simd);

#ifdef __cplusplus
}
#endif

#endif
