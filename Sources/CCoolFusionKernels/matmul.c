// Matrix products on memory-mapped GGUF weights: y[n][rows] = x[n][cols] · Wᵀ.
//
// As in llama.cpp, the f32 activations are quantized once per call to int8 blocks matching the
// weight format (Q8A for 32-element formats, Q8K for K-quants) so every weight block is consumed
// by integer multiply-adds straight from the mapping. Weight rows are split across the pool's
// threads in tiles that fit L1; each tile is read once for all n activation rows.
#include "cf_internal.h"
#include <pthread.h>
#include <stdlib.h>

// Per-calling-thread scratch for quantized activations: grows, never shrinks, so steady-state
// calls allocate nothing; freed when the thread exits (pthread key destructor). Workers only
// read it while the caller waits in cf_pool_run.
typedef struct { void *bytes; size_t capacity; } scratch_buffer;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *value) {
    scratch_buffer *buffer = value;
    free(buffer->bytes);
    free(buffer);
}

static void scratch_key_create(void) { pthread_key_create(&scratch_key, scratch_free); }

static void *scratch_reserve(size_t bytes) {
    pthread_once(&scratch_once, scratch_key_create);
    scratch_buffer *buffer = pthread_getspecific(scratch_key);
    if (!buffer) {
        buffer = calloc(1, sizeof(scratch_buffer));
        if (!buffer || pthread_setspecific(scratch_key, buffer) != 0) { free(buffer); return NULL; }
    }
    if (bytes <= buffer->capacity) return buffer->bytes;
    void *grown = realloc(buffer->bytes, bytes);
    if (!grown) return NULL;
    buffer->bytes = grown;
    buffer->capacity = bytes;
    return grown;
}

typedef struct {
    int type;
    cf_k_quarters_fn k_quarters;   // non-NULL: round in llama.cpp's K-quant order (k_quant_orders.c)
    int simd;                      // runs of eight rows may take cf_avx2_k_dot_rows8
    cf_vec_dot_fn dot;
    cf_vec_dot_rows_fn dot8, dot4;   // NULL: no 8- / 4-row kernel for this type / path
    const uint8_t *w;         // [rows][w_row_bytes]
    int64_t w_row_bytes, rows, cols;
    const uint8_t *act;       // [n][act_row_bytes]
    int64_t act_row_bytes, n;
    float *y;                 // [n][rows]
    int64_t tile_rows;        // weight rows per L1-sized tile
    int64_t panel_rows;       // activation rows per L2-sized panel (a multiple of 8)
} matmul_job;

// Activation rows [i0, i1) × weight rows [r0, r1) in llama.cpp's K-quant order: runs of up to
// CF_K_MAX_ROWS activation rows that share an order (repacked Q4_K switches from GEMM to GEMV
// at n - n % 4) go through one weight row at a time.
static void matmul_block_k_order(const matmul_job *job, int64_t r0, int64_t r1, int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1;) {
        const cf_k_order order = cf_k_order_for(job->type, job->rows, job->n, i);
        int64_t end = i + 1;
        while (end < i1 && end - i < CF_K_MAX_ROWS && cf_k_order_for(job->type, job->rows, job->n, end) == order) end++;
        const uint8_t *a = job->act + i * job->act_row_bytes;
        float *y = job->y + i * job->rows;
        const cf_k_gemv_rows8_fn gemv8 = job->simd && order == CF_K_ORDER_REPACK_GEMV ? cf_avx2_k_gemv_rows8(job->type) : NULL;
        if (gemv8) {   // each activation row against eight weight rows at a time
            const int64_t whole = r0 + (r1 - r0) / 8 * 8;   // tiles are whole groups of eight (see tile_rows)
            for (int64_t k = i; k < end; k++)
                for (int64_t r = r0; r < whole; r += 8)
                    gemv8(job->cols, job->w + r * job->w_row_bytes, job->w_row_bytes, a + (k - i) * job->act_row_bytes, y + (k - i) * job->rows + r);
            for (int64_t r = whole; r < r1; r++)
                cf_k_dot_rows(job->type, order, job->k_quarters, job->cols, job->w + r * job->w_row_bytes, a,
                              job->act_row_bytes, (int)(end - i), y + r, job->rows);
            i = end;
            continue;
        }
        const cf_k_dot_rows8_fn dot8 = job->simd && end - i == 8 ? cf_avx2_k_dot_rows8(job->type, order) : NULL;
        if (dot8) {
            for (int64_t r = r0; r < r1; r++) dot8(job->cols, job->w + r * job->w_row_bytes, a, job->act_row_bytes, y + r, job->rows);
            i = end;
            continue;
        }
        for (int64_t r = r0; r < r1; r++)
            cf_k_dot_rows(job->type, order, job->k_quarters, job->cols, job->w + r * job->w_row_bytes, a,
                          job->act_row_bytes, (int)(end - i), y + r, job->rows);
        i = end;
    }
}

// Activation rows [i0, i1) × weight rows [r0, r1).
static void matmul_block(const matmul_job *job, int64_t r0, int64_t r1, int64_t i0, int64_t i1) {
    if (job->k_quarters) { matmul_block_k_order(job, r0, r1, i0, i1); return; }
    int64_t i = i0;
    if (job->dot8) {
        for (; i + 8 <= i1; i += 8) {
            const uint8_t *a = job->act + i * job->act_row_bytes;
            float *y = job->y + i * job->rows;
            for (int64_t r = r0; r < r1; r++)
                job->dot8(job->cols, job->w + r * job->w_row_bytes, a, job->act_row_bytes, y + r, job->rows);
        }
    }
    if (job->dot4) {
        for (; i + 4 <= i1; i += 4) {
            const uint8_t *a = job->act + i * job->act_row_bytes;
            float *y = job->y + i * job->rows;
            for (int64_t r = r0; r < r1; r++)
                job->dot4(job->cols, job->w + r * job->w_row_bytes, a, job->act_row_bytes, y + r, job->rows);
        }
    }
    for (; i < i1; i++) {
        const uint8_t *a = job->act + i * job->act_row_bytes;
        float *y = job->y + i * job->rows;
        for (int64_t r = r0; r < r1; r++) y[r] = job->dot(job->cols, job->w + r * job->w_row_bytes, a);
    }
}

// One chunk of weight rows. Cache blocking: a tile of weight rows (L1) meets a panel of
// activation rows (L2); the chunk's weights stay in L2 while the panels go by, so each weight
// byte comes from memory once per call however large n is.
static void matmul_rows(void *context, int64_t begin, int64_t end) {
    const matmul_job *job = context;
    for (int64_t i0 = 0; i0 < job->n; i0 += job->panel_rows) {
        const int64_t i1 = i0 + job->panel_rows < job->n ? i0 + job->panel_rows : job->n;
        for (int64_t r0 = begin; r0 < end; r0 += job->tile_rows) {
            const int64_t r1 = r0 + job->tile_rows < end ? r0 + job->tile_rows : end;
            matmul_block(job, r0, r1, i0, i1);
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
    return cf_matmul_rounded(pool, type, w, rows, cols, x, n, y, simd, CF_ROUNDING_BATCH_INVARIANT);
}

int cf_matmul_rounded(cf_pool *pool, int type, const void *w, int64_t rows, int64_t cols,
                      const float *x, int64_t n, float *y, int simd, int rounding) {
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
    cf_vec_dot_rows_fn dot8 = fast ? cf_avx2_vec_dot_rows(type, 8) : NULL;
    cf_vec_dot_rows_fn dot4 = fast ? cf_avx2_vec_dot_rows(type, 4) : NULL;
    int64_t panel_rows = (256 * 1024 / act_row_bytes) & ~(int64_t)7;
    if (panel_rows < 8) panel_rows = 8;
    // All rows of a product share VEC_DOT or none does (cf_k_order_for), so row 0 decides.
    cf_k_quarters_fn k_quarters = NULL;
    if (rounding == CF_ROUNDING_LLAMA_CPP && cf_k_order_for(type, rows, n, 0) != CF_K_ORDER_VEC_DOT) {
        k_quarters = fast ? cf_avx2_k_quarters(type) : NULL;
        if (!k_quarters) k_quarters = cf_reference_k_quarters(type);
    }
    // The eight-row K-quant kernels want tiles of whole groups of eight weight rows.
    if (k_quarters) tile_rows = (tile_rows + 7) & ~(int64_t)7;
    matmul_job job = { type, k_quarters, fast, dot, dot8, dot4, w, w_row_bytes, rows, cols, act, act_row_bytes, n, y, tile_rows, panel_rows };
    // 16 rows: each chunk's outputs fill whole 64-byte cache lines (no false sharing between
    // threads), and claiming a chunk costs little next to computing it.
    const int64_t grain = 16;
    cf_pool_run(pool, rows, grain, matmul_rows, &job);
    return CF_OK;
}

float cf_vec_dot(int type, int64_t cols, const void *weight_row, const void *activation_row, int simd) {
    if (!cf_type_supported(type) || cols <= 0 || cols % cf_block_elements(type) != 0) return __builtin_nanf("");
    cf_vec_dot_fn dot = (simd && cf_cpu_has_avx2_fma()) ? cf_avx2_vec_dot(type) : NULL;
    if (!dot) dot = cf_reference_vec_dot(type);
    return dot(cols, weight_row, activation_row);
}
