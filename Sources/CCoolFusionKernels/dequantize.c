// Scalar dequantization of every supported block format: the reference the SIMD kernels are
// tested against. Float operations are written in ggml's order and never fused, so results are
// bit-identical to ggml's dequantize_row_* compiled without FMA contraction.
#include "cf_kernels.h"
#include "cf_blocks.h"

#pragma STDC FP_CONTRACT OFF

static void dequantize_q4_0(const cf_block_q4_0 *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += CF_QK) {
        const float d = cf_half_to_f32(x[i].d);
        for (int j = 0; j < CF_QK / 2; j++) {
            y[j] = (float)((x[i].qs[j] & 0x0F) - 8) * d;
            y[j + CF_QK / 2] = (float)((x[i].qs[j] >> 4) - 8) * d;
        }
    }
}

static void dequantize_q4_1(const cf_block_q4_1 *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += CF_QK) {
        const float d = cf_half_to_f32(x[i].d), m = cf_half_to_f32(x[i].m);
        for (int j = 0; j < CF_QK / 2; j++) {
            y[j] = (float)(x[i].qs[j] & 0x0F) * d + m;
            y[j + CF_QK / 2] = (float)(x[i].qs[j] >> 4) * d + m;
        }
    }
}

static uint32_t load_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static void dequantize_q5_0(const cf_block_q5_0 *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += CF_QK) {
        const float d = cf_half_to_f32(x[i].d);
        const uint32_t qh = load_u32(x[i].qh);
        for (int j = 0; j < CF_QK / 2; j++) {
            const int lo = (x[i].qs[j] & 0x0F) | (int)(((qh >> j) & 1u) << 4);
            const int hi = (x[i].qs[j] >> 4) | (int)(((qh >> (j + 16)) & 1u) << 4);
            y[j] = (float)(lo - 16) * d;
            y[j + CF_QK / 2] = (float)(hi - 16) * d;
        }
    }
}

static void dequantize_q5_1(const cf_block_q5_1 *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += CF_QK) {
        const float d = cf_half_to_f32(x[i].d), m = cf_half_to_f32(x[i].m);
        const uint32_t qh = load_u32(x[i].qh);
        for (int j = 0; j < CF_QK / 2; j++) {
            const int lo = (x[i].qs[j] & 0x0F) | (int)(((qh >> j) & 1u) << 4);
            const int hi = (x[i].qs[j] >> 4) | (int)(((qh >> (j + 16)) & 1u) << 4);
            y[j] = (float)lo * d + m;
            y[j + CF_QK / 2] = (float)hi * d + m;
        }
    }
}

static void dequantize_q8_0(const cf_block_q8_0 *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += CF_QK) {
        const float d = cf_half_to_f32(x[i].d);
        for (int j = 0; j < CF_QK; j++) y[j] = (float)x[i].qs[j] * d;
    }
}

static void dequantize_q2_K(const cf_block_q2_K *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = cf_half_to_f32(x[i].d), dmin = cf_half_to_f32(x[i].dmin);
        const uint8_t *q = x[i].qs;
        int is = 0;
        // Two halves of 128; in each, 4 bit-pairs of the same 32 bytes give 4 runs of 32 values.
        for (int half = 0; half < 2; half++, q += 32) {
            for (int shift = 0; shift < 8; shift += 2) {
                for (int g = 0; g < 2; g++) {   // two groups of 16, each with its own scale/min
                    const uint8_t sc = x[i].scales[is++];
                    const float dl = d * (float)(sc & 0x0F), ml = dmin * (float)(sc >> 4);
                    for (int l = 0; l < 16; l++) *y++ = dl * (float)((q[l + 16 * g] >> shift) & 3) - ml;
                }
            }
        }
    }
}

// Unpacks the 16 six-bit Q3_K scales (12 bytes) into signed values scale - 32.
static void unpack_q3_K_scales(const uint8_t *packed, int *scales) {
    for (int j = 0; j < 16; j++) {
        // Low 4 bits: nibbles of bytes 0..7 (low nibbles for j < 8, high for j >= 8).
        const int low = (j < 8) ? (packed[j] & 0x0F) : (packed[j - 8] >> 4);
        // High 2 bits: bit pair (j / 4) of byte 8 + (j % 4).
        const int high = (packed[8 + (j % 4)] >> (2 * (j / 4))) & 3;
        scales[j] = (low | (high << 4)) - 32;
    }
}

static void dequantize_q3_K(const cf_block_q3_K *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = cf_half_to_f32(x[i].d);
        int scales[16];
        unpack_q3_K_scales(x[i].scales, scales);
        const uint8_t *q = x[i].qs;
        uint8_t mask = 1;   // which bit of hmask[l] holds the high bit of the current run
        int is = 0;
        for (int half = 0; half < 2; half++, q += 32) {
            for (int shift = 0; shift < 8; shift += 2, mask <<= 1) {
                for (int g = 0; g < 2; g++) {
                    const float dl = d * (float)scales[is++];
                    for (int l = 16 * g; l < 16 * g + 16; l++) {
                        const int v = ((q[l] >> shift) & 3) - ((x[i].hmask[l] & mask) ? 0 : 4);
                        *y++ = dl * (float)v;
                    }
                }
            }
        }
    }
}

void cf_q4_K_scale_min(const uint8_t *packed, int j, uint8_t *scale, uint8_t *min) {
    if (j < 4) {
        *scale = packed[j] & 63;
        *min = packed[j + 4] & 63;
    } else {
        *scale = (packed[j + 4] & 0x0F) | ((packed[j - 4] >> 6) << 4);
        *min = (packed[j + 4] >> 4) | ((packed[j] >> 6) << 4);
    }
}

static void dequantize_q4_K(const cf_block_q4_K *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = cf_half_to_f32(x[i].d), dmin = cf_half_to_f32(x[i].dmin);
        const uint8_t *q = x[i].qs;
        for (int j = 0; j < 8; j += 2, q += 32) {   // 64 values: low nibbles, then high nibbles
            uint8_t sc, m;
            cf_q4_K_scale_min(x[i].scales, j, &sc, &m);
            const float d1 = d * (float)sc, m1 = dmin * (float)m;
            cf_q4_K_scale_min(x[i].scales, j + 1, &sc, &m);
            const float d2 = d * (float)sc, m2 = dmin * (float)m;
            for (int l = 0; l < 32; l++) *y++ = d1 * (float)(q[l] & 0x0F) - m1;
            for (int l = 0; l < 32; l++) *y++ = d2 * (float)(q[l] >> 4) - m2;
        }
    }
}

static void dequantize_q5_K(const cf_block_q5_K *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = cf_half_to_f32(x[i].d), dmin = cf_half_to_f32(x[i].dmin);
        const uint8_t *ql = x[i].qs, *qh = x[i].qh;
        uint8_t bit_lo = 1, bit_hi = 2;
        for (int j = 0; j < 8; j += 2, ql += 32, bit_lo <<= 2, bit_hi <<= 2) {
            uint8_t sc, m;
            cf_q4_K_scale_min(x[i].scales, j, &sc, &m);
            const float d1 = d * (float)sc, m1 = dmin * (float)m;
            cf_q4_K_scale_min(x[i].scales, j + 1, &sc, &m);
            const float d2 = d * (float)sc, m2 = dmin * (float)m;
            for (int l = 0; l < 32; l++) *y++ = d1 * (float)((ql[l] & 0x0F) + ((qh[l] & bit_lo) ? 16 : 0)) - m1;
            for (int l = 0; l < 32; l++) *y++ = d2 * (float)((ql[l] >> 4) + ((qh[l] & bit_hi) ? 16 : 0)) - m2;
        }
    }
}

static void dequantize_q6_K(const cf_block_q6_K *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = cf_half_to_f32(x[i].d);
        const uint8_t *ql = x[i].ql, *qh = x[i].qh;
        const int8_t *sc = x[i].scales;
        for (int half = 0; half < 2; half++, y += 128, ql += 64, qh += 32, sc += 8) {
            for (int l = 0; l < 32; l++) {
                const int is = l / 16;
                const int q1 = (int)((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = (int)((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = (int)((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = (int)((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[l] = d * (float)sc[is + 0] * (float)q1;
                y[l + 32] = d * (float)sc[is + 2] * (float)q2;
                y[l + 64] = d * (float)sc[is + 4] * (float)q3;
                y[l + 96] = d * (float)sc[is + 6] * (float)q4;
            }
        }
    }
}

int cf_type_supported(int type) {
    switch (type) {
    case CF_TYPE_F32: case CF_TYPE_F16: case CF_TYPE_BF16:
    case CF_TYPE_Q4_0: case CF_TYPE_Q4_1: case CF_TYPE_Q5_0: case CF_TYPE_Q5_1: case CF_TYPE_Q8_0:
    case CF_TYPE_Q2_K: case CF_TYPE_Q3_K: case CF_TYPE_Q4_K: case CF_TYPE_Q5_K: case CF_TYPE_Q6_K:
        return 1;
    default:
        return 0;
    }
}

int64_t cf_block_elements(int type) {
    switch (type) {
    case CF_TYPE_F32: case CF_TYPE_F16: case CF_TYPE_BF16: return 1;
    case CF_TYPE_Q4_0: case CF_TYPE_Q4_1: case CF_TYPE_Q5_0: case CF_TYPE_Q5_1: case CF_TYPE_Q8_0: return CF_QK;
    case CF_TYPE_Q2_K: case CF_TYPE_Q3_K: case CF_TYPE_Q4_K: case CF_TYPE_Q5_K: case CF_TYPE_Q6_K: return CF_QK_K;
    default: return 0;
    }
}

int64_t cf_block_bytes(int type) {
    switch (type) {
    case CF_TYPE_F32: return 4;
    case CF_TYPE_F16: case CF_TYPE_BF16: return 2;
    case CF_TYPE_Q4_0: return sizeof(cf_block_q4_0);
    case CF_TYPE_Q4_1: return sizeof(cf_block_q4_1);
    case CF_TYPE_Q5_0: return sizeof(cf_block_q5_0);
    case CF_TYPE_Q5_1: return sizeof(cf_block_q5_1);
    case CF_TYPE_Q8_0: return sizeof(cf_block_q8_0);
    case CF_TYPE_Q2_K: return sizeof(cf_block_q2_K);
    case CF_TYPE_Q3_K: return sizeof(cf_block_q3_K);
    case CF_TYPE_Q4_K: return sizeof(cf_block_q4_K);
    case CF_TYPE_Q5_K: return sizeof(cf_block_q5_K);
    case CF_TYPE_Q6_K: return sizeof(cf_block_q6_K);
    default: return 0;
    }
}

int cf_dequantize(int type, const void *src, float *dst, int64_t count) {
    if (!cf_type_supported(type)) return CF_ERR_UNSUPPORTED_TYPE;
    const int64_t qk = cf_block_elements(type);
    if (count < 0 || count % qk != 0) return CF_ERR_BAD_LENGTH;
    const int64_t nb = count / qk;
    switch (type) {
    case CF_TYPE_F32: memcpy(dst, src, (size_t)count * 4); break;
    case CF_TYPE_F16: { const cf_half *h = src; for (int64_t i = 0; i < count; i++) dst[i] = cf_half_to_f32(h[i]); break; }
    case CF_TYPE_BF16: { const cf_bf16 *h = src; for (int64_t i = 0; i < count; i++) dst[i] = cf_bf16_to_f32(h[i]); break; }
    case CF_TYPE_Q4_0: dequantize_q4_0(src, dst, nb); break;
    case CF_TYPE_Q4_1: dequantize_q4_1(src, dst, nb); break;
    case CF_TYPE_Q5_0: dequantize_q5_0(src, dst, nb); break;
    case CF_TYPE_Q5_1: dequantize_q5_1(src, dst, nb); break;
    case CF_TYPE_Q8_0: dequantize_q8_0(src, dst, nb); break;
    case CF_TYPE_Q2_K: dequantize_q2_K(src, dst, nb); break;
    case CF_TYPE_Q3_K: dequantize_q3_K(src, dst, nb); break;
    case CF_TYPE_Q4_K: dequantize_q4_K(src, dst, nb); break;
    case CF_TYPE_Q5_K: dequantize_q5_K(src, dst, nb); break;
    case CF_TYPE_Q6_K: dequantize_q6_K(src, dst, nb); break;
    }
    return 0;
}
