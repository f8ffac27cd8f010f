// AVX2 dot products of one weight row with EIGHT (or four) activation rows at once, for batched products
// (prefill, scoring several candidates). Unpacking a weight block (nibbles, high bits, six-bit
// scales) costs about as much as the multiply-adds; here it is done once per 8 (or 4) activation
// rows. Each computes bit for bit what that many calls of the single-row kernel in vec_dot_avx2.c
// compute: same operations in the same order, down to the final horizontal sums. Anything less
// makes a batched prefill round differently from token-by-token decoding; the next layer's int8
// activation quantization can turn a last-bit difference into a whole quantization step (large
// with the outlier channels of real residual streams), and over the layers logits drift by ~0.4.
// Tested for exact equality against n = 1 through matmul. `R` is a compile-time constant in
// every instantiation, so the per-row loops unroll and the accumulators live in registers.
#include "cf_internal.h"
#include <math.h>

#if defined(__x86_64__)
#include "cf_avx2.h"

#define MAX_ROWS 8

// Activation block b of row r.
#define Q8A(r, b) (((const cf_block_q8a *)(act + (r) * act_stride)) + (b))
#define Q8K(r, b) (((const cf_block_q8k *)(act + (r) * act_stride)) + (b))

CF_INLINE void store_rows(const __m256 *acc, const float *offsets, float *out, int64_t out_stride, const int R) {
    // NULL offsets: the plain horizontal sum, exactly what the single-row kernel returns.
    for (int r = 0; r < R; r++) out[r * out_stride] = offsets ? hsum_ps(acc[r]) + offsets[r] : hsum_ps(acc[r]);
}

// The s (Σ activations · d) of block b of rows 0..R-1, lane r = row r (R = 4 or 8; other lanes 0).
// Formats with a min (Q4_1, Q5_1) accumulate Σ m·s per row; the single-row kernel keeps it in one
// scalar lane. One lane per row is the same fused multiply-add per row, and one instruction for all
// rows instead of a vector per row (those were a sixth of the work of a block).
CF_INLINE __m256 block_s_rows(const uint8_t *act, int64_t act_stride, int64_t b, const int R) {
    if (R == 8)
        return _mm256_setr_ps(Q8A(0, b)->s, Q8A(1, b)->s, Q8A(2, b)->s, Q8A(3, b)->s,
                              Q8A(4, b)->s, Q8A(5, b)->s, Q8A(6, b)->s, Q8A(7, b)->s);
    return _mm256_setr_ps(Q8A(0, b)->s, Q8A(1, b)->s, Q8A(2, b)->s, Q8A(3, b)->s, 0.0f, 0.0f, 0.0f, 0.0f);
}

// Signed 32-element formats (Q4_0, Q5_0, Q8_0) after their values are in int8 `q`.
#define SIGNED_BLOCK_ROWS(q, dx)                                                                  \
    do {                                                                                          \
        const __m256i abs_q = _mm256_sign_epi8(q, q);                                             \
        const __m256 dxv = (dx);                                                                  \
        for (int r = 0; r < R; r++) {                                                          \
            const cf_block_q8a *y = Q8A(r, b);                                                    \
            const __m256 p = _mm256_cvtepi32_ps(dot_u8_s8(abs_q, _mm256_sign_epi8(load256(y->qs), q))); \
            acc[r] = _mm256_fmadd_ps(_mm256_mul_ps(dxv, _mm256_set1_ps(y->d)), p, acc[r]);        \
        }                                                                                         \
    } while (0)

CF_INLINE void rows_q4_0(int64_t n, const void *w, const uint8_t *act, int64_t act_stride, float *out, int64_t out_stride, const int R) {
    const cf_block_q4_0 *x = w;
    __m256 acc[MAX_ROWS];
    for (int r = 0; r < R; r++) acc[r] = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / CF_QK; b++) {
        const __m256i q = _mm256_sub_epi8(nibbles_32(x[b].qs), _mm256_set1_epi8(8));
        SIGNED_BLOCK_ROWS(q, half_splat(x[b].d));
    }
    store_rows(acc, NULL, out, out_stride, R);
}

CF_INLINE void rows_q5_0(int64_t n, const void *w, const uint8_t *act, int64_t act_stride, float *out, int64_t out_stride, const int R) {
    const cf_block_q5_0 *x = w;
    __m256 acc[MAX_ROWS];
    for (int r = 0; r < R; r++) acc[r] = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / CF_QK; b++) {
        uint32_t qh; memcpy(&qh, x[b].qh, 4);
        const __m256i q = _mm256_or_si256(nibbles_32(x[b].qs), _mm256_andnot_si256(bits_to_bytes(qh), _mm256_set1_epi8((char)0xF0)));
        SIGNED_BLOCK_ROWS(q, half_splat(x[b].d));
    }
    store_rows(acc, NULL, out, out_stride, R);
}

CF_INLINE void rows_q8_0(int64_t n, const void *w, const uint8_t *act, int64_t act_stride, float *out, int64_t out_stride, const int R) {
    const cf_block_q8_0 *x = w;
    __m256 acc[MAX_ROWS];
    for (int r = 0; r < R; r++) acc[r] = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / CF_QK; b++) {
        const __m256i q = load256(x[b].qs);
        SIGNED_BLOCK_ROWS(q, half_splat(x[b].d));
    }
    store_rows(acc, NULL, out, out_stride, R);
}

CF_INLINE void rows_q4_1(int64_t n, const void *w, const uint8_t *act, int64_t act_stride, float *out, int64_t out_stride, const int R) {
    const cf_block_q4_1 *x = w;
    __m256 acc[MAX_ROWS];
    for (int r = 0; r < R; r++) acc[r] = _mm256_setzero_ps();
    __m256 offsets = _mm256_setzero_ps();   // lane r: row r's Σ m·s
    for (int64_t b = 0; b < n / CF_QK; b++) {
        const __m256i q = nibbles_32(x[b].qs);
        const __m256 dx = half_splat(x[b].d), mx = half_splat(x[b].m);
        for (int r = 0; r < R; r++) {
            const cf_block_q8a *y = Q8A(r, b);
            const __m256 p = _mm256_cvtepi32_ps(dot_u8_s8(q, load256(y->qs)));
            acc[r] = _mm256_fmadd_ps(_mm256_mul_ps(dx, _mm256_set1_ps(y->d)), p, acc[r]);
        }
        offsets = _mm256_fmadd_ps(mx, block_s_rows(act, act_stride, b, R), offsets);
    }
    float totals[8];
    _mm256_storeu_ps(totals, offsets);
    store_rows(acc, totals, out, out_stride, R);
}

// Q4_K and Q5_K share everything but the fifth bit; `has_high` is a compile-time constant.
CF_INLINE void rows_k4(int64_t n, const uint8_t *blocks, int64_t block_bytes, int has_high,
                       const uint8_t *act, int64_t act_stride, float *out, int64_t out_stride, const int R) {
    __m256 acc[MAX_ROWS];
    for (int r = 0; r < R; r++) acc[r] = _mm256_setzero_ps();
    // Min part as dot_q4_K (4 lanes, has_high == 0) and dot_q5_K (a scalar) keep it.
    __m128 mins_q4[MAX_ROWS];
    float mins_q5[MAX_ROWS];
    for (int r = 0; r < R; r++) { mins_q4[r] = _mm_setzero_ps(); mins_q5[r] = 0.0f; }
    for (int64_t b = 0; b < n / CF_QK_K; b++) {
        const uint8_t *block = blocks + b * block_bytes;
        const __m256 dx = half_splat(((const cf_half *)block)[0]);
        const float dminx = half_to_f32(((const cf_half *)block)[1]);
        const uint8_t *packed = block + 4;
        const uint8_t *qh = has_high ? block + 16 : NULL;
        const uint8_t *qs = block + (has_high ? 48 : 16);
        uint32_t scales[2], mins[2];
        unpack_k4_scales(packed, scales, mins);
        const uint8_t *sc = (const uint8_t *)scales;
        for (int r = 0; r < R; r++) {
            const __m128i lanes = k4_min_lanes(mins, Q8K(r, b)->bsums);
            const float dmin = -Q8K(r, b)->d * dminx;
            if (has_high) mins_q5[r] = fmaf(dmin, (float)hsum_epi32x4(lanes), mins_q5[r]);
            else mins_q4[r] = _mm_fmadd_ps(_mm_set1_ps(dmin), _mm_cvtepi32_ps(lanes), mins_q4[r]);
        }
        __m256i sum[MAX_ROWS];
        for (int r = 0; r < R; r++) sum[r] = _mm256_setzero_si256();
        __m256i high = has_high ? load256(qh) : _mm256_setzero_si256();
        for (int j = 0; j < 4; j++) {
            __m256i lo, hi;
            k4_quarter_values(qs, j, has_high, &high, &lo, &hi);
            const __m256i scale_lo = _mm256_set1_epi16(sc[2 * j]), scale_hi = _mm256_set1_epi16(sc[2 * j + 1]);
            for (int r = 0; r < R; r++)
                sum[r] = _mm256_add_epi32(sum[r], k4_quarter_dot(lo, hi, Q8K(r, b)->qs + 64 * j, scale_lo, scale_hi));
        }
        for (int r = 0; r < R; r++)
            acc[r] = _mm256_fmadd_ps(_mm256_mul_ps(dx, _mm256_set1_ps(Q8K(r, b)->d)), _mm256_cvtepi32_ps(sum[r]), acc[r]);
    }
    // Same final rounding as dot_q4_K/dot_q5_K, so a row's result does not depend on how many
    // rows are computed together.
    for (int r = 0; r < R; r++) out[r * out_stride] = hsum_ps(acc[r]) + (has_high ? mins_q5[r] : k4_min_total(mins_q4[r]));
}

CF_INLINE void rows_q4_K(int64_t n, const void *w, const uint8_t *act, int64_t act_stride, float *out, int64_t out_stride, const int R) {
    rows_k4(n, w, sizeof(cf_block_q4_K), 0, act, act_stride, out, out_stride, R);
}

CF_INLINE void rows_q5_K(int64_t n, const void *w, const uint8_t *act, int64_t act_stride, float *out, int64_t out_stride, const int R) {
    rows_k4(n, w, sizeof(cf_block_q5_K), 1, act, act_stride, out, out_stride, R);
}

CF_INLINE void rows_q6_K(int64_t n, const void *w, const uint8_t *act, int64_t act_stride, float *out, int64_t out_stride, const int R) {
    const cf_block_q6_K *x = w;
    __m256 acc[MAX_ROWS];
    for (int r = 0; r < R; r++) acc[r] = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / CF_QK_K; b++) {
        const __m128i sc8 = _mm_loadu_si128((const __m128i *)x[b].scales);
        const __m256i by_pair = scales_by_pair(sc8);
        __m256i sum[MAX_ROWS];
        for (int r = 0; r < R; r++) sum[r] = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            __m256i q[4];
            q6_K_half_values(&x[b], h, q);
            for (int k = 0; k < 4; k++) {
                const __m256i scale = pair_scales(by_pair, 4 * h + k);
                for (int r = 0; r < R; r++) {   // values are stored +32: removed after the loop (see dot_q6_K)
                    const __m256i q8v = load256(Q8K(r, b)->qs + 128 * h + 32 * k);
                    sum[r] = _mm256_add_epi32(sum[r], _mm256_madd_epi16(_mm256_maddubs_epi16(q[k], q8v), scale));
                }
            }
        }
        const __m256 dx = half_splat(x[b].d);
        for (int r = 0; r < R; r++) {
            const __m256i offsets = q6_K_offsets(x[b].scales, Q8K(r, b)->bsums);
            acc[r] = _mm256_fmadd_ps(_mm256_mul_ps(dx, _mm256_set1_ps(Q8K(r, b)->d)),
                                     _mm256_cvtepi32_ps(_mm256_sub_epi32(sum[r], offsets)), acc[r]);
        }
    }
    store_rows(acc, NULL, out, out_stride, R);
}

CF_INLINE void rows_q5_1(int64_t n, const void *w, const uint8_t *act, int64_t act_stride, float *out, int64_t out_stride, const int R) {
    const cf_block_q5_1 *x = w;
    __m256 acc[MAX_ROWS];
    for (int r = 0; r < R; r++) acc[r] = _mm256_setzero_ps();
    __m256 offsets = _mm256_setzero_ps();   // lane r: row r's Σ m·s
    for (int64_t b = 0; b < n / CF_QK; b++) {
        uint32_t qh; memcpy(&qh, x[b].qh, 4);
        const __m256i q = _mm256_or_si256(nibbles_32(x[b].qs), _mm256_and_si256(bits_to_bytes(qh), _mm256_set1_epi8(0x10)));
        const __m256 dx = half_splat(x[b].d), mx = half_splat(x[b].m);
        for (int r = 0; r < R; r++) {
            const cf_block_q8a *y = Q8A(r, b);
            const __m256 p = _mm256_cvtepi32_ps(dot_u8_s8(q, load256(y->qs)));
            acc[r] = _mm256_fmadd_ps(_mm256_mul_ps(dx, _mm256_set1_ps(y->d)), p, acc[r]);
        }
        offsets = _mm256_fmadd_ps(mx, block_s_rows(act, act_stride, b, R), offsets);
    }
    float totals[8];
    _mm256_storeu_ps(totals, offsets);
    store_rows(acc, totals, out, out_stride, R);
}

CF_INLINE void rows_q2_K(int64_t n, const void *w, const uint8_t *act, int64_t act_stride, float *out, int64_t out_stride, const int R) {
    const cf_block_q2_K *x = w;
    __m256 acc[MAX_ROWS];
    for (int r = 0; r < R; r++) acc[r] = _mm256_setzero_ps();
    __m256 acc_mins[MAX_ROWS];   // kept apart from acc, as dot_q2_K does, for identical rounding
    for (int r = 0; r < R; r++) acc_mins[r] = _mm256_setzero_ps();
    const __m256i two_bits = _mm256_set1_epi8(3);
    for (int64_t b = 0; b < n / CF_QK_K; b++) {
        const __m128i packed = _mm_loadu_si128((const __m128i *)x[b].scales);
        const __m256i mins = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(packed, 4), _mm_set1_epi8(0x0F)));
        const __m256i by_pair = scales_by_pair(_mm_and_si128(packed, _mm_set1_epi8(0x0F)));
        const __m256 dx = half_splat(x[b].d), dminx = half_splat(x[b].dmin);
        __m256i sum[MAX_ROWS];
        for (int r = 0; r < R; r++) sum[r] = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            const __m256i bits = load256(x[b].qs + 32 * h);
            const __m256i q[4] = {
                _mm256_and_si256(bits, two_bits),
                _mm256_and_si256(_mm256_srli_epi16(bits, 2), two_bits),
                _mm256_and_si256(_mm256_srli_epi16(bits, 4), two_bits),
                _mm256_and_si256(_mm256_srli_epi16(bits, 6), two_bits),
            };
            for (int k = 0; k < 4; k++) {
                const __m256i scale = pair_scales(by_pair, 4 * h + k);
                for (int r = 0; r < R; r++) {
                    const __m256i p = _mm256_maddubs_epi16(q[k], load256(Q8K(r, b)->qs + 128 * h + 32 * k));
                    sum[r] = _mm256_add_epi32(sum[r], _mm256_madd_epi16(p, scale));
                }
            }
        }
        for (int r = 0; r < R; r++) {
            const __m256 yd = _mm256_set1_ps(Q8K(r, b)->d);
            const __m256 mp = _mm256_cvtepi32_ps(_mm256_madd_epi16(mins, load256(Q8K(r, b)->bsums)));
            acc[r] = _mm256_fmadd_ps(_mm256_mul_ps(dx, yd), _mm256_cvtepi32_ps(sum[r]), acc[r]);
            acc_mins[r] = _mm256_fmadd_ps(_mm256_mul_ps(dminx, yd), mp, acc_mins[r]);
        }
    }
    for (int r = 0; r < R; r++) out[r * out_stride] = hsum_ps(acc[r]) - hsum_ps(acc_mins[r]);
}

CF_INLINE void rows_q3_K(int64_t n, const void *w, const uint8_t *act, int64_t act_stride, float *out, int64_t out_stride, const int R) {
    const cf_block_q3_K *x = w;
    __m256 acc[MAX_ROWS];
    for (int r = 0; r < R; r++) acc[r] = _mm256_setzero_ps();
    const __m256i two_bits = _mm256_set1_epi8(3), four = _mm256_set1_epi8(4), zero = _mm256_setzero_si256();
    for (int64_t b = 0; b < n / CF_QK_K; b++) {
        const __m256i by_pair = scales_by_pair(unpack_q3_K_scales(x[b].scales));
        const __m256i hmask = load256(x[b].hmask);
        __m256i sum[MAX_ROWS];
        for (int r = 0; r < R; r++) sum[r] = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            const __m256i bits = load256(x[b].qs + 32 * h);
            for (int k = 0; k < 4; k++) {
                const __m256i q = _mm256_and_si256(_mm256_srli_epi16(bits, 2 * k), two_bits);
                const __m256i bit = _mm256_and_si256(hmask, _mm256_set1_epi8((char)(1 << (4 * h + k))));
                const __m256i minus4 = _mm256_and_si256(_mm256_cmpeq_epi8(bit, zero), four);
                const __m256i scale = pair_scales(by_pair, 4 * h + k);
                for (int r = 0; r < R; r++) {
                    const __m256i yv = load256(Q8K(r, b)->qs + 128 * h + 32 * k);
                    const __m256i p = _mm256_sub_epi16(_mm256_maddubs_epi16(q, yv), _mm256_maddubs_epi16(minus4, yv));
                    sum[r] = _mm256_add_epi32(sum[r], _mm256_madd_epi16(p, scale));
                }
            }
        }
        const __m256 dx = half_splat(x[b].d);
        for (int r = 0; r < R; r++)
            acc[r] = _mm256_fmadd_ps(_mm256_mul_ps(dx, _mm256_set1_ps(Q8K(r, b)->d)), _mm256_cvtepi32_ps(sum[r]), acc[r]);
    }
    store_rows(acc, NULL, out, out_stride, R);
}

// f32 / f16 / bf16 weights: activations stay f32; each weight vector is converted once for all R
// rows. Every row follows dot_f32 / dot_f16 / dot_bf16 operation for operation (two chains of
// 8 lanes stepping 16 for f32/f16, one chain stepping 8 for bf16, the same horizontal sum and
// scalar tail), so the result of a row never depends on how many rows share the pass.
CF_INLINE __m256 load_weights8(const void *w, int kind, int64_t i) {
    if (kind == CF_TYPE_F32) return _mm256_loadu_ps((const float *)w + i);
    if (kind == CF_TYPE_F16) return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)((const cf_half *)w + i)));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)((const cf_bf16 *)w + i))), 16));
}

CF_INLINE void rows_float(int64_t n, const void *w, int kind, const uint8_t *act, int64_t act_stride, float *out, int64_t out_stride, const int R) {
    __m256 s0[MAX_ROWS], s1[MAX_ROWS];
    for (int r = 0; r < R; r++) { s0[r] = _mm256_setzero_ps(); s1[r] = _mm256_setzero_ps(); }
    int64_t i = 0;
    if (kind == CF_TYPE_BF16) {
        for (; i + 8 <= n; i += 8) {
            const __m256 wv = load_weights8(w, kind, i);
            for (int r = 0; r < R; r++)
                s0[r] = _mm256_fmadd_ps(wv, _mm256_loadu_ps((const float *)(act + r * act_stride) + i), s0[r]);
        }
    } else {
        for (; i + 16 <= n; i += 16) {
            const __m256 wa = load_weights8(w, kind, i), wb = load_weights8(w, kind, i + 8);
            for (int r = 0; r < R; r++) {
                const float *y = (const float *)(act + r * act_stride) + i;
                s0[r] = _mm256_fmadd_ps(wa, _mm256_loadu_ps(y), s0[r]);
                s1[r] = _mm256_fmadd_ps(wb, _mm256_loadu_ps(y + 8), s1[r]);
            }
        }
    }
    for (int r = 0; r < R; r++) {
        float s = kind == CF_TYPE_BF16 ? hsum_ps(s0[r]) : hsum_ps(_mm256_add_ps(s0[r], s1[r]));
        const float *y = (const float *)(act + r * act_stride);
        for (int64_t k = i; k < n; k++) {
            const float wk = kind == CF_TYPE_F32 ? ((const float *)w)[k]
                           : kind == CF_TYPE_F16 ? half_to_f32(((const cf_half *)w)[k]) : cf_bf16_to_f32(((const cf_bf16 *)w)[k]);
            s += wk * y[k];
        }
        out[r * out_stride] = s;
    }
}

CF_INLINE void rows_f32(int64_t n, const void *w, const uint8_t *act, int64_t act_stride, float *out, int64_t out_stride, const int R) {
    rows_float(n, w, CF_TYPE_F32, act, act_stride, out, out_stride, R);
}
CF_INLINE void rows_f16(int64_t n, const void *w, const uint8_t *act, int64_t act_stride, float *out, int64_t out_stride, const int R) {
    rows_float(n, w, CF_TYPE_F16, act, act_stride, out, out_stride, R);
}
CF_INLINE void rows_bf16(int64_t n, const void *w, const uint8_t *act, int64_t act_stride, float *out, int64_t out_stride, const int R) {
    rows_float(n, w, CF_TYPE_BF16, act, act_stride, out, out_stride, R);
}

// Entry points: each kernel instantiated for 8 and for 4 activation rows.
#define ROW_KERNELS(name) \
    CF_AVX2 static void dot8_##name(int64_t n, const void *w, const uint8_t *act, int64_t act_stride, float *out, int64_t out_stride) { rows_##name(n, w, act, act_stride, out, out_stride, 8); } \
    CF_AVX2 static void dot4_##name(int64_t n, const void *w, const uint8_t *act, int64_t act_stride, float *out, int64_t out_stride) { rows_##name(n, w, act, act_stride, out, out_stride, 4); }
ROW_KERNELS(q4_0)
ROW_KERNELS(q5_0)
ROW_KERNELS(q8_0)
ROW_KERNELS(q4_1)
ROW_KERNELS(q4_K)
ROW_KERNELS(q5_K)
ROW_KERNELS(q6_K)
ROW_KERNELS(q5_1)
ROW_KERNELS(q2_K)
ROW_KERNELS(q3_K)
ROW_KERNELS(f32)
ROW_KERNELS(f16)
ROW_KERNELS(bf16)

cf_vec_dot_rows_fn cf_avx2_vec_dot_rows(int type, int rows) {
    if (rows != 8 && rows != 4) return NULL;
    switch (type) {
    case CF_TYPE_Q4_0: return rows == 8 ? dot8_q4_0 : dot4_q4_0;
    case CF_TYPE_Q5_0: return rows == 8 ? dot8_q5_0 : dot4_q5_0;
    case CF_TYPE_Q8_0: return rows == 8 ? dot8_q8_0 : dot4_q8_0;
    case CF_TYPE_Q4_1: return rows == 8 ? dot8_q4_1 : dot4_q4_1;
    case CF_TYPE_Q4_K: return rows == 8 ? dot8_q4_K : dot4_q4_K;
    case CF_TYPE_Q5_K: return rows == 8 ? dot8_q5_K : dot4_q5_K;
    case CF_TYPE_Q6_K: return rows == 8 ? dot8_q6_K : dot4_q6_K;
    case CF_TYPE_Q5_1: return rows == 8 ? dot8_q5_1 : dot4_q5_1;
    case CF_TYPE_Q2_K: return rows == 8 ? dot8_q2_K : dot4_q2_K;
    case CF_TYPE_Q3_K: return rows == 8 ? dot8_q3_K : dot4_q3_K;
    case CF_TYPE_F32: return rows == 8 ? dot8_f32 : dot4_f32;
    case CF_TYPE_F16: return rows == 8 ? dot8_f16 : dot4_f16;
    case CF_TYPE_BF16: return rows == 8 ? dot8_bf16 : dot4_bf16;
    default: return NULL;
    }
}

#else
cf_vec_dot_rows_fn cf_avx2_vec_dot_rows(int type, int rows) { (void)type; (void)rows; return NULL; }
#endif
