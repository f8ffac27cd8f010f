import CCoolFusionKernels

/// What the CPU can do, read once.
public enum CPUFeatures {
    /// True when AVX2 and FMA kernels can run on this machine.
    public static let hasAVX2FMA: Bool = cf_cpu_has_avx2_fma() != 0
}
