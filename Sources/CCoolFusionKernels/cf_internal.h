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
cf_quantize_fn cf_avx2_quantize(cf_activation_kind kind);

/// Six-bit scale and min j (0..7) of a Q4_K/Q5_K super-block.
void cf_q4_K_scale_min(const uint8_t *packed, int j, uint8_t *scale, uint8_t *min);

#endif
