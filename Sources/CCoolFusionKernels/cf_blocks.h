// Block layouts of the ggml quantization formats, as stored in GGUF files, plus the activation
// formats our integer dot products use. Internal to the C target.
//
// Every weight block is a packed little-endian struct; sizes are checked with static asserts so a
// layout slip cannot go unnoticed. Field order and meaning follow ggml's ggml-common.h.
#ifndef CF_BLOCKS_H
#define CF_BLOCKS_H

#include <stdint.h>
#include <string.h>

#define CF_QK 32      // elements per block of the "legacy" formats (Q4_0 .. Q8_0)
#define CF_QK_K 256   // elements per super-block of the K-quants
#define CF_K_SCALE_SIZE 12

// ggml type ids (the values stored in GGUF tensor infos).
enum {
    CF_TYPE_F32 = 0, CF_TYPE_F16 = 1, CF_TYPE_Q4_0 = 2, CF_TYPE_Q4_1 = 3,
    CF_TYPE_Q5_0 = 6, CF_TYPE_Q5_1 = 7, CF_TYPE_Q8_0 = 8,
    CF_TYPE_Q2_K = 10, CF_TYPE_Q3_K = 11, CF_TYPE_Q4_K = 12, CF_TYPE_Q5_K = 13, CF_TYPE_Q6_K = 14,
    CF_TYPE_Q8_K = 15, CF_TYPE_BF16 = 30,
};

typedef uint16_t cf_half;   // IEEE binary16 bits
typedef uint16_t cf_bf16;   // bfloat16 bits

// x = d * (q - 8), q a nibble. Element j<16 is the low nibble of qs[j], element j+16 the high one.
typedef struct { cf_half d; uint8_t qs[CF_QK / 2]; } cf_block_q4_0;
// x = d * q + m.
typedef struct { cf_half d; cf_half m; uint8_t qs[CF_QK / 2]; } cf_block_q4_1;
// x = d * (q - 16), q = nibble | (bit j of qh) << 4.
typedef struct { cf_half d; uint8_t qh[4]; uint8_t qs[CF_QK / 2]; } cf_block_q5_0;
// x = d * q + m, q as in Q5_0.
typedef struct { cf_half d; cf_half m; uint8_t qh[4]; uint8_t qs[CF_QK / 2]; } cf_block_q5_1;
// x = d * q.
typedef struct { cf_half d; int8_t qs[CF_QK]; } cf_block_q8_0;

// 16 groups of 16: x = d * (scales & 0xF) * q - dmin * (scales >> 4), q 2 bits.
typedef struct { uint8_t scales[CF_QK_K / 16]; uint8_t qs[CF_QK_K / 4]; cf_half d; cf_half dmin; } cf_block_q2_K;
// 16 groups of 16: x = d * (scale6 - 32) * (q2 - (hbit ? 0 : 4)).
typedef struct { uint8_t hmask[CF_QK_K / 8]; uint8_t qs[CF_QK_K / 4]; uint8_t scales[12]; cf_half d; } cf_block_q3_K;
// 8 groups of 32: x = d * scale6 * q4 - dmin * min6.
typedef struct { cf_half d; cf_half dmin; uint8_t scales[CF_K_SCALE_SIZE]; uint8_t qs[CF_QK_K / 2]; } cf_block_q4_K;
// 8 groups of 32: x = d * scale6 * (q4 | hbit << 4) - dmin * min6.
typedef struct { cf_half d; cf_half dmin; uint8_t scales[CF_K_SCALE_SIZE]; uint8_t qh[CF_QK_K / 8]; uint8_t qs[CF_QK_K / 2]; } cf_block_q5_K;
// 16 groups of 16: x = d * scale8 * (q6 - 32).
typedef struct { uint8_t ql[CF_QK_K / 2]; uint8_t qh[CF_QK_K / 4]; int8_t scales[CF_QK_K / 16]; cf_half d; } cf_block_q6_K;

_Static_assert(sizeof(cf_block_q4_0) == 18, "q4_0 layout");
_Static_assert(sizeof(cf_block_q4_1) == 20, "q4_1 layout");
_Static_assert(sizeof(cf_block_q5_0) == 22, "q5_0 layout");
_Static_assert(sizeof(cf_block_q5_1) == 24, "q5_1 layout");
_Static_assert(sizeof(cf_block_q8_0) == 34, "q8_0 layout");
_Static_assert(sizeof(cf_block_q2_K) == 84, "q2_K layout");
_Static_assert(sizeof(cf_block_q3_K) == 110, "q3_K layout");
_Static_assert(sizeof(cf_block_q4_K) == 144, "q4_K layout");
_Static_assert(sizeof(cf_block_q5_K) == 176, "q5_K layout");
_Static_assert(sizeof(cf_block_q6_K) == 210, "q6_K layout");

// ---- Activation formats (never stored in files; built per matmul from f32 activations) ----

// For weights with 32-element blocks (ggml's Q8_0 / Q8_1). Symmetric: qs in [-127, 127],
// x ≈ d * qs. `s` = d * Σ qs, needed by the formats with an offset (Q4_1, Q5_1). Held as f32
// but rounded to f16 values, as ggml stores them: llama.cpp's results depend on that rounding
// (up to 2^-11 relative per block), and matching it is what makes greedy decoding agree.
typedef struct { float d; float s; int8_t qs[CF_QK]; } cf_block_q8a;
// For K-quant weights (ggml's Q8_K): qs in [-127, 127], bsums[g] = Σ qs of group g of 16.
typedef struct { float d; int8_t qs[CF_QK_K]; int16_t bsums[CF_QK_K / 16]; } cf_block_q8k;

// ---- fp16 / bf16 conversions (exact) ----

static inline float cf_bits_to_f32(uint32_t bits) { float f; memcpy(&f, &bits, 4); return f; }
static inline uint32_t cf_f32_to_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

static inline float cf_half_to_f32(cf_half h) {
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1Fu;
    uint32_t mantissa = h & 0x3FFu;
    if (exponent == 0x1F) return cf_bits_to_f32(sign | 0x7F800000u | (mantissa << 13));  // inf/nan
    if (exponent == 0) {
        if (mantissa == 0) return cf_bits_to_f32(sign);
        // Subnormal: shift the mantissa up until its leading one reaches the implicit-bit place.
        int shift = 0;
        while ((mantissa & 0x400u) == 0) { mantissa <<= 1; shift++; }
        mantissa &= 0x3FFu;
        return cf_bits_to_f32(sign | ((uint32_t)(113 - shift) << 23) | (mantissa << 13));
    }
    return cf_bits_to_f32(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

// f32 → f16 bits, round to nearest even (what F16C's vcvtps2ph does with the default mode).
static inline cf_half cf_f32_to_half(float f) {
    const uint32_t x = cf_f32_to_bits(f);
    const uint32_t sign = (x >> 16) & 0x8000u;
    const uint32_t magnitude = x & 0x7FFFFFFFu;
    if (magnitude > 0x7F800000u) return (cf_half)(sign | 0x7E00u | ((magnitude >> 13) & 0x3FFu));  // NaN stays NaN
    if (magnitude >= 0x477FF000u) return (cf_half)(sign | 0x7C00u);   // ≥ 65520 (or inf) → inf
    if (magnitude < 0x38800000u) {
        // Below 2^-14: an f16 subnormal, a whole multiple of 2^-24. Scaling by 2^24 is exact,
        // and the float → int rounding below is to nearest even (default rounding mode).
        const float scaled = cf_bits_to_f32(magnitude) * 16777216.0f;
        return (cf_half)(sign | (uint32_t)__builtin_nearbyintf(scaled));
    }
    // Normal: drop 13 mantissa bits rounding to nearest even; a carry correctly bumps the exponent.
    const uint32_t rounded = magnitude + 0xFFFu + ((magnitude >> 13) & 1u);
    return (cf_half)(sign | ((rounded >> 13) - (112u << 10)));
}

/// `f` rounded to the nearest f16 value (llama.cpp's F16 KV cache and f16 activation scales).
static inline float cf_round_to_half(float f) { return cf_half_to_f32(cf_f32_to_half(f)); }

static inline float cf_bf16_to_f32(cf_bf16 h) { return cf_bits_to_f32((uint32_t)h << 16); }

#endif
