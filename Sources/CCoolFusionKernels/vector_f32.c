// f32 vector helpers for attention, norms and activations: AVX2/FMA with a scalar fallback.
// Each public function dispatches once per call on the cached CPU check.
#include "cf_internal.h"
#include "cf_exp.h"
#include <math.h>
#include <pthread.h>

// ---- Scalar versions (the fallback, and the tails of the SIMD loops) ----

static float dot_scalar(const float *a, const float *b, int64_t n) {
    float s = 0.0f;
    for (int64_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}
static void axpy_scalar(float a, const float *x, float *y, int64_t n) { for (int64_t i = 0; i < n; i++) y[i] += a * x[i]; }
static void scale_scalar(float *x, float a, int64_t n) { for (int64_t i = 0; i < n; i++) x[i] *= a; }
static void add_scalar(const float *x, float *y, int64_t n) { for (int64_t i = 0; i < n; i++) y[i] += x[i]; }
static void mul_scalar(const float *x, float *y, int64_t n) { for (int64_t i = 0; i < n; i++) y[i] *= x[i]; }
static float max_scalar(const float *x, int64_t n) {
    float m = -INFINITY;
    for (int64_t i = 0; i < n; i++) m = fmaxf(m, x[i]);
    return m;
}
static float exp_sub_sum_scalar(float *x, float max, int64_t n) {
    float s = 0.0f;
    for (int64_t i = 0; i < n; i++) { x[i] = expf(x[i] - max); s += x[i]; }
    return s;
}
// GELU (tanh approximation) as ggml computes it on CPU: through a table indexed by the f16 bits
// of the input, holding f16(gelu(x)); inputs at or below −10 give 0 and at or above 10 give x.
// So gelu(x) = f16(gelu_f32(f16(x))): llama.cpp's Gemma activations carry that rounding, and
// matching it removes a systematic ~2^-12 relative difference per FFN element.
#define GELU_COEF_A 0.044715f
#define SQRT_2_OVER_PI 0.79788456080286535587989211986876f
static cf_half gelu_table[1 << 16];
static pthread_once_t gelu_table_once = PTHREAD_ONCE_INIT;

// ggml's table is filled by GCC-compiled code that contracts 1 + A·x·x into one fused
// multiply-add; written out here (fmaf) so every one of the 65536 entries equals ggml's (the
// unfused formula differs at x = -1.999, checked against libggml-cpu's ggml_table_gelu_f16).
static float gelu_f32(float x) {
    return 0.5f * x * (1.0f + tanhf(SQRT_2_OVER_PI * x * fmaf(GELU_COEF_A * x, x, 1.0f)));
}
static void gelu_table_fill(void) {
    for (uint32_t i = 0; i < (1u << 16); i++) gelu_table[i] = cf_f32_to_half(gelu_f32(cf_half_to_f32((cf_half)i)));
}
static inline float gelu_from_table(float x) {
    if (x <= -10.0f) return 0.0f;
    if (x >= 10.0f) return x;
    return cf_half_to_f32(gelu_table[cf_f32_to_half(x)]);
}
static void gelu_mul_scalar(float *gate, const float *up, int64_t n) {
    pthread_once(&gelu_table_once, gelu_table_fill);
    for (int64_t i = 0; i < n; i++) gate[i] = gelu_from_table(gate[i]) * up[i];
}

// x rounded to f16 values in place (llama.cpp keeps K and V, and attention's f16 operands, as f16).
static void round_to_half_scalar(float *x, int64_t n) { for (int64_t i = 0; i < n; i++) x[i] = cf_round_to_half(x[i]); }

// ---- Attention in llama.cpp's exact order ----
// llama.cpp's CPU attention (no flash attention) is two F16 matrix products plus a softmax. With
// several query tokens (prefill, scoring) the products run in llamafile's tinyBLAS, which keeps
// ONE 8-lane FMA accumulator per output and sums its lanes as ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7))
// (CF_ORDER_GEMM). With one query token (decode) they run in ggml_vec_dot_f16: FOUR 8-lane
// accumulators stepping 32 elements (element i in accumulator (i/8)%4, lane i%8), combined as
// (a0+a2)+(a1+a3), then lanes (u0+u4 + u1+u5) + (u2+u6 + u3+u7), leftover elements added in
// double (CF_ORDER_GEMV). The scalar versions follow those lanes exactly, so they and the AVX2
// ones give llama.cpp's bits.

static int lane_count(int order) { return order == CF_ORDER_GEMV ? 32 : 8; }

// acc: `lanes` partial sums at stride `step`; returns their sum in the order of `order`.
static float sum_lanes(const float *acc, int64_t step, int order) {
#define A(i) acc[(i) * step]
    if (order == CF_ORDER_GEMV) {
        float u[8];
        for (int j = 0; j < 8; j++) u[j] = (A(j) + A(16 + j)) + (A(8 + j) + A(24 + j));
        const float t0 = u[0] + u[4], t1 = u[1] + u[5], t2 = u[2] + u[6], t3 = u[3] + u[7];
        return (t0 + t1) + (t2 + t3);
    }
    return ((A(0) + A(4)) + (A(2) + A(6))) + ((A(1) + A(5)) + (A(3) + A(7)));
#undef A
}

// q · row with element i in lane i % lanes (fused multiply-adds), then the lane sum.
static float dot_lanes_scalar(const float *q, const float *row, int64_t width, int order) {
    const int lanes = lane_count(order);
    float acc[32] = {0};
    const int64_t whole = order == CF_ORDER_GEMV ? width - width % 32 : width;
    for (int64_t i = 0; i < whole; i++) acc[i % lanes] = fmaf(q[i], row[i], acc[i % lanes]);
    float result = sum_lanes(acc, 1, order);
    if (whole < width) {   // ggml_vec_dot_f16's leftovers: float products added in double
        double sum = result;
        for (int64_t i = whole; i < width; i++) sum += (double)(q[i] * row[i]);
        result = (float)sum;
    }
    return result;
}

static void dot_rows_scalar(const float *q, const float *rows, int64_t stride, int64_t count, int64_t width,
                            float scale, float *scores, int order) {
    for (int64_t t = 0; t < count; t++) scores[t] = dot_lanes_scalar(q, rows + t * stride, width, order) * scale;
}

// acc[(first_lane + t) % lanes][d] = fma(rows[t][d], weights[t], acc[...][d]): the value product in
// the lane of the key's position. acc is [lanes][width].
static void weighted_sum_lanes_scalar(const float *weights, const float *rows, int64_t stride, int64_t count,
                                      int64_t width, int64_t first_lane, float *acc, int order) {
    const int lanes = lane_count(order);
    for (int64_t t = 0; t < count; t++) {
        float *lane = acc + ((first_lane + t) % lanes) * width;
        const float *row = rows + t * stride;
        for (int64_t d = 0; d < width; d++) lane[d] = fmaf(row[d], weights[t], lane[d]);
    }
}

static void reduce_lanes_scalar(const float *acc, int64_t width, float *out, int order) {
    for (int64_t d = 0; d < width; d++) out[d] = sum_lanes(acc + d, width, order);
}

// SwiGLU as ggml's swiglu: silu(x) = x / (1 + e^−x) with ggml's exp in blocks of 8 and libm's
// expf for the tail, then · up.
static void silu_mul_scalar(float *gate, const float *up, int64_t n) {
    const int64_t blocks_end = n - n % 8;
    int64_t i = 0;
    for (; i < blocks_end; i++) gate[i] = gate[i] / (1.0f + exp_ggml_scalar(-gate[i])) * up[i];
    for (; i < n; i++) gate[i] = gate[i] / (1.0f + expf(-gate[i])) * up[i];
}

// ggml's soft_max: y = e^(x − max) in blocks of 8 (each block summed as 8 lanes, then added in
// double), the tail with libm expf; then y · (float)(1 / sum).
static void softmax_scalar(float *x, int64_t n) {
    float max = -INFINITY;
    for (int64_t i = 0; i < n; i++) max = fmaxf(max, x[i]);
    double sum = 0;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        float lanes[8];
        for (int k = 0; k < 8; k++) lanes[k] = x[i + k] = exp_ggml_scalar(x[i + k] - max);
        sum += (double)sum_lanes(lanes, 1, CF_ORDER_GEMM);
    }
    for (; i < n; i++) { x[i] = expf(x[i] - max); sum += (double)x[i]; }
    const float inverse = (float)(1.0 / sum);
    for (i = 0; i < n; i++) x[i] *= inverse;
}

#if defined(__x86_64__)
#include <immintrin.h>
#define CF_AVX2 __attribute__((target("avx2,fma,f16c")))
#define HAVE_SIMD cf_cpu_has_avx2_fma()

CF_AVX2 static inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

CF_AVX2 static float dot_avx2(const float *a, const float *b, int64_t n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {   // four independent chains hide the FMA latency
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
    }
    for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    return hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3))) + dot_scalar(a + i, b + i, n - i);
}

CF_AVX2 static void axpy_avx2(float a, const float *x, float *y, int64_t n) {
    const __m256 va = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    axpy_scalar(a, x + i, y + i, n - i);
}

CF_AVX2 static void scale_avx2(float *x, float a, int64_t n) {
    const __m256 va = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(va, _mm256_loadu_ps(x + i)));
    scale_scalar(x + i, a, n - i);
}

CF_AVX2 static void add_avx2(const float *x, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i), _mm256_loadu_ps(x + i)));
    add_scalar(x + i, y + i, n - i);
}

CF_AVX2 static void mul_avx2(const float *x, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(y + i), _mm256_loadu_ps(x + i)));
    mul_scalar(x + i, y + i, n - i);
}

CF_AVX2 static float max_avx2(const float *x, int64_t n) {
    __m256 m = _mm256_set1_ps(-INFINITY);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) m = _mm256_max_ps(m, _mm256_loadu_ps(x + i));
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return fmaxf(_mm_cvtss_f32(s), max_scalar(x + i, n - i));
}

// e^x for 8 lanes (Cephes-style: 2^n · p(r), |r| <= ln2/2; ~2 ulp). Lanes below −87.3 give 0
// (so −∞ from masking works), above 88 are clamped.
CF_AVX2 static inline __m256 exp_avx2(__m256 x) {
    const __m256 underflow = _mm256_cmp_ps(x, _mm256_set1_ps(-87.3f), _CMP_GE_OQ);
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.0f));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    const __m256i exponent = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_and_ps(_mm256_mul_ps(p, _mm256_castsi256_ps(exponent)), underflow);
}

CF_AVX2 static float exp_sub_sum_avx2(float *x, float max, int64_t n) {
    const __m256 vmax = _mm256_set1_ps(max);
    __m256 s = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 e = exp_avx2(_mm256_sub_ps(_mm256_loadu_ps(x + i), vmax));
        _mm256_storeu_ps(x + i, e);
        s = _mm256_add_ps(s, e);
    }
    return hsum(s) + exp_sub_sum_scalar(x + i, max, n - i);
}

// The table lookup of gelu_mul_scalar, eight lanes at a time: F16C converts (round to nearest
// even, as cf_f32_to_half), the lookups are scalar loads, and the ±10 bounds are blends.
CF_AVX2 static void gelu_mul_avx2(float *gate, const float *up, int64_t n) {
    pthread_once(&gelu_table_once, gelu_table_fill);
    const __m256 low = _mm256_set1_ps(-10.0f), high = _mm256_set1_ps(10.0f);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(gate + i);
        uint16_t bits[8], looked_up[8];
        _mm_storeu_si128((__m128i *)bits, _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        for (int k = 0; k < 8; k++) looked_up[k] = gelu_table[bits[k]];
        __m256 g = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)looked_up));
        g = _mm256_blendv_ps(g, v, _mm256_cmp_ps(v, high, _CMP_GE_OQ));
        g = _mm256_andnot_ps(_mm256_cmp_ps(v, low, _CMP_LE_OQ), g);
        _mm256_storeu_ps(gate + i, _mm256_mul_ps(g, _mm256_loadu_ps(up + i)));
    }
    gelu_mul_scalar(gate + i, up + i, n - i);
}

CF_AVX2 static void round_to_half_avx2(float *x, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        _mm256_storeu_ps(x + i, _mm256_cvtph_ps(h));
    }
    round_to_half_scalar(x + i, n - i);
}

// tinyBLAS's 8-lane sum: (hi + lo) halves, then movehl, then movehdup.
CF_AVX2 static inline float sum_lanes_avx2(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_extractf128_ps(v, 1), _mm256_castps256_ps128(v));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// ggml_vec_dot_f16's reduction of four accumulators: (a0+a2)+(a1+a3), lo+hi, two hadds.
CF_AVX2 static inline float sum_lanes_gemv_avx2(__m256 a0, __m256 a1, __m256 a2, __m256 a3) {
    const __m256 u = _mm256_add_ps(_mm256_add_ps(a0, a2), _mm256_add_ps(a1, a3));
    const __m128 t0 = _mm_add_ps(_mm256_castps256_ps128(u), _mm256_extractf128_ps(u, 1));
    const __m128 t1 = _mm_hadd_ps(t0, t0);
    return _mm_cvtss_f32(_mm_hadd_ps(t1, t1));
}

// Attention scores: one query against `count` key rows, each as dot_lanes_scalar.
CF_AVX2 static void dot_rows_avx2(const float *q, const float *rows, int64_t stride, int64_t count, int64_t width,
                                  float scale, float *scores, int order) {
    if (order == CF_ORDER_GEMV) {
        if (width % 32 != 0) { dot_rows_scalar(q, rows, stride, count, width, scale, scores, order); return; }
        for (int64_t t = 0; t < count; t++) {
            const float *r = rows + t * stride;
            __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
            for (int64_t i = 0; i < width; i += 32) {
                a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(r + i), a0);
                a1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8), _mm256_loadu_ps(r + i + 8), a1);
                a2 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 16), _mm256_loadu_ps(r + i + 16), a2);
                a3 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 24), _mm256_loadu_ps(r + i + 24), a3);
            }
            scores[t] = sum_lanes_gemv_avx2(a0, a1, a2, a3) * scale;
        }
        return;
    }
    if (width % 8 != 0) { dot_rows_scalar(q, rows, stride, count, width, scale, scores, order); return; }
    int64_t t = 0;
    for (; t + 2 <= count; t += 2) {   // two rows share each load of the query
        const float *ra = rows + t * stride, *rb = ra + stride;
        __m256 a = _mm256_setzero_ps(), b = _mm256_setzero_ps();
        for (int64_t i = 0; i < width; i += 8) {
            const __m256 qv = _mm256_loadu_ps(q + i);
            a = _mm256_fmadd_ps(qv, _mm256_loadu_ps(ra + i), a);
            b = _mm256_fmadd_ps(qv, _mm256_loadu_ps(rb + i), b);
        }
        scores[t] = sum_lanes_avx2(a) * scale;
        scores[t + 1] = sum_lanes_avx2(b) * scale;
    }
    for (; t < count; t++) {
        const float *r = rows + t * stride;
        __m256 a = _mm256_setzero_ps();
        for (int64_t i = 0; i < width; i += 8) a = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(r + i), a);
        scores[t] = sum_lanes_avx2(a) * scale;
    }
}

// weighted_sum_lanes_scalar with the row's 8-float chunks in registers.
CF_AVX2 static void weighted_sum_lanes_avx2(const float *weights, const float *rows, int64_t stride, int64_t count,
                                            int64_t width, int64_t first_lane, float *acc, int order) {
    if (width % 8 != 0) { weighted_sum_lanes_scalar(weights, rows, stride, count, width, first_lane, acc, order); return; }
    const int lanes = lane_count(order);
    for (int64_t t = 0; t < count; t++) {
        float *lane = acc + ((first_lane + t) % lanes) * width;
        const float *row = rows + t * stride;
        const __m256 w = _mm256_set1_ps(weights[t]);
        for (int64_t d = 0; d < width; d += 8)
            _mm256_storeu_ps(lane + d, _mm256_fmadd_ps(_mm256_loadu_ps(row + d), w, _mm256_loadu_ps(lane + d)));
    }
}

CF_AVX2 static void reduce_lanes_avx2(const float *acc, int64_t width, float *out, int order) {
    // Lanes of one output are `width` apart; the scalar sum is cheap next to the products.
    reduce_lanes_scalar(acc, width, out, order);
}

CF_AVX2 static void silu_mul_avx2(float *gate, const float *up, int64_t n) {
    const __m256 one = _mm256_set1_ps(1.0f);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 g = _mm256_loadu_ps(gate + i);
        const __m256 e = exp_ggml_avx2(_mm256_sub_ps(_mm256_setzero_ps(), g));
        _mm256_storeu_ps(gate + i, _mm256_mul_ps(_mm256_div_ps(g, _mm256_add_ps(one, e)), _mm256_loadu_ps(up + i)));
    }
    for (; i < n; i++) gate[i] = gate[i] / (1.0f + expf(-gate[i])) * up[i];
}

CF_AVX2 static void softmax_avx2(float *x, int64_t n) {
    float max = max_avx2(x, n);
    const __m256 vmax = _mm256_set1_ps(max);
    double sum = 0;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 e = exp_ggml_avx2(_mm256_sub_ps(_mm256_loadu_ps(x + i), vmax));
        _mm256_storeu_ps(x + i, e);
        sum += (double)sum_lanes_avx2(e);
    }
    for (; i < n; i++) { x[i] = expf(x[i] - max); sum += (double)x[i]; }
    scale_avx2(x, (float)(1.0 / sum), n);
}

#define DISPATCH(simd_call, scalar_call) if (HAVE_SIMD) return simd_call; return scalar_call
#define DISPATCH_VOID(simd_call, scalar_call) if (HAVE_SIMD) simd_call; else scalar_call
#else
#define DISPATCH(simd_call, scalar_call) return scalar_call
#define DISPATCH_VOID(simd_call, scalar_call) scalar_call
#endif

float cf_dot_f32(const float *a, const float *b, int64_t n) { DISPATCH(dot_avx2(a, b, n), dot_scalar(a, b, n)); }
void cf_axpy_f32(float a, const float *x, float *y, int64_t n) { DISPATCH_VOID(axpy_avx2(a, x, y, n), axpy_scalar(a, x, y, n)); }
void cf_scale_f32(float *x, float a, int64_t n) { DISPATCH_VOID(scale_avx2(x, a, n), scale_scalar(x, a, n)); }
void cf_add_f32(const float *x, float *y, int64_t n) { DISPATCH_VOID(add_avx2(x, y, n), add_scalar(x, y, n)); }
void cf_mul_f32(const float *x, float *y, int64_t n) { DISPATCH_VOID(mul_avx2(x, y, n), mul_scalar(x, y, n)); }
float cf_sum_squares_f32(const float *x, int64_t n) { return cf_dot_f32(x, x, n); }
float cf_max_f32(const float *x, int64_t n) { DISPATCH(max_avx2(x, n), max_scalar(x, n)); }
float cf_exp_sub_sum_f32(float *x, float max, int64_t n) { DISPATCH(exp_sub_sum_avx2(x, max, n), exp_sub_sum_scalar(x, max, n)); }
void cf_silu_mul_f32(float *gate, const float *up, int64_t n) { DISPATCH_VOID(silu_mul_avx2(gate, up, n), silu_mul_scalar(gate, up, n)); }
void cf_gelu_mul_f32(float *gate, const float *up, int64_t n) { DISPATCH_VOID(gelu_mul_avx2(gate, up, n), gelu_mul_scalar(gate, up, n)); }
void cf_round_to_half_f32(float *x, int64_t n) { DISPATCH_VOID(round_to_half_avx2(x, n), round_to_half_scalar(x, n)); }
// Attention kernels take `simd` = 0 to force the scalar reference (tests compare the two bit for bit).
#define DISPATCH_ATTENTION(simd_call, scalar_call) if (simd) { DISPATCH_VOID(simd_call, scalar_call); } else scalar_call
void cf_dot_rows_f32(const float *q, const float *rows, int64_t stride, int64_t count, int64_t width, float scale,
                     float *scores, int order, int simd) {
    DISPATCH_ATTENTION(dot_rows_avx2(q, rows, stride, count, width, scale, scores, order),
                       dot_rows_scalar(q, rows, stride, count, width, scale, scores, order));
}
void cf_weighted_sum_lanes_f32(const float *weights, const float *rows, int64_t stride, int64_t count, int64_t width,
                               int64_t first_lane, float *acc, int order, int simd) {
    DISPATCH_ATTENTION(weighted_sum_lanes_avx2(weights, rows, stride, count, width, first_lane, acc, order),
                       weighted_sum_lanes_scalar(weights, rows, stride, count, width, first_lane, acc, order));
}
void cf_reduce_lanes_f32(const float *acc, int64_t width, float *out, int order, int simd) {
    DISPATCH_ATTENTION(reduce_lanes_avx2(acc, width, out, order), reduce_lanes_scalar(acc, width, out, order));
}
void cf_softmax_f32(float *x, int64_t n, int simd) { DISPATCH_ATTENTION(softmax_avx2(x, n), softmax_scalar(x, n)); }
