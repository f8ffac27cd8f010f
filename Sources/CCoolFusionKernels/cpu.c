#include "cf_kernels.h"
#include <unistd.h>

static int detect_avx2_fma(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
#else
    return 0;
#endif
}

int cf_cpu_has_avx2_fma(void) {
    // Detected once; a benign race at worst computes the same answer twice.
    static volatile int cached = -1;
    if (cached < 0) cached = detect_avx2_fma();
    return cached;
}

int cf_cpu_count(void) {
    const long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}
