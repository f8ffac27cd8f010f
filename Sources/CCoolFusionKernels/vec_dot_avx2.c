// AVX2/FMA/F16C dot products and activation quantizers. Each one computes what its scalar
// reference in vec_dot_reference.c / quantize_activations.c computes (tested by NMSE).
//
// The integer trick throughout: _mm256_maddubs_epi16 multiplies unsigned bytes by signed bytes
// and adds neighbours into int16; _mm256_madd_epi16 then widens (optionally times a per-group
// scale) into int32. Signed×signed products go through sign(): |a| · (b·sign(a)).
#include "cf_internal.h"
#include <math.h>

#if defined(__x86_64__)
#include "cf_avx2.h"

// ---- f32 / f16 / bf16 weights × f32 activations ----

CF_AVX2 static float dot_f32(int64_t n, const void *w, const void *a) {
    const float *x = w, *y = a;
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), s1);
    }
    float s = hsum_ps(_mm256_add_ps(s0, s1));
    for (; i < n; i++) s += x[i] * y[i];
    return s;
}

CF_AVX2 static float dot_f16(int64_t n, const void *w, const void *a) {
    const cf_half *x = w; const float *y = a;
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i))), _mm256_loadu_ps(y + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i + 8))), _mm256_loadu_ps(y + i + 8), s1);
    }
    float s = hsum_ps(_mm256_add_ps(s0, s1));
    for (; i < n; i++) s += half_to_f32(x[i]) * y[i];
    return s;
}

CF_AVX2 static float dot_bf16(int64_t n, const void *w, const void *a) {
    const cf_bf16 *x = w; const float *y = a;
    __m256 s0 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256i wide = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(x + i)));
        s0 = _mm256_fmadd_ps(_mm256_castsi256_ps(_mm256_slli_epi32(wide, 16)), _mm256_loadu_ps(y + i), s0);
    }
    float s = hsum_ps(s0);
    for (; i < n; i++) s += cf_bf16_to_f32(x[i]) * y[i];
    return s;
}

// ---- 32-element formats × Q8A ----

CF_AVX2 static float dot_q4_0(int64_t n, const void *w, const void *a) {
    const cf_block_q4_0 *x = w; const cf_block_q8a *y = a;
    __m256 acc = _mm256_setzero_ps();
    const __m256i eight = _mm256_set1_epi8(8);
    for (int64_t b = 0; b < n / CF_QK; b++) {
        const __m256i q = _mm256_sub_epi8(nibbles_32(x[b].qs), eight);
        const __m256 p = _mm256_cvtepi32_ps(dot_s8_s8(q, load256(y[b].qs)));
        acc = _mm256_fmadd_ps(_mm256_mul_ps(half_splat(x[b].d), _mm256_set1_ps(y[b].d)), p, acc);
    }
    return hsum_ps(acc);
}

CF_AVX2 static float dot_q4_1(int64_t n, const void *w, const void *a) {
    const cf_block_q4_1 *x = w; const cf_block_q8a *y = a;
    __m256 acc = _mm256_setzero_ps();
    __m128 offsets = _mm_setzero_ps();   // lane 0: Σ m·s (one lane is enough: a sixth of a block's work was this)
    for (int64_t b = 0; b < n / CF_QK; b++) {
        const __m256 p = _mm256_cvtepi32_ps(dot_u8_s8(nibbles_32(x[b].qs), load256(y[b].qs)));
        acc = _mm256_fmadd_ps(_mm256_mul_ps(half_splat(x[b].d), _mm256_set1_ps(y[b].d)), p, acc);
        offsets = _mm_fmadd_ss(_mm_cvtph_ps(_mm_set1_epi16((short)x[b].m)), _mm_set_ss(y[b].s), offsets);
    }
    return hsum_ps(acc) + _mm_cvtss_f32(offsets);
}

CF_AVX2 static float dot_q5_0(int64_t n, const void *w, const void *a) {
    const cf_block_q5_0 *x = w; const cf_block_q8a *y = a;
    __m256 acc = _mm256_setzero_ps();
    const __m256i high_nibble = _mm256_set1_epi8((char)0xF0);
    for (int64_t b = 0; b < n / CF_QK; b++) {
        uint32_t qh; memcpy(&qh, x[b].qh, 4);
        // q - 16 as int8: where the fifth bit is clear that is nibble - 16 = nibble | 0xF0.
        const __m256i q = _mm256_or_si256(nibbles_32(x[b].qs), _mm256_andnot_si256(bits_to_bytes(qh), high_nibble));
        const __m256 p = _mm256_cvtepi32_ps(dot_s8_s8(q, load256(y[b].qs)));
        acc = _mm256_fmadd_ps(_mm256_mul_ps(half_splat(x[b].d), _mm256_set1_ps(y[b].d)), p, acc);
    }
    return hsum_ps(acc);
}

CF_AVX2 static float dot_q5_1(int64_t n, const void *w, const void *a) {
    const cf_block_q5_1 *x = w; const cf_block_q8a *y = a;
    __m256 acc = _mm256_setzero_ps();
    __m128 offsets = _mm_setzero_ps();   // lane 0: Σ m·s (one lane is enough: a sixth of a block's work was this)
    const __m256i fifth_bit = _mm256_set1_epi8(0x10);
    for (int64_t b = 0; b < n / CF_QK; b++) {
        uint32_t qh; memcpy(&qh, x[b].qh, 4);
        const __m256i q = _mm256_or_si256(nibbles_32(x[b].qs), _mm256_and_si256(bits_to_bytes(qh), fifth_bit));
        const __m256 p = _mm256_cvtepi32_ps(dot_u8_s8(q, load256(y[b].qs)));
        acc = _mm256_fmadd_ps(_mm256_mul_ps(half_splat(x[b].d), _mm256_set1_ps(y[b].d)), p, acc);
        offsets = _mm_fmadd_ss(_mm_cvtph_ps(_mm_set1_epi16((short)x[b].m)), _mm_set_ss(y[b].s), offsets);
    }
    return hsum_ps(acc) + _mm_cvtss_f32(offsets);
}

CF_AVX2 static float dot_q8_0(int64_t n, const void *w, const void *a) {
    const cf_block_q8_0 *x = w; const cf_block_q8a *y = a;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / CF_QK; b++) {
        const __m256 p = _mm256_cvtepi32_ps(dot_s8_s8(load256(x[b].qs), load256(y[b].qs)));
        acc = _mm256_fmadd_ps(_mm256_mul_ps(half_splat(x[b].d), _mm256_set1_ps(y[b].d)), p, acc);
    }
    return hsum_ps(acc);
}

// ---- K-quants × Q8K ----

CF_AVX2 static float dot_q2_K(int64_t n, const void *w, const void *a) {
    const cf_block_q2_K *x = w; const cf_block_q8k *y = a;
    __m256 acc = _mm256_setzero_ps(), acc_mins = _mm256_setzero_ps();
    const __m256i two_bits = _mm256_set1_epi8(3);
    for (int64_t b = 0; b < n / CF_QK_K; b++) {
        const __m256 yd = _mm256_set1_ps(y[b].d);
        const __m256 d = _mm256_mul_ps(half_splat(x[b].d), yd), dmin = _mm256_mul_ps(half_splat(x[b].dmin), yd);
        const __m128i packed = _mm_loadu_si128((const __m128i *)x[b].scales);
        const __m256i mins = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(packed, 4), _mm_set1_epi8(0x0F)));
        acc_mins = _mm256_fmadd_ps(dmin, _mm256_cvtepi32_ps(_mm256_madd_epi16(mins, load256(y[b].bsums))), acc_mins);
        const __m256i by_pair = scales_by_pair(_mm_and_si128(packed, _mm_set1_epi8(0x0F)));
        const int8_t *q8 = y[b].qs;
        __m256i sum = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++, q8 += 128) {
            const __m256i bits = load256(x[b].qs + 32 * h);
            const __m256i q[4] = {
                _mm256_and_si256(bits, two_bits),
                _mm256_and_si256(_mm256_srli_epi16(bits, 2), two_bits),
                _mm256_and_si256(_mm256_srli_epi16(bits, 4), two_bits),
                _mm256_and_si256(_mm256_srli_epi16(bits, 6), two_bits),
            };
            for (int r = 0; r < 4; r++) {
                const __m256i p = _mm256_maddubs_epi16(q[r], load256(q8 + 32 * r));
                sum = _mm256_add_epi32(sum, _mm256_madd_epi16(p, pair_scales(by_pair, 4 * h + r)));
            }
        }
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(sum), acc);
    }
    return hsum_ps(acc) - hsum_ps(acc_mins);
}

CF_AVX2 static float dot_q3_K(int64_t n, const void *w, const void *a) {
    const cf_block_q3_K *x = w; const cf_block_q8k *y = a;
    __m256 acc = _mm256_setzero_ps();
    const __m256i two_bits = _mm256_set1_epi8(3), four = _mm256_set1_epi8(4), zero = _mm256_setzero_si256();
    for (int64_t b = 0; b < n / CF_QK_K; b++) {
        const __m256i by_pair = scales_by_pair(unpack_q3_K_scales(x[b].scales));
        const __m256i hmask = load256(x[b].hmask);
        const int8_t *q8 = y[b].qs;
        __m256i sum = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++, q8 += 128) {
            const __m256i bits = load256(x[b].qs + 32 * h);
            const __m256i q[4] = {
                _mm256_and_si256(bits, two_bits),
                _mm256_and_si256(_mm256_srli_epi16(bits, 2), two_bits),
                _mm256_and_si256(_mm256_srli_epi16(bits, 4), two_bits),
                _mm256_and_si256(_mm256_srli_epi16(bits, 6), two_bits),
            };
            for (int r = 0; r < 4; r++) {
                // q = q2 - 4 where the high bit is clear: Σ q2·y − Σ 4·[bit clear]·y.
                const __m256i bit = _mm256_and_si256(hmask, _mm256_set1_epi8((char)(1 << (4 * h + r))));
                const __m256i minus4 = _mm256_and_si256(_mm256_cmpeq_epi8(bit, zero), four);
                const __m256i yv = load256(q8 + 32 * r);
                const __m256i p = _mm256_sub_epi16(_mm256_maddubs_epi16(q[r], yv), _mm256_maddubs_epi16(minus4, yv));
                sum = _mm256_add_epi32(sum, _mm256_madd_epi16(p, pair_scales(by_pair, 4 * h + r)));
            }
        }
        acc = _mm256_fmadd_ps(_mm256_mul_ps(half_splat(x[b].d), _mm256_set1_ps(y[b].d)), _mm256_cvtepi32_ps(sum), acc);
    }
    return hsum_ps(acc);
}

// Q4_K and Q5_K: the scale part in 8 lanes as everywhere; the min part as ggml's vec_dot does it
// (0.3.36): for Q4_K four lanes of products with −d_a·dmin fused in and added to the scale part
// at the end, for Q5_K one running scalar (GCC fuses its multiply-add). Same bits as ggml.
CF_AVX2 static float dot_q4_K(int64_t n, const void *w, const void *a) {
    const cf_block_q4_K *x = w; const cf_block_q8k *y = a;
    __m256 acc = _mm256_setzero_ps();
    __m128 acc_m = _mm_setzero_ps();
    for (int64_t b = 0; b < n / CF_QK_K; b++) {
        const __m256 d = _mm256_mul_ps(half_splat(x[b].d), _mm256_set1_ps(y[b].d));
        const float dmin = -y[b].d * half_to_f32(x[b].dmin);
        uint32_t scales[2], mins[2];
        unpack_k4_scales(x[b].scales, scales, mins);
        acc_m = _mm_fmadd_ps(_mm_set1_ps(dmin), _mm_cvtepi32_ps(k4_min_lanes(mins, y[b].bsums)), acc_m);
        const uint8_t *sc = (const uint8_t *)scales;
        __m256i sum = _mm256_setzero_si256();
        __m256i none = _mm256_setzero_si256();   // no fifth bits
        for (int j = 0; j < 4; j++) {   // 64 elements: low nibbles (group 2j), high nibbles (2j+1)
            __m256i lo, hi;
            k4_quarter_values(x[b].qs, j, 0, &none, &lo, &hi);
            sum = _mm256_add_epi32(sum, k4_quarter_dot(lo, hi, y[b].qs + 64 * j, _mm256_set1_epi16(sc[2 * j]), _mm256_set1_epi16(sc[2 * j + 1])));
        }
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(sum), acc);
    }
    return hsum_ps(acc) + k4_min_total(acc_m);
}

CF_AVX2 static float dot_q5_K(int64_t n, const void *w, const void *a) {
    const cf_block_q5_K *x = w; const cf_block_q8k *y = a;
    __m256 acc = _mm256_setzero_ps();
    float acc_m = 0.0f;
    for (int64_t b = 0; b < n / CF_QK_K; b++) {
        const __m256 d = _mm256_mul_ps(half_splat(x[b].d), _mm256_set1_ps(y[b].d));
        const float dmin = -y[b].d * half_to_f32(x[b].dmin);
        uint32_t scales[2], mins[2];
        unpack_k4_scales(x[b].scales, scales, mins);
        acc_m = fmaf(dmin, (float)hsum_epi32x4(k4_min_lanes(mins, y[b].bsums)), acc_m);
        const uint8_t *sc = (const uint8_t *)scales;
        // Bit j of qh[l] is the fifth bit of element l of group j. Shifting right by 2 per pair
        // of groups keeps the two bits we need at positions 0 and 1 of every byte.
        __m256i high = load256(x[b].qh);
        __m256i sum = _mm256_setzero_si256();
        for (int j = 0; j < 4; j++) {
            __m256i lo, hi;
            k4_quarter_values(x[b].qs, j, 1, &high, &lo, &hi);
            sum = _mm256_add_epi32(sum, k4_quarter_dot(lo, hi, y[b].qs + 64 * j, _mm256_set1_epi16(sc[2 * j]), _mm256_set1_epi16(sc[2 * j + 1])));
        }
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(sum), acc);
    }
    return hsum_ps(acc) + acc_m;
}

CF_AVX2 static float dot_q6_K(int64_t n, const void *w, const void *a) {
    const cf_block_q6_K *x = w; const cf_block_q8k *y = a;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / CF_QK_K; b++) {
        // Values are stored +32. As ggml's vec_dot_q6_K (0.3.36) does, the unsigned values are
        // multiplied first and 32·Σ scale·bsum is subtracted afterwards, lane k of it covering
        // the 32 elements of groups 2k and 2k+1: every int32 lane, and so the float rounding
        // after, equals ggml's.
        const __m256i by_pair = scales_by_pair(_mm_loadu_si128((const __m128i *)x[b].scales));
        const __m256i offsets = q6_K_offsets(x[b].scales, y[b].bsums);
        const int8_t *q8 = y[b].qs;
        __m256i sum = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++, q8 += 128) {
            __m256i q[4];
            q6_K_half_values(&x[b], h, q);
            for (int r = 0; r < 4; r++)
                sum = _mm256_add_epi32(sum, _mm256_madd_epi16(_mm256_maddubs_epi16(q[r], load256(q8 + 32 * r)), pair_scales(by_pair, 4 * h + r)));
        }
        sum = _mm256_sub_epi32(sum, offsets);
        acc = _mm256_fmadd_ps(_mm256_mul_ps(half_splat(x[b].d), _mm256_set1_ps(y[b].d)), _mm256_cvtepi32_ps(sum), acc);
    }
    return hsum_ps(acc);
}

// ---- Activation quantizers (same arithmetic as the scalar references, so identical output) ----

// 32 floats × inverse scale → 32 int8 in order; also returns their sum.
CF_INLINE __m256i quantize_32(const float *x, __m256 inverse, int *sum) {
#define mode (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
    const __m256i i0 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x), inverse), mode));
    const __m256i i1 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x + 8), inverse), mode));
    const __m256i i2 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x + 16), inverse), mode));
    const __m256i i3 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x + 24), inverse), mode));
    sum[0] = hsum_epi32(_mm256_add_epi32(i0, i1));
    sum[1] = hsum_epi32(_mm256_add_epi32(i2, i3));
    // Packing works within 128-bit lanes; the final permute restores element order.
    const __m256i packed = _mm256_packs_epi16(_mm256_packs_epi32(i0, i1), _mm256_packs_epi32(i2, i3));
    return _mm256_permutevar8x32_epi32(packed, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
#undef mode
}

// max |x| over `count` floats; NaN if any is NaN (as the scalar reference; vmaxps alone would
// drop a NaN depending on operand order).
CF_INLINE float abs_max(const float *x, int count) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_setzero_ps(), nan = _mm256_setzero_ps();
    for (int i = 0; i < count; i += 8) {
        const __m256 v = _mm256_andnot_ps(sign, _mm256_loadu_ps(x + i));
        m = _mm256_max_ps(m, v);
        nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    }
    if (_mm256_movemask_ps(nan)) return __builtin_nanf("");
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

CF_AVX2 static void quantize_q8a(const float *x, void *dst, int64_t cols) {
    cf_block_q8a *y = dst;
    for (int64_t b = 0; b < cols / CF_QK; b++, x += CF_QK) {
        const float amax = abs_max(x, CF_QK);
        const float d = amax / 127.0f;
        const float id = amax > 0.0f ? 127.0f / amax : 0.0f;
        int sums[2];
        _mm256_storeu_si256((__m256i *)y[b].qs, quantize_32(x, _mm256_set1_ps(id), sums));
        y[b].d = cf_round_to_half(d);
        y[b].s = cf_round_to_half(d * (float)(sums[0] + sums[1]));
    }
}

CF_AVX2 static void quantize_q8k(const float *x, void *dst, int64_t cols) {
    cf_block_q8k *y = dst;
    for (int64_t b = 0; b < cols / CF_QK_K; b++, x += CF_QK_K) {
        const float amax = abs_max(x, CF_QK_K);
        const float id = amax > 0.0f ? 127.0f / amax : 0.0f;
        const __m256 inverse = _mm256_set1_ps(id);
        y[b].d = amax > 0.0f ? 1.0f / id : amax / 127.0f;   // as the scalar reference (ggml's 1/iscale)
        for (int k = 0; k < CF_QK_K / 32; k++) {
            int sums[2];
            _mm256_storeu_si256((__m256i *)(y[b].qs + 32 * k), quantize_32(x + 32 * k, inverse, sums));
            y[b].bsums[2 * k] = (int16_t)sums[0];
            y[b].bsums[2 * k + 1] = (int16_t)sums[1];
        }
    }
}

cf_vec_dot_fn cf_avx2_vec_dot(int type) {
    switch (type) {
    case CF_TYPE_F32: return dot_f32;
    case CF_TYPE_F16: return dot_f16;
    case CF_TYPE_BF16: return dot_bf16;
    case CF_TYPE_Q4_0: return dot_q4_0;
    case CF_TYPE_Q4_1: return dot_q4_1;
    case CF_TYPE_Q5_0: return dot_q5_0;
    case CF_TYPE_Q5_1: return dot_q5_1;
    case CF_TYPE_Q8_0: return dot_q8_0;
    case CF_TYPE_Q2_K: return dot_q2_K;
    case CF_TYPE_Q3_K: return dot_q3_K;
    case CF_TYPE_Q4_K: return dot_q4_K;
    case CF_TYPE_Q5_K: return dot_q5_K;
    case CF_TYPE_Q6_K: return dot_q6_K;
    default: return NULL;
    }
}

cf_quantize_fn cf_avx2_quantize(cf_activation_kind kind) {
    switch (kind) {
    case CF_ACT_Q8A: return quantize_q8a;
    case CF_ACT_Q8K: return quantize_q8k;
    default: return NULL;
    }
}

#else
cf_vec_dot_fn cf_avx2_vec_dot(int type) { (void)type; return NULL; }
cf_quantize_fn cf_avx2_quantize(cf_activation_kind kind) { (void)kind; return NULL; }
#endif
