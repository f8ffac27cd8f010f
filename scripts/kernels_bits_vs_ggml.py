#!/usr/bin/env python3
# Bit-identity of CoolFusion's K-quant kernels with ggml's CPU ones (llama-cpp-python==0.3.36's
# bundled libggml-cpu.so, x86-64 AVX2): the Q8_K activation quantizer, and ggml_vec_dot_q{4,5,6}_K_q8_K
# against cf_vec_dot on the same quantized activations. These are the products llama.cpp uses for
# batches below 8 rows of matrices it does not repack (k_quant_orders.c has the other orders,
# checked end to end by the engine's golden parity tests and scripts/engine_trace.py).
#
# Run:  python3 scripts/kernels_bits_vs_ggml.py
# Compiles Sources/CCoolFusionKernels with clang into a temporary shared library. Prints, per type,
# how many of the random rows differ in any bit (0 expected) and exits 1 if any does.
import ctypes, random, struct, sys

from ggml_libraries import load

ggml, ours = load()
for name in ["ggml_vec_dot_q4_K_q8_K", "ggml_vec_dot_q5_K_q8_K", "ggml_vec_dot_q6_K_q8_K"]:
    getattr(ggml, name).argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_float), ctypes.c_size_t, ctypes.c_void_p,
                                    ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
ggml.quantize_row_q8_K.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
ours.cf_vec_dot.restype = ctypes.c_float
ours.cf_vec_dot.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
ours.cf_quantize_activation_row.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int]

# ggml type id, block bytes, byte offsets of the f16 scales (d, dmin) to make finite.
TYPES = {"Q4_K": (12, 144, [0, 2]), "Q5_K": (13, 176, [0, 2]), "Q6_K": (14, 210, [208])}
Q8K_BYTES = 4 + 256 + 32
COLS, ROWS = 2048, 200
rng = random.Random(1)


def half(value):
    return struct.pack("<e", value)


def random_row(block_bytes, scale_offsets):
    row = bytearray(rng.getrandbits(8) for _ in range(COLS // 256 * block_bytes))
    for b in range(COLS // 256):
        for offset in scale_offsets:
            row[b * block_bytes + offset: b * block_bytes + offset + 2] = half(rng.uniform(1e-4, 2e-2))
    return bytes(row)


def activations():
    # Residual-stream-like: O(1) values with a few large outlier channels.
    x = [rng.uniform(-1, 1) * rng.choice([0.1, 1, 5]) for _ in range(COLS)]
    for c in (3, COLS // 3, COLS - 5):
        x[c] = rng.uniform(-800, 800)
    return (ctypes.c_float * COLS)(*x)


failed = False
quantizer_mismatches = 0
for name, (type_id, block_bytes, scale_offsets) in TYPES.items():
    differing = 0
    for _ in range(ROWS):
        x = activations()
        theirs_q8 = ctypes.create_string_buffer(COLS // 256 * Q8K_BYTES)
        ggml.quantize_row_q8_K(x, theirs_q8, COLS)
        mine_q8 = ctypes.create_string_buffer(COLS // 256 * Q8K_BYTES)
        ours.cf_quantize_activation_row(type_id, x, mine_q8, COLS, 1)
        for b in range(COLS // 256):   # ggml may flip the sign of d and of every q together
            t = theirs_q8.raw[b * Q8K_BYTES:(b + 1) * Q8K_BYTES]
            m = mine_q8.raw[b * Q8K_BYTES:(b + 1) * Q8K_BYTES]
            td, md = struct.unpack_from("<f", t)[0], struct.unpack_from("<f", m)[0]
            tq, mq = struct.unpack_from("<256b", t, 4), struct.unpack_from("<256b", m, 4)
            sign = -1 if td < 0 else 1
            if abs(td) != md or any(sign * a != b for a, b in zip(tq, mq)):
                quantizer_mismatches += 1
        w = random_row(block_bytes, scale_offsets)
        s = ctypes.c_float()
        getattr(ggml, f"ggml_vec_dot_{name.lower().replace('_k', '_K')}_q8_K")(COLS, ctypes.byref(s), 0, w, 0, theirs_q8, 0, 1)
        mine = ours.cf_vec_dot(type_id, COLS, w, theirs_q8, 1)
        if struct.pack("<f", mine) != struct.pack("<f", s.value):
            differing += 1
    print(f"{name}: vec_dot differs from ggml's in {differing}/{ROWS} rows")
    failed |= differing > 0
print(f"Q8_K quantizer: {quantizer_mismatches} blocks differ from ggml's (up to a shared sign)")
failed |= quantizer_mismatches > 0
sys.exit(1 if failed else 0)
