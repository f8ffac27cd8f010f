#!/usr/bin/env python3
# Golden dequantization vectors from ggml itself, for Tests/CoolFusionKernelsTests.
#
# Run:  python3 scripts/kernels_ggml_golden.py
# Needs llama-cpp-python==0.3.36 (checked below); calls ggml's exported dequantize_row_* /
# ggml_*_to_fp32_row from the libggml-base.so bundled with it, on seeded random blocks with
# realistic f16 scales, and writes Tests/CoolFusionKernelsTests/Golden/ggml_dequantize.bin:
#   repeated records: u32 ggml type id, u32 element count, u32 byte count, block bytes,
#   then element-count f32 values (little-endian).
import ctypes, os, random, struct, sys

PINNED = "0.3.36"
import llama_cpp
if llama_cpp.__version__ != PINNED:
    sys.exit(f"need llama-cpp-python=={PINNED}, found {llama_cpp.__version__}")

lib = ctypes.CDLL(os.path.join(os.path.dirname(llama_cpp.__file__), "lib", "libggml-base.so"))

# name, ggml type id, elements per block, bytes per block, byte offsets of f16 scale fields
TYPES = [
    ("f16", 1, 1, 2, None), ("bf16", 30, 1, 2, None),
    ("q4_0", 2, 32, 18, [0]), ("q4_1", 3, 32, 20, [0, 2]), ("q5_0", 6, 32, 22, [0]),
    ("q5_1", 7, 32, 24, [0, 2]), ("q8_0", 8, 32, 34, [0]),
    ("q2_K", 10, 256, 84, [80, 82]), ("q3_K", 11, 256, 110, [108]), ("q4_K", 12, 256, 144, [0, 2]),
    ("q5_K", 13, 256, 176, [0, 2]), ("q6_K", 14, 256, 210, [208]),
]

rng = random.Random(20261127)
out = bytearray()
for name, type_id, block_elems, block_bytes, scale_offsets in TYPES:
    count = 512 if block_elems == 1 else block_elems * (8 if block_elems == 32 else 4)
    nblocks = count // block_elems
    if scale_offsets is None:   # plain f16 / bf16 values in [-2, 2]
        if name == "f16":
            data = b"".join(struct.pack("<e", rng.uniform(-2, 2)) for _ in range(count))
        else:
            data = b"".join(struct.pack("<I", struct.unpack("<I", struct.pack("<f", rng.uniform(-2, 2)))[0])[2:] for _ in range(count))
    else:
        data = bytearray(rng.getrandbits(8) for _ in range(nblocks * block_bytes))
        for b in range(nblocks):
            for off in scale_offsets:
                data[b * block_bytes + off: b * block_bytes + off + 2] = struct.pack("<e", rng.uniform(-0.05, 0.05))
        data = bytes(data)
    src = ctypes.create_string_buffer(data, len(data))
    dst = (ctypes.c_float * count)()
    if name == "f16":
        lib.ggml_fp16_to_fp32_row(src, dst, ctypes.c_int64(count))
    elif name == "bf16":
        lib.ggml_bf16_to_fp32_row(src, dst, ctypes.c_int64(count))
    else:
        getattr(lib, f"dequantize_row_{name}")(src, dst, ctypes.c_int64(count))
    out += struct.pack("<III", type_id, count, len(data)) + data + struct.pack(f"<{count}f", *dst)

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "CoolFusionKernelsTests", "Golden", "ggml_dequantize.bin")
with open(path, "wb") as f:
    f.write(out)
print(f"wrote {len(out)} bytes to {os.path.normpath(path)}")
