#!/usr/bin/env python3
# Kernel-vs-kernel speed: ggml's CPU vec_dot (from llama-cpp-python==0.3.36's bundled
# libggml-cpu.so) against CoolFusion's C kernels, on one long weight row that stays in L2, timed
# in CPU time of this thread (the machine is shared, so wall time is noisy).
#
# Run:  python3 scripts/kernels_vs_ggml.py
# Compiles Sources/CCoolFusionKernels with clang into a temporary shared library, quantizes the
# same f32 activations with each library's own quantizer, checks the dot products agree, and
# prints GB/s of weights and the ratio ours/ggml (> 1 means we are faster) per type.
import ctypes, random, struct, time

from ggml_libraries import load

ggml, ours = load()

class TypeTraitsCPU(ctypes.Structure):   # struct ggml_type_traits_cpu
    _fields_ = [("from_float", ctypes.c_void_p), ("vec_dot", ctypes.c_void_p),
                ("vec_dot_type", ctypes.c_int), ("nrows", ctypes.c_int64)]
ggml.ggml_get_type_traits_cpu.restype = ctypes.POINTER(TypeTraitsCPU)
VecDot = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.POINTER(ctypes.c_float), ctypes.c_size_t, ctypes.c_void_p,
                          ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
FromFloat = ctypes.CFUNCTYPE(None, ctypes.POINTER(ctypes.c_float), ctypes.c_void_p, ctypes.c_int64)
ours.cf_vec_dot.restype = ctypes.c_float
ours.cf_vec_dot.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
ours.cf_quantize_activation_row.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int]
ours.cf_activation_row_bytes.restype = ctypes.c_int64
ours.cf_activation_row_bytes.argtypes = [ctypes.c_int, ctypes.c_int64]

# name, ggml type id, elements per block, bytes per block, byte offsets of f16 scales
TYPES = [("Q4_0", 2, 32, 18, [0]), ("Q4_1", 3, 32, 20, [0, 2]), ("Q5_0", 6, 32, 22, [0]), ("Q5_1", 7, 32, 24, [0, 2]),
         ("Q8_0", 8, 32, 34, [0]), ("Q2_K", 10, 256, 84, [80, 82]), ("Q3_K", 11, 256, 110, [108]),
         ("Q4_K", 12, 256, 144, [0, 2]), ("Q5_K", 13, 256, 176, [0, 2]), ("Q6_K", 14, 256, 210, [208])]
n = 1 << 17          # elements per row: 64–180 KB of weights, in L2
calls = 300
rng = random.Random(7)
x = (ctypes.c_float * n)(*[rng.uniform(-1, 1) for _ in range(n)])
print(f"one row of {n} elements, {calls} calls, CPU time of this thread (best of 3)")
print(f"{'type':5}  {'ggml GB/s':>9}  {'ours GB/s':>9}  {'ours/ggml':>9}  dot ggml / ours")
for name, type_id, block_elems, block_bytes, scale_offsets in TYPES:
    blocks = n // block_elems
    weights = bytearray(rng.getrandbits(8) for _ in range(blocks * block_bytes))
    for b in range(blocks):
        for off in scale_offsets:
            weights[b * block_bytes + off: b * block_bytes + off + 2] = struct.pack("<e", rng.uniform(-0.05, 0.05))
    w = ctypes.create_string_buffer(bytes(weights), len(weights))
    traits = ggml.ggml_get_type_traits_cpu(type_id).contents
    ggml_dot = VecDot(traits.vec_dot)
    ggml_activations = ctypes.create_string_buffer(4 * n)
    FromFloat(ggml.ggml_get_type_traits_cpu(traits.vec_dot_type).contents.from_float)(x, ggml_activations, n)
    our_activations = ctypes.create_string_buffer(ours.cf_activation_row_bytes(type_id, n))
    ours.cf_quantize_activation_row(type_id, x, our_activations, n, 1)
    result = ctypes.c_float()
    best = {"ggml": 1e9, "ours": 1e9}
    for _ in range(3):
        start = time.thread_time()
        for _ in range(calls):
            ggml_dot(n, ctypes.byref(result), 0, w, 0, ggml_activations, 0, 1)
        best["ggml"] = min(best["ggml"], time.thread_time() - start)
        start = time.thread_time()
        for _ in range(calls):
            value = ours.cf_vec_dot(type_id, n, w, our_activations, 1)
        best["ours"] = min(best["ours"], time.thread_time() - start)
    rate = {k: len(weights) * calls / v / 1e9 for k, v in best.items()}
    print(f"{name:5}  {rate['ggml']:9.1f}  {rate['ours']:9.1f}  {rate['ours'] / rate['ggml']:9.2f}  {result.value:.3f} / {value:.3f}")
