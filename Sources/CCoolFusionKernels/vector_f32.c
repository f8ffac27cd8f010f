// f32 vector helpers for attention, norms and activations: AVX2/FMA with a scalar fallback.
// Each public function dispatches once per call on the cached CPU check.
#include "cf_internal.h"
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
static void silu_mul_scalar(float *gate, const float *up, int64_t n) {
    for (int64_t i = 0; i < n; i++) gate[i] = gate[i] / (1.0f + expf(-gate[i])) * up[i];
}
// GELU (tanh approximation) as ggml computes it on CPU: through a table indexed by the f16 bits
// of the input, holding f16(gelu(x)); inputs at or below −10 give 0 and at or above 10 give x.
// So gelu(x) = f16(gelu_f32(f16(x))): llama.cpp's Gemma activations carry that rounding, and
// matching it removes a systematic ~2^-12 relative difference per FFN element.
#define GELU_COEF_A 0.044715f
#define SQRT_2_OVER_PI 0.79788456080286535587989211986876f
static cf_half gelu_table[1 << 16];
static pthread_once_t gelu_table_once = PTHREAD_ONCE_INIT;

static float gelu_f32(float x) {
    return 0.5f * x * (1.0f + tanhf(SQRT_2_OVER_PI * x * (1.0f + GELU_COEF_A * x * x)));
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

static void dot_rows_scalar(const float *q, const float *rows, int64_t stride, int64_t count, int64_t width,
                            float scale, float *scores) {
    for (int64_t t = 0; t < count; t++) scores[t] = dot_scalar(q, rows + t * stride, width) * scale;
}
static void weighted_sum_rows_scalar(const float *weights, const float *rows, int64_t stride, int64_t count,
                                     int64_t width, float *out) {
    for (int64_t t = 0; t < count; t++) axpy_scalar(weights[t], rows + t * stride, out, width);
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

CF_AVX2 static void silu_mul_avx2(float *gate, const float *up, int64_t n) {
    const __m256 one = _mm256_set1_ps(1.0f);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 g = _mm256_loadu_ps(gate + i);
        const __m256 e = exp_avx2(_mm256_sub_ps(_mm256_setzero_ps(), g));
        _mm256_storeu_ps(gate + i, _mm256_mul_ps(_mm256_div_ps(g, _mm256_add_ps(one, e)), _mm256_loadu_ps(up + i)));
    }
    silu_mul_scalar(gate + i, up + i, n - i);
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

// Attention scores: one query against `count` key rows. Rows are short (a head, 64–256
// floats), so per-call overhead matters; two rows share each load of the query. Every row
// follows dot_avx2 operation for operation (four chains stepping 32, one chain for the rest,
// the same horizontal sum), so a score is bit for bit `dot(q, row) * scale` whatever `count`
// is: a batched prefill then rounds exactly like token-by-token decoding.
CF_AVX2 static void dot_rows_avx2(const float *q, const float *rows, int64_t stride, int64_t count, int64_t width,
                                  float scale, float *scores) {
    int64_t t = 0;
    for (; t + 2 <= count; t += 2) {
        const float *ra = rows + t * stride, *rb = ra + stride;
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
        __m256 b0 = _mm256_setzero_ps(), b1 = _mm256_setzero_ps(), b2 = _mm256_setzero_ps(), b3 = _mm256_setzero_ps();
        int64_t i = 0;
        for (; i + 32 <= width; i += 32) {
            const __m256 q0 = _mm256_loadu_ps(q + i), q1 = _mm256_loadu_ps(q + i + 8);
            const __m256 q2 = _mm256_loadu_ps(q + i + 16), q3 = _mm256_loadu_ps(q + i + 24);
            a0 = _mm256_fmadd_ps(q0, _mm256_loadu_ps(ra + i), a0);
            a1 = _mm256_fmadd_ps(q1, _mm256_loadu_ps(ra + i + 8), a1);
            a2 = _mm256_fmadd_ps(q2, _mm256_loadu_ps(ra + i + 16), a2);
            a3 = _mm256_fmadd_ps(q3, _mm256_loadu_ps(ra + i + 24), a3);
            b0 = _mm256_fmadd_ps(q0, _mm256_loadu_ps(rb + i), b0);
            b1 = _mm256_fmadd_ps(q1, _mm256_loadu_ps(rb + i + 8), b1);
            b2 = _mm256_fmadd_ps(q2, _mm256_loadu_ps(rb + i + 16), b2);
            b3 = _mm256_fmadd_ps(q3, _mm256_loadu_ps(rb + i + 24), b3);
        }
        for (; i + 8 <= width; i += 8) {
            const __m256 qv = _mm256_loadu_ps(q + i);
            a0 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(ra + i), a0);
            b0 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(rb + i), b0);
        }
        const float sa = hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3))) + dot_scalar(q + i, ra + i, width - i);
        const float sb = hsum(_mm256_add_ps(_mm256_add_ps(b0, b1), _mm256_add_ps(b2, b3))) + dot_scalar(q + i, rb + i, width - i);
        scores[t] = sa * scale;
        scores[t + 1] = sb * scale;
    }
    for (; t < count; t++) scores[t] = dot_avx2(q, rows + t * stride, width) * scale;
}

// out += Σ_t weights[t] · row_t: the attention output. `out` stays in registers for widths up
// to 256 (a head); wider rows go through axpy.
CF_AVX2 static void weighted_sum_rows_avx2(const float *weights, const float *rows, int64_t stride, int64_t count,
                                           int64_t width, float *out) {
    if (width % 8 != 0 || width > 256) {
        for (int64_t t = 0; t < count; t++) axpy_avx2(weights[t], rows + t * stride, out, width);
        return;
    }
    __m256 acc[32];
    const int64_t lanes = width / 8;
    for (int64_t k = 0; k < lanes; k++) acc[k] = _mm256_loadu_ps(out + 8 * k);
    for (int64_t t = 0; t < count; t++) {
        const __m256 w = _mm256_set1_ps(weights[t]);
        const float *row = rows + t * stride;
        for (int64_t k = 0; k < lanes; k++) acc[k] = _mm256_fmadd_ps(w, _mm256_loadu_ps(row + 8 * k), acc[k]);
    }
    for (int64_t k = 0; k < lanes; k++) _mm256_storeu_ps(out + 8 * k, acc[k]);
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
void cf_dot_rows_f32(const float *q, const float *rows, int64_t stride, int64_t count, int64_t width, float scale, float *scores) {
    DISPATCH_VOID(dot_rows_avx2(q, rows, stride, count, width, scale, scores), dot_rows_scalar(q, rows, stride, count, width, scale, scores));
}
void cf_weighted_sum_rows_f32(const float *weights, const float *rows, int64_t stride, int64_t count, int64_t width, float *out) {
    DISPATCH_VOID(weighted_sum_rows_avx2(weights, rows, stride, count, width, out), weighted_sum_rows_scalar(weights, rows, stride, count, width, out));
}
