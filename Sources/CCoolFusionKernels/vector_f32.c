// f32 vector helpers for attention, norms and activations: AVX2/FMA with a scalar fallback.
#include "cf_internal.h"
#include <math.h>

static float dot_scalar(const float *a, const float *b, int64_t n) {
    float s = 0.0f;
    for (int64_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

float cf_dot_f32(const float *a, const float *b, int64_t n) { return dot_scalar(a, b, n); }

void cf_axpy_f32(float a, const float *x, float *y, int64_t n) { for (int64_t i = 0; i < n; i++) y[i] += a * x[i]; }
void cf_scale_f32(float *x, float a, int64_t n) { for (int64_t i = 0; i < n; i++) x[i] *= a; }
void cf_add_f32(const float *x, float *y, int64_t n) { for (int64_t i = 0; i < n; i++) y[i] += x[i]; }
void cf_mul_f32(const float *x, float *y, int64_t n) { for (int64_t i = 0; i < n; i++) y[i] *= x[i]; }
float cf_sum_squares_f32(const float *x, int64_t n) { return dot_scalar(x, x, n); }

float cf_max_f32(const float *x, int64_t n) {
    float m = -INFINITY;
    for (int64_t i = 0; i < n; i++) m = fmaxf(m, x[i]);
    return m;
}

float cf_exp_sub_sum_f32(float *x, float max, int64_t n) {
    float s = 0.0f;
    for (int64_t i = 0; i < n; i++) { x[i] = expf(x[i] - max); s += x[i]; }
    return s;
}

void cf_silu_mul_f32(float *gate, const float *up, int64_t n) {
    for (int64_t i = 0; i < n; i++) gate[i] = gate[i] / (1.0f + expf(-gate[i])) * up[i];
}

void cf_gelu_mul_f32(float *gate, const float *up, int64_t n) {
    // gelu(x) = 0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³)))
    const float c = 0.7978845608028654f;
    for (int64_t i = 0; i < n; i++) {
        const float v = gate[i];
        gate[i] = 0.5f * v * (1.0f + tanhf(c * (v + 0.044715f * v * v * v))) * up[i];
    }
}
