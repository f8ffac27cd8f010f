// Shared AVX2 helpers for the x86-64 kernel files (only included under __x86_64__).
#ifndef CF_AVX2_H
#define CF_AVX2_H

#include <immintrin.h>
#include "cf_internal.h"

#define CF_AVX2 __attribute__((target("avx2,fma,f16c")))
#define CF_INLINE static inline __attribute__((always_inline)) CF_AVX2

CF_INLINE float hsum_ps(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

CF_INLINE int hsum_epi32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(s);
}

// f16 → f32. Built from a broadcast (a full-register write) on purpose: clang turns a plain
// scalar conversion (_cvtsh_ss, or vmovd + vcvtph2ps) into vpinsrw into whatever register is
// free, often the loop's accumulator, which chains every block of a dot product to the previous
// one through a false dependency and halved the speed of the 32-element formats.
CF_INLINE __m256 half_splat(cf_half h) { return _mm256_cvtph_ps(_mm_set1_epi16((short)h)); }
CF_INLINE float half_to_f32(cf_half h) { return _mm_cvtss_f32(_mm_cvtph_ps(_mm_set1_epi16((short)h))); }

CF_INLINE __m256i load256(const void *p) { return _mm256_loadu_si256((const __m256i *)p); }

// 16 bytes of nibble pairs → 32 bytes: low nibbles in bytes 0..15, high nibbles in 16..31,
// which is the element order of the 32-element formats.
CF_INLINE __m256i nibbles_32(const uint8_t *q) {
    const __m128i packed = _mm_loadu_si128((const __m128i *)q);
    const __m256i both = _mm256_set_m128i(_mm_srli_epi16(packed, 4), packed);
    return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

// Byte i = 0xFF when bit i of `bits` is set, else 0.
CF_INLINE __m256i bits_to_bytes(uint32_t bits) {
    // Byte i takes byte i/8 of `bits`, then tests bit i%8 of it.
    const __m256i spread = _mm256_shuffle_epi8(_mm256_set1_epi32((int)bits),
        _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0x0000000000000000));
    const __m256i select = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
    return _mm256_cmpeq_epi8(_mm256_and_si256(spread, select), select);
}

// Σ pairs of u8×s8 → 8 int32.
CF_INLINE __m256i dot_u8_s8(__m256i u, __m256i s) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}

// Σ pairs of s8×s8 → 8 int32 (needs b ≠ -128, true of our activations).
CF_INLINE __m256i dot_s8_s8(__m256i a, __m256i b) {
    return dot_u8_s8(_mm256_sign_epi8(a, a), _mm256_sign_epi8(b, a));
}

// Quarter k (64 elements) of a Q4_K/Q5_K block as unsigned bytes: `lo` = group 2k (low nibbles of
// qs[32k..32k+31]), `hi` = group 2k + 1 (high nibbles). For Q5_K (`has_high`), each value gets its
// fifth bit from `*high` (the 32 qh bytes), which is shifted on to the next quarter's bit pair.
CF_INLINE void k4_quarter_values(const uint8_t *qs, int k, int has_high, __m256i *high, __m256i *lo, __m256i *hi) {
    const __m256i low4 = _mm256_set1_epi8(0x0F), fifth = _mm256_set1_epi8(0x10);
    const __m256i bits = load256(qs + 32 * k);
    *lo = _mm256_and_si256(bits, low4);
    *hi = _mm256_and_si256(_mm256_srli_epi16(bits, 4), low4);
    if (has_high) {
        *lo = _mm256_or_si256(*lo, _mm256_and_si256(_mm256_slli_epi16(*high, 4), fifth));
        *hi = _mm256_or_si256(*hi, _mm256_and_si256(_mm256_slli_epi16(*high, 3), fifth));
        *high = _mm256_srli_epi16(*high, 2);
    }
}

// One quarter's scaled integer products with 64 activations `y`: 8 int32 lanes of
// scale_lo·(lo·y[0..31]) + scale_hi·(hi·y[32..63]).
CF_INLINE __m256i k4_quarter_dot(__m256i lo, __m256i hi, const int8_t *y, __m256i scale_lo, __m256i scale_hi) {
    const __m256i pl = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, load256(y)), scale_lo);
    const __m256i ph = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, load256(y + 32)), scale_hi);
    return _mm256_add_epi32(pl, ph);
}

// Half h (128 elements) of a Q6_K block as four vectors of 32 unsigned six-bit values (stored +32):
// q[k] holds elements 128h + 32k .. 128h + 32k + 31; low four bits from ql, top two from qh.
CF_INLINE void q6_K_half_values(const cf_block_q6_K *x, int h, __m256i q[4]) {
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    const __m256i qlA = load256(x->ql + 64 * h), qlB = load256(x->ql + 64 * h + 32);
    const __m256i qh = load256(x->qh + 32 * h);
    q[0] = _mm256_or_si256(_mm256_and_si256(qlA, low4), _mm256_slli_epi16(_mm256_and_si256(qh, _mm256_set1_epi8(0x03)), 4));
    q[1] = _mm256_or_si256(_mm256_and_si256(qlB, low4), _mm256_slli_epi16(_mm256_and_si256(qh, _mm256_set1_epi8(0x0C)), 2));
    q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(qlA, 4), low4), _mm256_and_si256(qh, _mm256_set1_epi8(0x30)));
    q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(qlB, 4), low4),
                           _mm256_srli_epi16(_mm256_and_si256(qh, _mm256_set1_epi8((char)0xC0)), 2));
}

// 16 eight-bit group scales (groups of 16 elements) → int16 lanes with the even-numbered groups
// in the low 128 bits and the odd-numbered in the high 128 bits, so the scale vector for the
// group pair (2m, 2m+1) covered by one 32-element maddubs is a single in-lane shuffle.
CF_INLINE __m256i scales_by_pair(__m128i scales8) {
    const __m128i even_odd = _mm_shuffle_epi8(scales8, _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15));
    return _mm256_cvtepi8_epi16(even_odd);
}

// Scale vector for group pair m: lanes 0..7 = scale of group 2m, lanes 8..15 = group 2m+1.
CF_INLINE __m256i pair_scales(__m256i by_pair, int m) {
    return _mm256_shuffle_epi8(by_pair, _mm256_set1_epi16((short)(0x0100 + 0x0202 * m)));
}

// The 16 six-bit Q3_K scales (12 packed bytes) as int8 values scale − 32, in group order.
// Bytes 0..7 hold the low nibbles (groups 0..7 low, 8..15 high nibble); bit pair k of byte
// 8 + (g % 4) holds the top two bits of group g = 4k + g % 4.
CF_INLINE __m128i unpack_q3_K_scales(const uint8_t *packed) {
    uint32_t a[3];
    memcpy(a, packed, 12);
    const uint32_t low = 0x0F0F0F0Fu, two = 0x03030303u;
    const __m128i scales = _mm_setr_epi32((int)((a[0] & low) | ((a[2] & two) << 4)),
                                          (int)((a[1] & low) | (((a[2] >> 2) & two) << 4)),
                                          (int)(((a[0] >> 4) & low) | (((a[2] >> 4) & two) << 4)),
                                          (int)(((a[1] >> 4) & low) | (((a[2] >> 6) & two) << 4)));
    return _mm_sub_epi8(scales, _mm_set1_epi8(32));
}

// Q4_K/Q5_K scales: 8 six-bit scales and 8 six-bit mins packed in 12 bytes. Unpacked four at a
// time with 32-bit masks (bytes 0..3 hold scales 0..3 low 6 bits, bytes 4..7 mins 0..3, bytes
// 8..11 the low nibbles of scales/mins 4..7, whose top 2 bits sit in bits 6..7 of bytes 0..7).
CF_INLINE void unpack_k4_scales(const uint8_t *packed, uint32_t scales[2], uint32_t mins[2]) {
    uint32_t u[3];
    memcpy(u, packed, 12);
    scales[0] = u[0] & 0x3F3F3F3Fu;
    scales[1] = (u[2] & 0x0F0F0F0Fu) | (((u[0] >> 6) & 0x03030303u) << 4);
    mins[0] = u[1] & 0x3F3F3F3Fu;
    mins[1] = ((u[2] >> 4) & 0x0F0F0F0Fu) | (((u[1] >> 6) & 0x03030303u) << 4);
}

// The min terms of a Q4_K/Q5_K super-block as ggml's vec_dot_q4_K/q5_K (0.3.36) form them: lane k
// = mins[2k]·B[2k] + mins[2k+1]·B[2k+1], B[j] = bsums[2j] + bsums[2j+1] (4 int32 lanes).
CF_INLINE __m128i k4_min_lanes(const uint32_t mins[2], const int16_t *bsums) {
    const __m128i m16 = _mm_cvtepu8_epi16(_mm_cvtsi64_si128((long long)((uint64_t)mins[0] | ((uint64_t)mins[1] << 32))));
    const __m256i q8 = load256(bsums);
    const __m128i group_sums = _mm_hadd_epi16(_mm256_castsi256_si128(q8), _mm256_extracti128_si256(q8, 1));
    return _mm_madd_epi16(m16, group_sums);
}

CF_INLINE int hsum_epi32x4(__m128i v) {
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, _MM_SHUFFLE(1, 0, 3, 2)));
    return _mm_cvtsi128_si32(_mm_add_epi32(v, _mm_shuffle_epi32(v, _MM_SHUFFLE(2, 3, 0, 1))));
}

// Q4_K's min accumulator (4 lanes) reduced as ggml does: (a0 + a2) + (a1 + a3).
CF_INLINE float k4_min_total(__m128 acc_m) {
    acc_m = _mm_add_ps(acc_m, _mm_movehl_ps(acc_m, acc_m));
    acc_m = _mm_add_ss(acc_m, _mm_movehdup_ps(acc_m));
    return _mm_cvtss_f32(acc_m);
}

// Q6_K's +32 offset as ggml's vec_dot_q6_K removes it: lane k = 32 · (scale[2k]·bsum[2k] +
// scale[2k+1]·bsum[2k+1]), i.e. 32 · Σ scale·q8 over elements 32k .. 32k+31.
CF_INLINE __m256i q6_K_offsets(const int8_t *scales, const int16_t *bsums) {
    const __m256i scales16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)scales));
    return _mm256_slli_epi32(_mm256_madd_epi16(load256(bsums), scales16), 5);
}

#endif
