// Scalar reference dot products: one weight row (GGUF blocks) · one activation row.
// Kept forever beside the SIMD versions, which are tested against them.
// Integer sums are exact; each block contributes d_w · d_a · Σ q_w q_a (+ offset terms) in f32.
#include "cf_internal.h"

static float dot_f32(int64_t n, const void *w, const void *a) {
    const float *x = w, *y = a;
    float s = 0.0f;
    for (int64_t i = 0; i < n; i++) s += x[i] * y[i];
    return s;
}

static float dot_f16(int64_t n, const void *w, const void *a) {
    const cf_half *x = w; const float *y = a;
    float s = 0.0f;
    for (int64_t i = 0; i < n; i++) s += cf_half_to_f32(x[i]) * y[i];
    return s;
}

static float dot_bf16(int64_t n, const void *w, const void *a) {
    const cf_bf16 *x = w; const float *y = a;
    float s = 0.0f;
    for (int64_t i = 0; i < n; i++) s += cf_bf16_to_f32(x[i]) * y[i];
    return s;
}

static uint32_t load_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static float dot_q4_0(int64_t n, const void *w, const void *a) {
    const cf_block_q4_0 *x = w; const cf_block_q8a *y = a;
    float s = 0.0f;
    for (int64_t b = 0; b < n / CF_QK; b++) {
        int sum = 0;
        for (int j = 0; j < 16; j++) {
            sum += ((x[b].qs[j] & 0x0F) - 8) * y[b].qs[j];
            sum += ((x[b].qs[j] >> 4) - 8) * y[b].qs[j + 16];
        }
        s += cf_half_to_f32(x[b].d) * y[b].d * (float)sum;
    }
    return s;
}

static float dot_q4_1(int64_t n, const void *w, const void *a) {
    const cf_block_q4_1 *x = w; const cf_block_q8a *y = a;
    float s = 0.0f;
    for (int64_t b = 0; b < n / CF_QK; b++) {
        int sum = 0;
        for (int j = 0; j < 16; j++) {
            sum += (x[b].qs[j] & 0x0F) * y[b].qs[j];
            sum += (x[b].qs[j] >> 4) * y[b].qs[j + 16];
        }
        s += cf_half_to_f32(x[b].d) * y[b].d * (float)sum + cf_half_to_f32(x[b].m) * y[b].s;
    }
    return s;
}

static float dot_q5_0(int64_t n, const void *w, const void *a) {
    const cf_block_q5_0 *x = w; const cf_block_q8a *y = a;
    float s = 0.0f;
    for (int64_t b = 0; b < n / CF_QK; b++) {
        const uint32_t qh = load_u32(x[b].qh);
        int sum = 0;
        for (int j = 0; j < 16; j++) {
            const int lo = ((x[b].qs[j] & 0x0F) | (int)(((qh >> j) & 1u) << 4)) - 16;
            const int hi = ((x[b].qs[j] >> 4) | (int)(((qh >> (j + 16)) & 1u) << 4)) - 16;
            sum += lo * y[b].qs[j] + hi * y[b].qs[j + 16];
        }
        s += cf_half_to_f32(x[b].d) * y[b].d * (float)sum;
    }
    return s;
}

static float dot_q5_1(int64_t n, const void *w, const void *a) {
    const cf_block_q5_1 *x = w; const cf_block_q8a *y = a;
    float s = 0.0f;
    for (int64_t b = 0; b < n / CF_QK; b++) {
        const uint32_t qh = load_u32(x[b].qh);
        int sum = 0;
        for (int j = 0; j < 16; j++) {
            const int lo = (x[b].qs[j] & 0x0F) | (int)(((qh >> j) & 1u) << 4);
            const int hi = (x[b].qs[j] >> 4) | (int)(((qh >> (j + 16)) & 1u) << 4);
            sum += lo * y[b].qs[j] + hi * y[b].qs[j + 16];
        }
        s += cf_half_to_f32(x[b].d) * y[b].d * (float)sum + cf_half_to_f32(x[b].m) * y[b].s;
    }
    return s;
}

static float dot_q8_0(int64_t n, const void *w, const void *a) {
    const cf_block_q8_0 *x = w; const cf_block_q8a *y = a;
    float s = 0.0f;
    for (int64_t b = 0; b < n / CF_QK; b++) {
        int sum = 0;
        for (int j = 0; j < CF_QK; j++) sum += x[b].qs[j] * y[b].qs[j];
        s += cf_half_to_f32(x[b].d) * y[b].d * (float)sum;
    }
    return s;
}

static float dot_q2_K(int64_t n, const void *w, const void *a) {
    const cf_block_q2_K *x = w; const cf_block_q8k *y = a;
    float s = 0.0f;
    for (int64_t b = 0; b < n / CF_QK_K; b++) {
        // Element e = 128 h + 32 r + l lives in bits 2r of qs[32 h + l]; its group is e / 16.
        int sum = 0, sum_mins = 0;
        for (int g = 0; g < 16; g++) {
            const int h = g / 8, r = (g % 8) / 2, l0 = 16 * (g % 2);
            int group = 0;
            for (int l = l0; l < l0 + 16; l++)
                group += ((x[b].qs[32 * h + l] >> (2 * r)) & 3) * y[b].qs[16 * g + l - l0];
            sum += (x[b].scales[g] & 0x0F) * group;
            sum_mins += (x[b].scales[g] >> 4) * y[b].bsums[g];
        }
        s += y[b].d * cf_half_to_f32(x[b].d) * (float)sum - y[b].d * cf_half_to_f32(x[b].dmin) * (float)sum_mins;
    }
    return s;
}

static float dot_q3_K(int64_t n, const void *w, const void *a) {
    const cf_block_q3_K *x = w; const cf_block_q8k *y = a;
    float s = 0.0f;
    for (int64_t b = 0; b < n / CF_QK_K; b++) {
        int scales[16];
        // Same unpacking as dequantize.c, kept local so the reference reads on its own.
        for (int j = 0; j < 16; j++) {
            const int low = (j < 8) ? (x[b].scales[j] & 0x0F) : (x[b].scales[j - 8] >> 4);
            const int high = (x[b].scales[8 + (j % 4)] >> (2 * (j / 4))) & 3;
            scales[j] = (low | (high << 4)) - 32;
        }
        int sum = 0;
        for (int g = 0; g < 16; g++) {
            const int h = g / 8, r = (g % 8) / 2, l0 = 16 * (g % 2);
            const uint8_t mask = (uint8_t)(1u << (4 * h + r));
            int group = 0;
            for (int l = l0; l < l0 + 16; l++) {
                const int q = ((x[b].qs[32 * h + l] >> (2 * r)) & 3) - ((x[b].hmask[l] & mask) ? 0 : 4);
                group += q * y[b].qs[16 * g + l - l0];
            }
            sum += scales[g] * group;
        }
        s += y[b].d * cf_half_to_f32(x[b].d) * (float)sum;
    }
    return s;
}

static float dot_q4_K(int64_t n, const void *w, const void *a) {
    const cf_block_q4_K *x = w; const cf_block_q8k *y = a;
    float s = 0.0f;
    for (int64_t b = 0; b < n / CF_QK_K; b++) {
        int sum = 0, sum_mins = 0;
        for (int j = 0; j < 8; j++) {   // group j: 32 elements, nibble (j % 2) of qs[32 (j / 2) ...]
            uint8_t sc, m;
            cf_q4_K_scale_min(x[b].scales, j, &sc, &m);
            const uint8_t *q = x[b].qs + 32 * (j / 2);
            const int shift = 4 * (j % 2);
            int group = 0;
            for (int l = 0; l < 32; l++) group += ((q[l] >> shift) & 0x0F) * y[b].qs[32 * j + l];
            sum += sc * group;
            sum_mins += m * (y[b].bsums[2 * j] + y[b].bsums[2 * j + 1]);
        }
        s += y[b].d * cf_half_to_f32(x[b].d) * (float)sum - y[b].d * cf_half_to_f32(x[b].dmin) * (float)sum_mins;
    }
    return s;
}

static float dot_q5_K(int64_t n, const void *w, const void *a) {
    const cf_block_q5_K *x = w; const cf_block_q8k *y = a;
    float s = 0.0f;
    for (int64_t b = 0; b < n / CF_QK_K; b++) {
        int sum = 0, sum_mins = 0;
        for (int j = 0; j < 8; j++) {   // high bit of element l of group j: bit j of qh[l]
            uint8_t sc, m;
            cf_q4_K_scale_min(x[b].scales, j, &sc, &m);
            const uint8_t *q = x[b].qs + 32 * (j / 2);
            const int shift = 4 * (j % 2);
            int group = 0;
            for (int l = 0; l < 32; l++) {
                const int v = ((q[l] >> shift) & 0x0F) | (((x[b].qh[l] >> j) & 1) << 4);
                group += v * y[b].qs[32 * j + l];
            }
            sum += sc * group;
            sum_mins += m * (y[b].bsums[2 * j] + y[b].bsums[2 * j + 1]);
        }
        s += y[b].d * cf_half_to_f32(x[b].d) * (float)sum - y[b].d * cf_half_to_f32(x[b].dmin) * (float)sum_mins;
    }
    return s;
}

static float dot_q6_K(int64_t n, const void *w, const void *a) {
    const cf_block_q6_K *x = w; const cf_block_q8k *y = a;
    float s = 0.0f;
    for (int64_t b = 0; b < n / CF_QK_K; b++) {
        // Element e = 128 h + 32 r + l: low nibble of ql[64 h + l + 32 (r % 2)] (high nibble if
        // r >= 2), top two bits at bits 2r of qh[32 h + l]; group e / 16.
        int sum = 0;
        for (int g = 0; g < 16; g++) {
            const int h = g / 8, r = (g % 8) / 2, l0 = 16 * (g % 2);
            int group = 0;
            for (int l = l0; l < l0 + 16; l++) {
                const uint8_t low = x[b].ql[64 * h + l + 32 * (r % 2)];
                const int nib = (r >= 2) ? (low >> 4) : (low & 0x0F);
                const int v = (nib | (((x[b].qh[32 * h + l] >> (2 * r)) & 3) << 4)) - 32;
                group += v * y[b].qs[16 * g + l - l0];
            }
            sum += x[b].scales[g] * group;
        }
        s += y[b].d * cf_half_to_f32(x[b].d) * (float)sum;
    }
    return s;
}

cf_vec_dot_fn cf_reference_vec_dot(int type) {
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
