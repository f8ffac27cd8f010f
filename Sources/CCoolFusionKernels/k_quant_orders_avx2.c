// AVX2 versions of the integer quarter sums of k_quant_orders.c: one weight super-block with up
// to eight activation rows, the weight unpacked once for all of them. Integer sums are exact, so
// these equal the scalar reference whatever order they add in (tested for identity).
#include "cf_internal.h"

#if defined(__x86_64__)
#include "cf_avx2.h"

// Four int32x8 vectors → their four horizontal sums.
CF_INLINE void hsum4_epi32(__m256i v0, __m256i v1, __m256i v2, __m256i v3, int32_t out[4]) {
    const __m256i t = _mm256_hadd_epi32(_mm256_hadd_epi32(v0, v1), _mm256_hadd_epi32(v2, v3));
    _mm_storeu_si128((__m128i *)out, _mm_add_epi32(_mm256_castsi256_si128(t), _mm256_extracti128_si256(t, 1)));
}

#define Q8K_ROW(r) ((const cf_block_q8k *)((const uint8_t *)a + (r) * stride))

// Q4_K and Q5_K share everything but the fifth bit; `has_high` is a compile-time constant.
CF_INLINE void quarters_k4(const uint8_t *block, int has_high, const cf_block_q8k *a, int64_t stride,
                           cf_k_quarters *out, const int R) {
    const uint8_t *packed = block + 4;
    const uint8_t *qs = block + (has_high ? 48 : 16);
    uint32_t scales[2], mins[2];
    unpack_k4_scales(packed, scales, mins);
    const uint8_t *sc = (const uint8_t *)scales, *mn = (const uint8_t *)mins;
    for (int r = 0; r < R; r++) {
        const int16_t *bs = Q8K_ROW(r)->bsums;
        for (int k = 0; k < 4; k++)
            out[r].mins[k] = mn[2 * k] * (bs[4 * k] + bs[4 * k + 1]) + mn[2 * k + 1] * (bs[4 * k + 2] + bs[4 * k + 3]);
    }
    __m256i sum[CF_K_MAX_ROWS][4];
    __m256i high = has_high ? load256(block + 16) : _mm256_setzero_si256();
    for (int k = 0; k < 4; k++) {   // quarter k: low nibbles are group 2k, high nibbles group 2k + 1
        __m256i lo, hi;
        k4_quarter_values(qs, k, has_high, &high, &lo, &hi);
        const __m256i scale_lo = _mm256_set1_epi16(sc[2 * k]), scale_hi = _mm256_set1_epi16(sc[2 * k + 1]);
        for (int r = 0; r < R; r++) sum[r][k] = k4_quarter_dot(lo, hi, Q8K_ROW(r)->qs + 64 * k, scale_lo, scale_hi);
    }
    for (int r = 0; r < R; r++) hsum4_epi32(sum[r][0], sum[r][1], sum[r][2], sum[r][3], out[r].sums);
}

CF_INLINE void quarters_q6_K_rows(const uint8_t *block, const cf_block_q8k *a, int64_t stride, cf_k_quarters *out, const int R) {
    const cf_block_q6_K *x = (const cf_block_q6_K *)block;
    const __m256i by_pair = scales_by_pair(_mm_loadu_si128((const __m128i *)x->scales));
    __m256i sum[CF_K_MAX_ROWS][4];
    for (int r = 0; r < R; r++) for (int k = 0; k < 4; k++) sum[r][k] = _mm256_setzero_si256();
    for (int h = 0; h < 2; h++) {
        __m256i q[4];
        q6_K_half_values(x, h, q);
        for (int k = 0; k < 4; k++) {   // elements 128 h + 32 k ..: quarter 2 h + k / 2
            const __m256i scale = pair_scales(by_pair, 4 * h + k);
            for (int r = 0; r < R; r++) {   // values are stored +32: subtract 32·q8 (exact in int16)
                const __m256i q8v = load256(Q8K_ROW(r)->qs + 128 * h + 32 * k);
                const __m256i p = _mm256_sub_epi16(_mm256_maddubs_epi16(q[k], q8v), _mm256_maddubs_epi16(_mm256_set1_epi8(32), q8v));
                sum[r][2 * h + k / 2] = _mm256_add_epi32(sum[r][2 * h + k / 2], _mm256_madd_epi16(p, scale));
            }
        }
    }
    for (int r = 0; r < R; r++) {
        hsum4_epi32(sum[r][0], sum[r][1], sum[r][2], sum[r][3], out[r].sums);
        for (int k = 0; k < 4; k++) out[r].mins[k] = 0;
    }
}

// Entry points: 8 and 4 rows unrolled, anything else one row at a time.
#define QUARTER_KERNEL(name, body)                                                                       \
    CF_AVX2 static void name(const uint8_t *wblock, const cf_block_q8k *a, int64_t stride, int rows, cf_k_quarters *out) { \
        if (rows == 8) { body(a, out, 8); return; }                                                      \
        if (rows == 4) { body(a, out, 4); return; }                                                      \
        for (int r = 0; r < rows; r++) body(Q8K_ROW(r), out + r, 1);                                     \
    }
#define BODY_Q4_K(a_, out_, R) quarters_k4(wblock, 0, a_, stride, out_, R)
#define BODY_Q5_K(a_, out_, R) quarters_k4(wblock, 1, a_, stride, out_, R)
#define BODY_Q6_K(a_, out_, R) quarters_q6_K_rows(wblock, a_, stride, out_, R)
QUARTER_KERNEL(avx2_quarters_q4_K, BODY_Q4_K)
QUARTER_KERNEL(avx2_quarters_q5_K, BODY_Q5_K)
QUARTER_KERNEL(avx2_quarters_q6_K, BODY_Q6_K)

cf_k_quarters_fn cf_avx2_k_quarters(int type) {
    switch (type) {
    case CF_TYPE_Q4_K: return avx2_quarters_q4_K;
    case CF_TYPE_Q5_K: return avx2_quarters_q5_K;
    case CF_TYPE_Q6_K: return avx2_quarters_q6_K;
    default: return NULL;
    }
}

#else
cf_k_quarters_fn cf_avx2_k_quarters(int type) { (void)type; return NULL; }
#endif
