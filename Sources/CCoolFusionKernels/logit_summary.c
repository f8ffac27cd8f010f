// A row of next-token logits summarized for decoding: the greedy token, the two largest values and
// the sums a log-softmax and an entropy need, in three vectorized reads of the row (the maximum, the
// runner-up, the sums) instead of a scalar loop per question.
// Over a 262k vocabulary, asking "which token, its log-probability, how sure" with separate scalar
// loops and libm's exp cost about 5 ms per token, a quarter of a decode step (docs/ENGINE.md).
//
// The scalar version is the reference; the AVX2 one gives identical bits: maxima are exact in any
// order, and the sums use ggml's exp (cf_exp.h) on blocks of 8, each block's lanes added in the same
// tree ((l0+l4)+(l2+l6))+((l1+l5)+(l3+l7)) and the block sums added in double, in block order; the
// tail (n mod 8 values) uses libm's expf, one value at a time.
#include "cf_internal.h"
#include "cf_exp.h"
#include <math.h>

static float sum8_scalar(const float *a) { return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7])); }

// The largest of x[begin..<end] (−inf when empty); NaNs never win.
static float max_range_scalar(const float *x, int64_t begin, int64_t end) {
    float m = -INFINITY;
    for (int64_t i = begin; i < end; i++) if (x[i] > m) m = x[i];
    return m;
}

static void sums_tail(const float *x, int64_t i, int64_t n, float max, double *sum, double *weighted) {
    for (; i < n; i++) {
        const float d = x[i] - max, e = expf(d);
        *sum += (double)e;
        *weighted += (double)(e * d);
    }
}

static void sums_scalar(const float *x, int64_t n, float max, double *sum, double *weighted) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        float e[8], w[8];
        for (int k = 0; k < 8; k++) {
            const float d = x[i + k] - max;
            e[k] = exp_ggml_scalar(d);
            w[k] = e[k] * d;
        }
        *sum += (double)sum8_scalar(e);
        *weighted += (double)sum8_scalar(w);
    }
    sums_tail(x, i, n, max, sum, weighted);
}

// The first index holding `max` (−1 if none does: an empty row, or only NaNs).
static int64_t first_index_of(const float *x, int64_t n, float max) {
    for (int64_t i = 0; i < n; i++) if (x[i] == max) return i;
    return -1;
}

#if defined(__x86_64__)
#include "cf_avx2.h"

CF_AVX2 static float max_range_avx2(const float *x, int64_t begin, int64_t end) {
    __m256 m = _mm256_set1_ps(-INFINITY);
    int64_t i = begin;
    // max_ps returns its second operand when either is NaN: the running maximum, never the NaN.
    for (; i + 8 <= end; i += 8) m = _mm256_max_ps(_mm256_loadu_ps(x + i), m);
    float lanes[8];
    _mm256_storeu_ps(lanes, m);
    float result = max_range_scalar(x, i, end);
    for (int k = 0; k < 8; k++) if (lanes[k] > result) result = lanes[k];
    return result;
}

CF_AVX2 static void sums_avx2(const float *x, int64_t n, float max, double *sum, double *weighted) {
    const __m256 vmax = _mm256_set1_ps(max);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + i), vmax);
        const __m256 e = exp_ggml_avx2(d);
        *sum += (double)hsum_ps(e);
        *weighted += (double)hsum_ps(_mm256_mul_ps(e, d));
    }
    sums_tail(x, i, n, max, sum, weighted);
}
#define HAVE_SIMD (simd && cf_cpu_has_avx2_fma())
#else
#define HAVE_SIMD 0
#define max_range_avx2 max_range_scalar
#define sums_avx2 sums_scalar
#endif

static float max_range(const float *x, int64_t begin, int64_t end, int vector) {
    return vector ? max_range_avx2(x, begin, end) : max_range_scalar(x, begin, end);
}

// The largest value into *max, and the first index holding it.
static int64_t argmax_of(const float *x, int64_t n, int vector, float *max) {
    *max = max_range(x, 0, n, vector);
    return first_index_of(x, n, *max);
}

int64_t cf_argmax_f32(const float *x, int64_t n, int simd) {
    float max;
    return argmax_of(x, n, HAVE_SIMD, &max);
}

void cf_logit_summary_f32(const float *x, int64_t n, cf_logit_summary *out, int simd) {
    const int vector = HAVE_SIMD;
    float max;
    const int64_t argmax = argmax_of(x, n, vector, &max);
    out->max = max;
    out->argmax = argmax;
    out->second = -INFINITY;
    out->sum = 0;
    out->weighted = 0;
    if (argmax < 0) return;
    const float before = max_range(x, 0, argmax, vector), after = max_range(x, argmax + 1, n, vector);
    out->second = before > after ? before : after;
    if (!isfinite(max)) return;
    if (vector) sums_avx2(x, n, max, &out->sum, &out->weighted);
    else sums_scalar(x, n, max, &out->sum, &out->weighted);
}
