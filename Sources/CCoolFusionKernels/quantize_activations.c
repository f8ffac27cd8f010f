// f32 activations → int8 blocks for the integer dot products (scalar reference versions), and
// the per-type choice of activation format.
#include "cf_internal.h"
#include <math.h>

cf_activation_kind cf_activation_kind_for(int type) {
    switch (type) {
    case CF_TYPE_F32: case CF_TYPE_F16: case CF_TYPE_BF16: return CF_ACT_F32;
    case CF_TYPE_Q4_0: case CF_TYPE_Q4_1: case CF_TYPE_Q5_0: case CF_TYPE_Q5_1: case CF_TYPE_Q8_0: return CF_ACT_Q8A;
    case CF_TYPE_Q2_K: case CF_TYPE_Q3_K: case CF_TYPE_Q4_K: case CF_TYPE_Q5_K: case CF_TYPE_Q6_K: return CF_ACT_Q8K;
    default: return CF_ACT_NONE;
    }
}

// Symmetric int8: d = max|x| / 127, q = round-half-even(x · 127 / max|x|). Both the scalar and
// the SIMD version multiply by the same f32 inverse and round the same way, so they agree exactly
// on finite input. As in ggml's quantize_row_q8_0/q8_1, d and s are then rounded to f16 (s from
// the unrounded d); Q8K keeps an f32 d as ggml's Q8_K does. A NaN anywhere in a block makes d NaN (as the SIMD max does), so a broken
// activation shows up as NaN outputs instead of quietly becoming zero.
static float abs_max_keeping_nan(const float *x, int count) {
    float amax = 0.0f;
    for (int j = 0; j < count; j++) {
        const float v = fabsf(x[j]);
        if (isnan(v) || v > amax) amax = v;
        if (isnan(amax)) break;
    }
    return amax;
}

// Rounds x·id to int8 range; NaN (only possible when the block's scale is NaN) becomes 0.
static int round_to_int(float v) { return isnan(v) ? 0 : (int)nearbyintf(v); }
void cf_quantize_q8a_reference(const float *x, void *dst, int64_t cols) {
    cf_block_q8a *y = dst;
    for (int64_t b = 0; b < cols / CF_QK; b++, x += CF_QK) {
        const float amax = abs_max_keeping_nan(x, CF_QK);
        const float d = amax / 127.0f;
        const float id = amax > 0.0f ? 127.0f / amax : 0.0f;
        int sum = 0;
        for (int j = 0; j < CF_QK; j++) {
            const int q = round_to_int(x[j] * id);
            y[b].qs[j] = (int8_t)q;
            sum += q;
        }
        y[b].d = cf_round_to_half(d);
        y[b].s = cf_round_to_half(d * (float)sum);
    }
}

void cf_quantize_q8k_reference(const float *x, void *dst, int64_t cols) {
    cf_block_q8k *y = dst;
    for (int64_t b = 0; b < cols / CF_QK_K; b++, x += CF_QK_K) {
        const float amax = abs_max_keeping_nan(x, CF_QK_K);
        const float id = amax > 0.0f ? 127.0f / amax : 0.0f;
        // ggml's quantize_row_q8_K stores d = 1 / iscale with iscale = ∓127 / max, not max / 127:
        // the two differ in the last bit for some max, and that bit scales every K-quant product.
        // (ggml's sign choice flips d and every q together, which changes no product.) 0 stays
        // 0 and a NaN stays NaN.
        y[b].d = amax > 0.0f ? 1.0f / id : amax / 127.0f;
        for (int g = 0; g < CF_QK_K / 16; g++) {
            int sum = 0;
            for (int j = 16 * g; j < 16 * g + 16; j++) {
                const int q = round_to_int(x[j] * id);
                y[b].qs[j] = (int8_t)q;
                sum += q;
            }
            y[b].bsums[g] = (int16_t)sum;
        }
    }
}

int64_t cf_activation_row_bytes(int type, int64_t cols) {
    if (cols < 0) return 0;
    switch (cf_activation_kind_for(type)) {
    case CF_ACT_F32: return cols * 4;
    case CF_ACT_Q8A: return cols % CF_QK ? 0 : cols / CF_QK * (int64_t)sizeof(cf_block_q8a);
    case CF_ACT_Q8K: return cols % CF_QK_K ? 0 : cols / CF_QK_K * (int64_t)sizeof(cf_block_q8k);
    default: return 0;
    }
}

int cf_quantize_activation_row(int type, const float *x, void *dst, int64_t cols, int simd) {
    const cf_activation_kind kind = cf_activation_kind_for(type);
    if (kind == CF_ACT_NONE) return CF_ERR_UNSUPPORTED_TYPE;
    if (cols <= 0 || cf_activation_row_bytes(type, cols) == 0) return CF_ERR_BAD_LENGTH;
    cf_quantize_fn fast = (simd && cf_cpu_has_avx2_fma()) ? cf_avx2_quantize(kind) : NULL;
    switch (kind) {
    case CF_ACT_F32: memcpy(dst, x, (size_t)cols * 4); break;
    case CF_ACT_Q8A: (fast ? fast : cf_quantize_q8a_reference)(x, dst, cols); break;
    case CF_ACT_Q8K: (fast ? fast : cf_quantize_q8k_reference)(x, dst, cols); break;
    default: break;
    }
    return CF_OK;
}

int cf_dequantize_activation_row(int type, const void *src, float *dst, int64_t cols) {
    const cf_activation_kind kind = cf_activation_kind_for(type);
    if (kind == CF_ACT_NONE) return CF_ERR_UNSUPPORTED_TYPE;
    if (cols <= 0 || cf_activation_row_bytes(type, cols) == 0) return CF_ERR_BAD_LENGTH;
    if (kind == CF_ACT_F32) { memcpy(dst, src, (size_t)cols * 4); return CF_OK; }
    if (kind == CF_ACT_Q8A) {
        const cf_block_q8a *b = src;
        for (int64_t i = 0; i < cols; i++) dst[i] = b[i / CF_QK].d * (float)b[i / CF_QK].qs[i % CF_QK];
    } else {
        const cf_block_q8k *b = src;
        for (int64_t i = 0; i < cols; i++) dst[i] = b[i / CF_QK_K].d * (float)b[i / CF_QK_K].qs[i % CF_QK_K];
    }
    return CF_OK;
}
