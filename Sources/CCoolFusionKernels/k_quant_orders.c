// K-quant matrix products in the float rounding order of llama.cpp's CPU backend (ggml-cpu as
// pinned by llama-cpp-python 0.3.36, x86-64 with AVX2), which depends on the weight type, the
// number of activation rows n and the number of weight rows:
//
//   Q4_K with rows % 8 == 0 is repacked at load time (ggml-cpu/repack.cpp, block_q4_Kx8) and
//   multiplied by ggml_gemm_q4_K_8x8_q8_K for the first n - n % 4 activation rows (groups of 4)
//   and by ggml_gemv_q4_K_8x8_q8_K for the remaining n % 4. Per output, both keep two f32
//   accumulators (scale part and min part, fused multiply-adds with d_w·d_a and dmin_w·d_a)
//   and subtract them at the end; the GEMM adds once per 64 elements, the GEMV once per
//   256-element super-block.
//   Other Q4_K, and Q5_K and Q6_K, with n >= 8 go through ggml-cpu/tiled (the "tiled K-quant
//   matmul"): per super-block r = d_w·S (− dmin_w·M, fused), then acc += r·d_a (fused).
//   Everything else (n < 8) uses ggml_vec_dot_*_q8_K, which vec_dot_avx2.c already follows.
//
// In all of them the integer part is exact: the 32-bit sums S (Σ scale·q_w·q_a) and M
// (Σ min·bsum) of each 64-element quarter of a super-block do not depend on how they are
// summed. So a kernel only has to produce those integers (cf_k_quarters_fn: a scalar reference
// here, an AVX2 version in k_quant_orders_avx2.c), and the float combination below, shared by
// both, decides the rounding.
#include "cf_internal.h"
#include <math.h>

// ---- Scalar reference for the integer quarter sums ----

static void quarters_q4_K(const uint8_t *wblock, const cf_block_q8k *a, int64_t stride, int rows, cf_k_quarters *out) {
    const cf_block_q4_K *x = (const cf_block_q4_K *)wblock;
    for (int r = 0; r < rows; r++) {
        const cf_block_q8k *y = (const cf_block_q8k *)((const uint8_t *)a + r * stride);
        for (int quarter = 0; quarter < 4; quarter++) {
            int sum = 0, mins = 0;
            for (int j = 2 * quarter; j < 2 * quarter + 2; j++) {   // group j: nibble (j % 2) of qs[32 (j / 2) ...]
                uint8_t sc, m;
                cf_q4_K_scale_min(x->scales, j, &sc, &m);
                const int shift = 4 * (j % 2);
                int group = 0;
                for (int l = 0; l < 32; l++) group += ((x->qs[32 * quarter + l] >> shift) & 0x0F) * y->qs[32 * j + l];
                sum += sc * group;
                mins += m * (y->bsums[2 * j] + y->bsums[2 * j + 1]);
            }
            out[r].sums[quarter] = sum;
            out[r].mins[quarter] = mins;
        }
    }
}

static void quarters_q5_K(const uint8_t *wblock, const cf_block_q8k *a, int64_t stride, int rows, cf_k_quarters *out) {
    const cf_block_q5_K *x = (const cf_block_q5_K *)wblock;
    for (int r = 0; r < rows; r++) {
        const cf_block_q8k *y = (const cf_block_q8k *)((const uint8_t *)a + r * stride);
        for (int quarter = 0; quarter < 4; quarter++) {
            int sum = 0, mins = 0;
            for (int j = 2 * quarter; j < 2 * quarter + 2; j++) {   // fifth bit of element l of group j: bit j of qh[l]
                uint8_t sc, m;
                cf_q4_K_scale_min(x->scales, j, &sc, &m);
                const int shift = 4 * (j % 2);
                int group = 0;
                for (int l = 0; l < 32; l++) {
                    const int v = ((x->qs[32 * quarter + l] >> shift) & 0x0F) | (((x->qh[l] >> j) & 1) << 4);
                    group += v * y->qs[32 * j + l];
                }
                sum += sc * group;
                mins += m * (y->bsums[2 * j] + y->bsums[2 * j + 1]);
            }
            out[r].sums[quarter] = sum;
            out[r].mins[quarter] = mins;
        }
    }
}

static void quarters_q6_K(const uint8_t *wblock, const cf_block_q8k *a, int64_t stride, int rows, cf_k_quarters *out) {
    const cf_block_q6_K *x = (const cf_block_q6_K *)wblock;
    for (int r = 0; r < rows; r++) {
        const cf_block_q8k *y = (const cf_block_q8k *)((const uint8_t *)a + r * stride);
        for (int quarter = 0; quarter < 4; quarter++) {
            // Element e = 128 h + 32 s + l (quarter = 2 h + s / 2): low nibble of
            // ql[64 h + l + 32 (s % 2)] (high nibble if s >= 2), top bits at 2s of qh[32 h + l].
            int sum = 0;
            for (int g = 4 * quarter; g < 4 * quarter + 4; g++) {
                const int h = g / 8, s = (g % 8) / 2, l0 = 16 * (g % 2);
                int group = 0;
                for (int l = l0; l < l0 + 16; l++) {
                    const uint8_t low = x->ql[64 * h + l + 32 * (s % 2)];
                    const int nib = (s >= 2) ? (low >> 4) : (low & 0x0F);
                    const int v = (nib | (((x->qh[32 * h + l] >> (2 * s)) & 3) << 4)) - 32;
                    group += v * y->qs[16 * g + l - l0];
                }
                sum += x->scales[g] * group;
            }
            out[r].sums[quarter] = sum;
            out[r].mins[quarter] = 0;
        }
    }
}

cf_k_quarters_fn cf_reference_k_quarters(int type) {
    switch (type) {
    case CF_TYPE_Q4_K: return quarters_q4_K;
    case CF_TYPE_Q5_K: return quarters_q5_K;
    case CF_TYPE_Q6_K: return quarters_q6_K;
    default: return NULL;
    }
}

// ---- Which order llama.cpp uses ----

cf_k_order cf_k_order_for(int type, int64_t rows, int64_t n, int64_t row_index) {
    if (type == CF_TYPE_Q4_K && rows % 8 == 0) return row_index < n - n % 4 ? CF_K_ORDER_REPACK_GEMM : CF_K_ORDER_REPACK_GEMV;
    if ((type == CF_TYPE_Q4_K || type == CF_TYPE_Q5_K || type == CF_TYPE_Q6_K) && n >= 8) return CF_K_ORDER_TILED;
    return CF_K_ORDER_VEC_DOT;
}

// ---- The float combination, shared by the scalar and SIMD paths ----

// Super-block scales of a weight block: d (and dmin for the formats with mins), f16 → f32.
static void block_scales(int type, const uint8_t *wblock, float *d, float *dmin) {
    cf_half hd, hmin = 0;
    if (type == CF_TYPE_Q6_K) {
        memcpy(&hd, wblock + offsetof(cf_block_q6_K, d), 2);
    } else {   // Q4_K and Q5_K start with d, dmin
        memcpy(&hd, wblock, 2);
        memcpy(&hmin, wblock + 2, 2);
    }
    *d = cf_half_to_f32(hd);
    *dmin = cf_half_to_f32(hmin);
}

void cf_k_dot_rows(int type, cf_k_order order, cf_k_quarters_fn quarters, int64_t cols, const uint8_t *w_row,
                   const uint8_t *act, int64_t act_stride, int rows, float *out, int64_t out_stride) {
    const int64_t block_bytes = cf_block_bytes(type);
    float acc[CF_K_MAX_ROWS], acc_min[CF_K_MAX_ROWS];
    for (int r = 0; r < rows; r++) { acc[r] = 0.0f; acc_min[r] = 0.0f; }
    cf_k_quarters q[CF_K_MAX_ROWS];
    for (int64_t b = 0; b < cols / CF_QK_K; b++) {
        const uint8_t *wblock = w_row + b * block_bytes;
        quarters(wblock, (const cf_block_q8k *)act + b, act_stride, rows, q);
        float d, dmin;
        block_scales(type, wblock, &d, &dmin);
        for (int r = 0; r < rows; r++) {
            const float da = ((const cf_block_q8k *)(act + r * act_stride))[b].d;
            switch (order) {
            case CF_K_ORDER_REPACK_GEMM: {
                const float scale = d * da, scale_min = dmin * da;
                for (int k = 0; k < 4; k++) {
                    acc[r] = fmaf((float)q[r].sums[k], scale, acc[r]);
                    acc_min[r] = fmaf((float)q[r].mins[k], scale_min, acc_min[r]);
                }
                break;
            }
            case CF_K_ORDER_REPACK_GEMV: {
                const int sum = q[r].sums[0] + q[r].sums[1] + q[r].sums[2] + q[r].sums[3];
                const int mins = q[r].mins[0] + q[r].mins[1] + q[r].mins[2] + q[r].mins[3];
                acc[r] = fmaf((float)sum, d * da, acc[r]);
                acc_min[r] = fmaf((float)mins, dmin * da, acc_min[r]);
                break;
            }
            default: {   // CF_K_ORDER_TILED
                const int sum = q[r].sums[0] + q[r].sums[1] + q[r].sums[2] + q[r].sums[3];
                const int mins = q[r].mins[0] + q[r].mins[1] + q[r].mins[2] + q[r].mins[3];
                float partial = d * (float)sum;
                if (type != CF_TYPE_Q6_K) partial = fmaf(-dmin, (float)mins, partial);
                acc[r] = fmaf(partial, da, acc[r]);
                break;
            }
            }
        }
    }
    for (int r = 0; r < rows; r++) out[r * out_stride] = order == CF_K_ORDER_TILED ? acc[r] : acc[r] - acc_min[r];
}
