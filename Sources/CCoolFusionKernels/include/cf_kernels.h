// CoolFusion kernels in C: code here can be compiled for AVX2/FMA per function with runtime
// dispatch, which Swift's default x86-64 target cannot do (see DESIGN.md §4).
#ifndef CF_KERNELS_H
#define CF_KERNELS_H

#include <stdint.h>
#include <stddef.h>

/// 1 when the CPU running this process supports AVX2 and FMA, else 0.
int cf_cpu_has_avx2_fma(void);

#endif
