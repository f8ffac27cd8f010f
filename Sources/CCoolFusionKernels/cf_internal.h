// Internal interfaces between the C files of the kernel target.
#ifndef CF_INTERNAL_H
#define CF_INTERNAL_H

#include "cf_kernels.h"
#include "cf_blocks.h"

/// Dot product of one weight row with one activation row (quantized or f32), `cols` elements.
typedef float (*cf_vec_dot_fn)(int64_t cols, const void *weight_row, const void *activation_row);
/// Quantizes `cols` f32 activations (a multiple of the block size) into activation blocks.
typedef void (*cf_quantize_fn)(const float *x, void *dst, int64_t cols);

/// How activations are presented to the dot product for a weight type.
typedef enum { CF_ACT_F32, CF_ACT_Q8A, CF_ACT_Q8K, CF_ACT_NONE } cf_activation_kind;
cf_activation_kind cf_activation_kind_for(int type);

// Scalar references (vec_dot_reference.c, quantize_activations.c). Never removed: they define
// what the SIMD kernels must compute.
cf_vec_dot_fn cf_reference_vec_dot(int type);
void cf_quantize_q8a_reference(const float *x, void *dst, int64_t cols);
void cf_quantize_q8k_reference(const float *x, void *dst, int64_t cols);

// AVX2/FMA/F16C versions (vec_dot_avx2.c); NULL when the type has none or the build target is
// not x86-64. Only call them when cf_cpu_has_avx2_fma().
cf_vec_dot_fn cf_avx2_vec_dot(int type);
/// One weight row · `rows` activation rows (act + k·act_stride) → out[k·out_stride], k < rows:
/// the weight row is unpacked once for all of them (vec_dot_rows_avx2.c). `rows` is 8 or 4;
/// NULL if the type has no such kernel.
typedef void (*cf_vec_dot_rows_fn)(int64_t cols, const void *weight_row, const uint8_t *act, int64_t act_stride,
                                   float *out, int64_t out_stride);
cf_vec_dot_rows_fn cf_avx2_vec_dot_rows(int type, int rows);
cf_quantize_fn cf_avx2_quantize(cf_activation_kind kind);

/// Six-bit scale and min j (0..7) of a Q4_K/Q5_K super-block.
void cf_q4_K_scale_min(const uint8_t *packed, int j, uint8_t *scale, uint8_t *min);

// ---- K-quant products in llama.cpp's rounding order (k_quant_orders.c) ----

/// The float accumulation order llama.cpp's CPU backend uses for one output row of a K-quant
/// product (see k_quant_orders.c for where each comes from).
typedef enum {
    CF_K_ORDER_VEC_DOT,        // ggml_vec_dot_*_q8_K (vec_dot_avx2.c)
    CF_K_ORDER_REPACK_GEMV,    // repacked Q4_K, one activation row: one FMA per super-block
    CF_K_ORDER_REPACK_GEMM,    // repacked Q4_K, groups of 4 activation rows: one FMA per 64 elements
    CF_K_ORDER_TILED,          // ggml-cpu/tiled: (d·S − dmin·M)·d_a per super-block
} cf_k_order;
/// Order for activation row `row_index` of an n-row product with a `rows`-row weight matrix.
cf_k_order cf_k_order_for(int type, int64_t rows, int64_t n, int64_t row_index);

#define CF_K_MAX_ROWS 8
/// Exact integer parts of one weight super-block · one Q8_K activation block, per 64-element
/// quarter: sums = Σ scale·q_w·q_a, mins = Σ min·bsum (0 for Q6_K).
typedef struct { int32_t sums[4]; int32_t mins[4]; } cf_k_quarters;
/// Quarter sums of one weight block with activation block `a` of `rows` (≤ CF_K_MAX_ROWS)
/// activation rows, `stride` bytes apart → out[rows].
typedef void (*cf_k_quarters_fn)(const uint8_t *wblock, const cf_block_q8k *a, int64_t stride, int rows, cf_k_quarters *out);
cf_k_quarters_fn cf_reference_k_quarters(int type);
cf_k_quarters_fn cf_avx2_k_quarters(int type);   // NULL off x86-64
/// One weight row · `rows` activation rows (act + k·act_stride) → out[k·out_stride], rounded in `order`.
void cf_k_dot_rows(int type, cf_k_order order, cf_k_quarters_fn quarters, int64_t cols, const uint8_t *w_row,
                   const uint8_t *act, int64_t act_stride, int rows, float *out, int64_t out_stride);
/// cf_k_dot_rows for exactly eight activation rows, one type and order, equal bit for bit
/// (k_quant_orders_avx2.c); NULL when that pair has none or off x86-64.
typedef void (*cf_k_dot_rows8_fn)(int64_t cols, const uint8_t *w_row, const uint8_t *act, int64_t act_stride,
                                  float *out, int64_t out_stride);
cf_k_dot_rows8_fn cf_avx2_k_dot_rows8(int type, cf_k_order order);
/// One activation row · eight weight rows (w + k·w_stride) → out[0..7] in repacked Q4_K's GEMV
/// order, equal bit for bit to cf_k_dot_rows (k_quant_orders_avx2.c); NULL as above.
typedef void (*cf_k_gemv_rows8_fn)(int64_t cols, const uint8_t *w, int64_t w_stride, const uint8_t *act, float *out);
cf_k_gemv_rows8_fn cf_avx2_k_gemv_rows8(int type);

#endif
