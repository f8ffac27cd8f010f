// AVX2 versions of the integer quarter sums of k_quant_orders.c: one weight super-block with up
// to eight activation rows, the weight unpacked once for all of them. Integer sums are exact, so
// these equal the scalar reference whatever order they add in (tested for identity).
#include "cf_internal.h"
#include <stddef.h>

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

// Entry points: 4 rows unrolled, anything else one row at a time (runs of eight rows take the
// kernels below, k_dot_rows8).
#define QUARTER_KERNEL(name, body)                                                                       \
    CF_AVX2 static void name(const uint8_t *wblock, const cf_block_q8k *a, int64_t stride, int rows, cf_k_quarters *out) { \
        if (rows == 4) { body(a, out, 4); return; }                                                      \
        for (int r = 0; r < rows; r++) body(Q8K_ROW(r), out + r, 1);                                     \
    }
#define BODY_Q4_K(a_, out_, R) quarters_k4(wblock, 0, a_, stride, out_, R)
#define BODY_Q5_K(a_, out_, R) quarters_k4(wblock, 1, a_, stride, out_, R)
#define BODY_Q6_K(a_, out_, R) quarters_q6_K_rows(wblock, a_, stride, out_, R)
QUARTER_KERNEL(avx2_quarters_q4_K, BODY_Q4_K)
QUARTER_KERNEL(avx2_quarters_q5_K, BODY_Q5_K)
QUARTER_KERNEL(avx2_quarters_q6_K, BODY_Q6_K)

// ---- Eight activation rows at once, integer sums and float combination in registers ----
//
// The common case of a batched product (runs of eight rows): lane r of every vector below is
// activation row r. Each float step is the scalar combination's (cf_k_dot_rows) applied lane by
// lane (the same products and fused multiply-adds in the same order), so the results are equal
// bit for bit; only the bookkeeping around them is gone (per-row arrays, libm's fmaf calls,
// scalar min terms).

// Eight int32x8 vectors → one: lane r is the horizontal sum of v[r].
CF_INLINE __m256i hsum8_epi32(const __m256i v[8]) {
    const __m256i a = _mm256_hadd_epi32(_mm256_hadd_epi32(v[0], v[1]), _mm256_hadd_epi32(v[2], v[3]));
    const __m256i b = _mm256_hadd_epi32(_mm256_hadd_epi32(v[4], v[5]), _mm256_hadd_epi32(v[6], v[7]));
    // a = [Σlow(v0..v3) | Σhigh(v0..v3)], b likewise for v4..v7
    return _mm256_add_epi32(_mm256_permute2x128_si256(a, b, 0x20), _mm256_permute2x128_si256(a, b, 0x31));
}

// Min terms of a Q4_K/Q5_K block for eight rows: m[k] lane r = row r's quarter-k min term.
CF_INLINE void k4_min_quarters8(const uint32_t mins[2], const uint8_t *a, int64_t stride, __m256i m[4]) {
    __m256i x[4];
    for (int r = 0; r < 4; r++)
        x[r] = _mm256_set_m128i(k4_min_lanes(mins, Q8K_ROW(r + 4)->bsums), k4_min_lanes(mins, Q8K_ROW(r)->bsums));
    const __m256i t0 = _mm256_unpacklo_epi32(x[0], x[1]), t1 = _mm256_unpacklo_epi32(x[2], x[3]);
    const __m256i t2 = _mm256_unpackhi_epi32(x[0], x[1]), t3 = _mm256_unpackhi_epi32(x[2], x[3]);
    m[0] = _mm256_unpacklo_epi64(t0, t1);
    m[1] = _mm256_unpackhi_epi64(t0, t1);
    m[2] = _mm256_unpacklo_epi64(t2, t3);
    m[3] = _mm256_unpackhi_epi64(t2, t3);
}

// Quarter sums s[k] (and min terms m[k]) of one Q4_K/Q5_K block for eight rows.
CF_INLINE void k4_quarters8(const uint8_t *block, int has_high, const uint8_t *a, int64_t stride, __m256i s[4], __m256i m[4]) {
    const uint8_t *qs = block + (has_high ? 48 : 16);
    uint32_t scales[2], mins[2];
    unpack_k4_scales(block + 4, scales, mins);
    const uint8_t *sc = (const uint8_t *)scales;
    k4_min_quarters8(mins, a, stride, m);
    __m256i high = has_high ? load256(block + 16) : _mm256_setzero_si256();
    for (int k = 0; k < 4; k++) {
        __m256i lo, hi, v[8];
        k4_quarter_values(qs, k, has_high, &high, &lo, &hi);
        const __m256i scale_lo = _mm256_set1_epi16(sc[2 * k]), scale_hi = _mm256_set1_epi16(sc[2 * k + 1]);
        for (int r = 0; r < 8; r++) v[r] = k4_quarter_dot(lo, hi, Q8K_ROW(r)->qs + 64 * k, scale_lo, scale_hi);
        s[k] = hsum8_epi32(v);
    }
}

// Quarter sums of one Q6_K block for eight rows (no min terms).
CF_INLINE void q6_K_quarters8(const uint8_t *block, const uint8_t *a, int64_t stride, __m256i s[4]) {
    const cf_block_q6_K *x = (const cf_block_q6_K *)block;
    const __m256i by_pair = scales_by_pair(_mm_loadu_si128((const __m128i *)x->scales));
    const __m256i minus32 = _mm256_set1_epi8(32);
    for (int h = 0; h < 2; h++) {
        __m256i q[4];
        q6_K_half_values(x, h, q);
        for (int j = 0; j < 2; j++) {   // quarter 2h + j: elements 128h + 64j .. + 63, values q[2j], q[2j + 1]
            const __m256i scale0 = pair_scales(by_pair, 4 * h + 2 * j), scale1 = pair_scales(by_pair, 4 * h + 2 * j + 1);
            __m256i v[8];
            for (int r = 0; r < 8; r++) {   // values are stored +32: subtract 32·q8 (exact in int16)
                const int8_t *y = Q8K_ROW(r)->qs + 128 * h + 64 * j;
                const __m256i y0 = load256(y), y1 = load256(y + 32);
                const __m256i p0 = _mm256_sub_epi16(_mm256_maddubs_epi16(q[2 * j], y0), _mm256_maddubs_epi16(minus32, y0));
                const __m256i p1 = _mm256_sub_epi16(_mm256_maddubs_epi16(q[2 * j + 1], y1), _mm256_maddubs_epi16(minus32, y1));
                v[r] = _mm256_add_epi32(_mm256_madd_epi16(p0, scale0), _mm256_madd_epi16(p1, scale1));
            }
            s[2 * h + j] = hsum8_epi32(v);
        }
    }
}

// One weight row · eight activation rows in `order`; `type` and `order` are compile-time
// constants in each instance below.
CF_INLINE void k_dot_rows8(int type, cf_k_order order, int64_t cols, const uint8_t *w_row, const uint8_t *a,
                           int64_t stride, float *out, int64_t out_stride) {
    const int64_t block_bytes = cf_block_bytes(type);
    const __m256i row_offsets = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)stride));
    __m256 acc = _mm256_setzero_ps(), acc_min = _mm256_setzero_ps();
    for (int64_t b = 0; b < cols / CF_QK_K; b++) {
        const uint8_t *block = w_row + b * block_bytes;
        const uint8_t *ab = a + b * (int64_t)sizeof(cf_block_q8k);
        __m256i s[4], m[4];
        float d, dmin = 0.0f;
        if (type == CF_TYPE_Q6_K) {
            q6_K_quarters8(block, ab, stride, s);
            for (int k = 0; k < 4; k++) m[k] = _mm256_setzero_si256();
            d = half_to_f32(((const cf_block_q6_K *)block)->d);
        } else {
            k4_quarters8(block, type == CF_TYPE_Q5_K, ab, stride, s, m);
            cf_half hd, hmin;
            memcpy(&hd, block, 2);
            memcpy(&hmin, block + 2, 2);
            d = half_to_f32(hd);
            dmin = half_to_f32(hmin);
        }
        // d of each row's Q8_K block (the f32 `d` is the block's first field)
        const __m256 da = _mm256_i32gather_ps((const float *)(ab + offsetof(cf_block_q8k, d)), row_offsets, 1);
        if (order == CF_K_ORDER_REPACK_GEMM) {
            const __m256 scale = _mm256_mul_ps(_mm256_set1_ps(d), da), scale_min = _mm256_mul_ps(_mm256_set1_ps(dmin), da);
            for (int k = 0; k < 4; k++) {
                acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s[k]), scale, acc);
                acc_min = _mm256_fmadd_ps(_mm256_cvtepi32_ps(m[k]), scale_min, acc_min);
            }
        } else {
            const __m256 sum = _mm256_cvtepi32_ps(_mm256_add_epi32(_mm256_add_epi32(s[0], s[1]), _mm256_add_epi32(s[2], s[3])));
            const __m256 mins = _mm256_cvtepi32_ps(_mm256_add_epi32(_mm256_add_epi32(m[0], m[1]), _mm256_add_epi32(m[2], m[3])));
            if (order == CF_K_ORDER_REPACK_GEMV) {
                acc = _mm256_fmadd_ps(sum, _mm256_mul_ps(_mm256_set1_ps(d), da), acc);
                acc_min = _mm256_fmadd_ps(mins, _mm256_mul_ps(_mm256_set1_ps(dmin), da), acc_min);
            } else {   // CF_K_ORDER_TILED
                __m256 partial = _mm256_mul_ps(_mm256_set1_ps(d), sum);
                if (type != CF_TYPE_Q6_K) partial = _mm256_fmadd_ps(_mm256_set1_ps(-dmin), mins, partial);
                acc = _mm256_fmadd_ps(partial, da, acc);
            }
        }
    }
    float result[8];
    _mm256_storeu_ps(result, order == CF_K_ORDER_TILED ? acc : _mm256_sub_ps(acc, acc_min));
    for (int r = 0; r < 8; r++) out[r * out_stride] = result[r];
}

#define ROWS8_KERNEL(name, type, order)                                                                      \
    CF_AVX2 static void name(int64_t cols, const uint8_t *w_row, const uint8_t *act, int64_t act_stride,    \
                             float *out, int64_t out_stride) {                                               \
        k_dot_rows8(type, order, cols, w_row, act, act_stride, out, out_stride);                             \
    }
ROWS8_KERNEL(q4_K_gemm8, CF_TYPE_Q4_K, CF_K_ORDER_REPACK_GEMM)
ROWS8_KERNEL(q4_K_tiled8, CF_TYPE_Q4_K, CF_K_ORDER_TILED)
ROWS8_KERNEL(q5_K_tiled8, CF_TYPE_Q5_K, CF_K_ORDER_TILED)
ROWS8_KERNEL(q6_K_tiled8, CF_TYPE_Q6_K, CF_K_ORDER_TILED)

cf_k_dot_rows8_fn cf_avx2_k_dot_rows8(int type, cf_k_order order) {
    switch (order) {
    case CF_K_ORDER_REPACK_GEMM: return type == CF_TYPE_Q4_K ? q4_K_gemm8 : NULL;
    case CF_K_ORDER_TILED:
        return type == CF_TYPE_Q4_K ? q4_K_tiled8 : type == CF_TYPE_Q5_K ? q5_K_tiled8 : type == CF_TYPE_Q6_K ? q6_K_tiled8 : NULL;
    default: return NULL;   // GEMV takes at most three rows; vec_dot is not this file's
    }
}

// ---- One activation row, eight weight rows: repacked Q4_K's GEMV order ----
//
// A decoded token (n = 1) multiplies every Q4_K matrix in this order: per super-block one fused
// multiply-add of the block's whole integer sum and one of its min term. The integer parts are
// taken one weight row after another (rows are adjacent in memory, so the eight rows are one
// sequential stream for the prefetcher; reading them side by side was 1.5x slower), up to
// GEMV_BLOCKS super-blocks at a time; then lane w of every vector is weight row w, and eight
// rows' float steps share one instruction, the scalar combination's steps lane by lane.
#define GEMV_BLOCKS 32

CF_AVX2 static void q4_K_gemv_rows8(int64_t cols, const uint8_t *w, int64_t w_stride, const uint8_t *act, float *out) {
    __m256 acc = _mm256_setzero_ps(), acc_min = _mm256_setzero_ps();
    const int64_t blocks = cols / CF_QK_K;
    int32_t sums[GEMV_BLOCKS][8], min_terms[GEMV_BLOCKS][8];
    cf_half d_bits[GEMV_BLOCKS][8], dmin_bits[GEMV_BLOCKS][8];
    for (int64_t b0 = 0; b0 < blocks; b0 += GEMV_BLOCKS) {
        const int64_t count = blocks - b0 < GEMV_BLOCKS ? blocks - b0 : GEMV_BLOCKS;
        const cf_block_q8k *y0 = (const cf_block_q8k *)act + b0;
        for (int r = 0; r < 8; r++) {
            const cf_block_q4_K *x = (const cf_block_q4_K *)(w + r * w_stride) + b0;
            for (int64_t b = 0; b < count; b++) {
                const cf_block_q8k *y = y0 + b;
                memcpy(&d_bits[b][r], &x[b].d, 2);
                memcpy(&dmin_bits[b][r], &x[b].dmin, 2);
                uint32_t scales[2], mins[2];
                unpack_k4_scales(x[b].scales, scales, mins);
                const uint8_t *sc = (const uint8_t *)scales;
                __m256i sum = _mm256_setzero_si256(), none = _mm256_setzero_si256();
                for (int k = 0; k < 4; k++) {
                    __m256i lo, hi;
                    k4_quarter_values(x[b].qs, k, 0, &none, &lo, &hi);
                    sum = _mm256_add_epi32(sum, k4_quarter_dot(lo, hi, y->qs + 64 * k, _mm256_set1_epi16(sc[2 * k]),
                                                               _mm256_set1_epi16(sc[2 * k + 1])));
                }
                sums[b][r] = hsum_epi32(sum);
                min_terms[b][r] = hsum_epi32x4(k4_min_lanes(mins, y->bsums));
            }
        }
        for (int64_t b = 0; b < count; b++) {
            const __m256 da = _mm256_set1_ps(y0[b].d);
            const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)d_bits[b]));
            const __m256 dmin = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)dmin_bits[b]));
            acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(load256(sums[b])), _mm256_mul_ps(d, da), acc);
            acc_min = _mm256_fmadd_ps(_mm256_cvtepi32_ps(load256(min_terms[b])), _mm256_mul_ps(dmin, da), acc_min);
        }
    }
    _mm256_storeu_ps(out, _mm256_sub_ps(acc, acc_min));
}

cf_k_gemv_rows8_fn cf_avx2_k_gemv_rows8(int type) { return type == CF_TYPE_Q4_K ? q4_K_gemv_rows8 : NULL; }

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
cf_k_dot_rows8_fn cf_avx2_k_dot_rows8(int type, cf_k_order order) { (void)type; (void)order; return NULL; }
cf_k_gemv_rows8_fn cf_avx2_k_gemv_rows8(int type) { (void)type; return NULL; }
#endif
