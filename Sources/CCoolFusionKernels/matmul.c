// Matrix products on memory-mapped GGUF weights: y[n][rows] = x[n][cols] · Wᵀ.
//
// As in llama.cpp, the f32 activations are quantized once per call to int8 blocks matching the
// weight format (Q8A for 32-element formats, Q8K for K-quants) so every weight block is consumed
// by integer multiply-adds straight from the mapping. Weight rows are split across the pool's
// threads in tiles that fit L1; each tile is read once for all n activation rows.
#include "cf_internal.h"
#include <stdlib.h>

// Per-calling-thread scratch for quantized activations: grows, never shrinks, so steady-state
// calls allocate nothing. Workers only read it while the caller waits in cf_pool_run.
static _Thread_local void *scratch;
static _Thread_local size_t scratch_capacity;

static void *scratch_reserve(size_t bytes) {
    if (bytes <= scratch_capacity) return scratch;
    void *grown = realloc(scratch, bytes);
    if (!grown) return NULL;
    scratch = grown;
    scratch_capacity = bytes;
    return scratch;
}

typedef struct {
    cf_vec_dot_fn dot;
    const uint8_t *w;         // [rows][w_row_bytes]
    int64_t w_row_bytes, rows, cols;
    const uint8_t *act;       // [n][act_row_bytes]
    int64_t act_row_bytes, n;
    float *y;                 // [n][rows]
    int64_t tile_rows;        // weight rows per L1-sized tile
} matmul_job;

static void matmul_rows(void *context, int64_t begin, int64_t end) {
    const matmul_job *job = context;
    for (int64_t r0 = begin; r0 < end; r0 += job->tile_rows) {
        const int64_t r1 = r0 + job->tile_rows < end ? r0 + job->tile_rows : end;
        for (int64_t i = 0; i < job->n; i++) {
            const uint8_t *a = job->act + i * job->act_row_bytes;
            float *y = job->y + i * job->rows;
            for (int64_t r = r0; r < r1; r++) y[r] = job->dot(job->cols, job->w + r * job->w_row_bytes, a);
        }
    }
}

typedef struct {
    cf_quantize_fn quantize;
    const float *x;           // [n][cols]
    uint8_t *act;             // [n][act_row_bytes]
    int64_t cols, act_row_bytes;
} quantize_job;

static void quantize_rows(void *context, int64_t begin, int64_t end) {
    const quantize_job *job = context;
    for (int64_t i = begin; i < end; i++) job->quantize(job->x + i * job->cols, job->act + i * job->act_row_bytes, job->cols);
}

static void copy_f32(const float *x, void *dst, int64_t cols) { memcpy(dst, x, (size_t)cols * 4); }

int cf_matmul(cf_pool *pool, int type, const void *w, int64_t rows, int64_t cols,
              const float *x, int64_t n, float *y, int simd) {
    const cf_activation_kind kind = cf_activation_kind_for(type);
    if (kind == CF_ACT_NONE || !cf_type_supported(type)) return CF_ERR_UNSUPPORTED_TYPE;
    if (rows < 0 || n < 0 || cols <= 0 || cols % cf_block_elements(type) != 0) return CF_ERR_BAD_LENGTH;
    if (rows == 0 || n == 0) return CF_OK;
    const int fast = simd && cf_cpu_has_avx2_fma();

    cf_vec_dot_fn dot = fast ? cf_avx2_vec_dot(type) : NULL;
    if (!dot) dot = cf_reference_vec_dot(type);
    cf_quantize_fn quantize = copy_f32;
    if (kind != CF_ACT_F32) {
        quantize = fast ? cf_avx2_quantize(kind) : NULL;
        if (!quantize) quantize = kind == CF_ACT_Q8A ? cf_quantize_q8a_reference : cf_quantize_q8k_reference;
    }

    const int64_t w_row_bytes = cols / cf_block_elements(type) * cf_block_bytes(type);
    const uint8_t *act;
    int64_t act_row_bytes = cf_activation_row_bytes(type, cols);
    if (kind == CF_ACT_F32) {
        act = (const uint8_t *)x;   // f32 weights read the activations as they are
    } else {
        uint8_t *buffer = scratch_reserve((size_t)(n * act_row_bytes));
        if (!buffer) return CF_ERR_NO_MEMORY;
        quantize_job qjob = { quantize, x, buffer, cols, act_row_bytes };
        if (n >= 4) cf_pool_run(pool, n, 1, quantize_rows, &qjob);
        else quantize_rows(&qjob, 0, n);
        act = buffer;
    }

    int64_t tile_rows = 16384 / w_row_bytes;
    if (tile_rows < 1) tile_rows = 1;
    matmul_job job = { dot, w, w_row_bytes, rows, cols, act, act_row_bytes, n, y, tile_rows };
    // Enough rows per chunk that claiming a chunk costs little next to computing it.
    const int64_t grain = n >= 8 ? 1 : 8;
    cf_pool_run(pool, rows, grain, matmul_rows, &job);
    return CF_OK;
}

float cf_vec_dot(int type, int64_t cols, const void *weight_row, const void *activation_row, int simd) {
    if (!cf_type_supported(type) || cols <= 0 || cols % cf_block_elements(type) != 0) return __builtin_nanf("");
    cf_vec_dot_fn dot = (simd && cf_cpu_has_avx2_fma()) ? cf_avx2_vec_dot(type) : NULL;
    if (!dot) dot = cf_reference_vec_dot(type);
    return dot(cols, weight_row, activation_row);
}
