// ggml's vectorized e^x, as a scalar function and for 8 lanes, identical bit for bit: shared by the
// softmax of attention (vector_f32.c) and the summary of a row of logits (logit_summary.c).
#ifndef CF_EXP_H
#define CF_EXP_H

#include <math.h>
#include "cf_internal.h"

// e^x as ggml's vectorized expf computes it (a degree-5 polynomial on x − n·ln2 with n from the
// 1.5·2^23 rounding trick), lane by lane with fmaf so it rounds identically. Softmax inputs are
// ≤ 0: below about −87.3 (|n| > 126) ggml returns subnormals or 0; we return 0, which changes no
// f16-rounded probability and no sum.
static const float EXP_SHIFTER = 0x1.8p23f, EXP_LOG2E = 0x1.715476p+0f;
static const float EXP_LN2_HI = 0x1.62e4p-1f, EXP_LN2_LO = 0x1.7f7d1cp-20f;
static const float EXP_C1 = 0x1.ffffecp-1f, EXP_C2 = 0x1.fffdb6p-2f, EXP_C3 = 0x1.555e66p-3f;
static const float EXP_C4 = 0x1.573e2ep-5f, EXP_C5 = 0x1.0e4020p-7f;

static inline float exp_ggml_scalar(float x) {
    const float z = fmaf(x, EXP_LOG2E, EXP_SHIFTER);
    const float n = z - EXP_SHIFTER;
    if (!(fabsf(n) <= 126.0f)) return n > 0 ? INFINITY : 0.0f;   // also −∞ and NaN inputs → 0
    const float b = fmaf(-n, EXP_LN2_LO, fmaf(-n, EXP_LN2_HI, x));
    const float k = cf_bits_to_f32((cf_f32_to_bits(z) << 23) + cf_f32_to_bits(1.0f));
    const float u = b * b;
    const float j = fmaf(fmaf(fmaf(EXP_C5, b, EXP_C4), u, fmaf(EXP_C3, b, EXP_C2)), u, EXP_C1 * b);
    return fmaf(j, k, k);
}

#if defined(__x86_64__)
#include "cf_avx2.h"

// exp_ggml_scalar for 8 lanes (lanes with |n| > 126 become 0 or +inf).
CF_INLINE __m256 exp_ggml_avx2(__m256 x) {
    const __m256 shifter = _mm256_set1_ps(EXP_SHIFTER);
    const __m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(EXP_LOG2E), shifter);
    const __m256 n = _mm256_sub_ps(z, shifter);
    const __m256 b = _mm256_fnmadd_ps(n, _mm256_set1_ps(EXP_LN2_LO), _mm256_fnmadd_ps(n, _mm256_set1_ps(EXP_LN2_HI), x));
    const __m256 k = _mm256_castsi256_ps(_mm256_add_epi32(_mm256_slli_epi32(_mm256_castps_si256(z), 23),
                                                          _mm256_castps_si256(_mm256_set1_ps(1.0f))));
    const __m256 u = _mm256_mul_ps(b, b);
    const __m256 j = _mm256_fmadd_ps(
        _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_set1_ps(EXP_C5), b, _mm256_set1_ps(EXP_C4)), u,
                        _mm256_fmadd_ps(_mm256_set1_ps(EXP_C3), b, _mm256_set1_ps(EXP_C2))),
        u, _mm256_mul_ps(_mm256_set1_ps(EXP_C1), b));
    const __m256 result = _mm256_fmadd_ps(j, k, k);
    const __m256 in_range = _mm256_cmp_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), n), _mm256_set1_ps(126.0f), _CMP_LE_OQ);
    const __m256 overflow = _mm256_and_ps(_mm256_cmp_ps(n, _mm256_set1_ps(126.0f), _CMP_GT_OQ), _mm256_set1_ps(INFINITY));
    return _mm256_or_ps(_mm256_and_ps(in_range, result), overflow);
}
#endif

#endif
