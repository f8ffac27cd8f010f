#!/usr/bin/env python3
# Dumps llama.cpp's named intermediate tensors (attn_norm-0, Qcur-0, kq_soft_max-0, ffn_out-0,
# l_out-0, result_norm, result_output, ...) for one golden prompt, and compares them with the
# Swift engine's trace of the same prompt, op by op. A debugging aid for engine parity: it shows
# the first operation where the two computations part by more than rounding.
#
# Run:
#   python3 scripts/engine_trace.py dump ALIAS [PROMPT_INDEX] [OUT_DIR]     (llama.cpp side)
#   CF_TRACE_ALIAS=ALIAS CF_TRACE_PROMPT=0 CF_TRACE_OUT=/tmp/cf_trace/swift \
#     swift test -c release --scratch-path .build-rel --filter EngineTraceTests       (Swift side)
#   python3 scripts/engine_trace.py compare ALIAS [LLAMA_DIR] [SWIFT_DIR]
# Needs llama-cpp-python==0.3.36 (pinned: the script refuses any other version) and numpy.
# The prompt tokens come from Tests/CoolFusionEngineTests/Golden/<alias>.json, so both sides see
# exactly the same ids. The whole prompt is evaluated as one batch with logits for every token
# (as scripts/golden_engine.py does); with CF_TRACE_DECODE=1 (both sides) the dump is of the
# following single-token step (llama.cpp's first greedy token) instead.
import ctypes
import json
import os
import sys

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np

PINNED = "0.3.36"
THREADS = 2
N_CTX = 256
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
GOLDEN_DIR = os.path.join(ROOT, "Tests", "CoolFusionEngineTests", "Golden")
MODEL_DIR = os.path.expanduser("~/.cache/coolfusion/models")
GGML_F32, GGML_F16 = 0, 1
# CF_TRACE_DECODE=1: dump the single-token decode step after the prompt instead of the prompt batch.
DECODE = os.environ.get("CF_TRACE_DECODE") == "1"


def golden(alias):
    with open(os.path.join(GOLDEN_DIR, f"{alias}.json")) as f:
        return json.load(f)


def dump(alias, prompt_index, out_dir):
    import llama_cpp
    from llama_cpp import _internals as internals
    if llama_cpp.__version__ != PINNED:
        sys.exit(f"llama-cpp-python {llama_cpp.__version__} found; this script is pinned to {PINNED}")
    g = golden(alias)
    tokens = g["prompts"][prompt_index]["prompt_tokens"]
    base = ctypes.CDLL(os.path.join(os.path.dirname(llama_cpp.__file__), "lib", "libggml-base.so"))
    base.ggml_get_name.restype = ctypes.c_char_p
    base.ggml_get_name.argtypes = [ctypes.c_void_p]
    base.ggml_nbytes.restype = ctypes.c_size_t
    base.ggml_nbytes.argtypes = [ctypes.c_void_p]
    base.ggml_backend_tensor_get.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t]

    captured = {}   # name -> list of arrays (a name may be given to several tensors)

    def callback(tensor, ask, _user):
        if ask:
            return True   # we want every tensor's data
        # struct ggml_tensor: type (int32) @0, buffer @8, ne[4] int64 @16, nb[4] size_t @48.
        header = (ctypes.c_int64 * 10).from_address(tensor)
        kind = header[0] & 0xFFFFFFFF
        ne = [int(header[2 + i]) for i in range(4)]
        nb = [int(header[6 + i]) for i in range(4)]
        if kind not in (GGML_F32, GGML_F16):
            return True
        name = base.ggml_get_name(tensor).decode()
        size = base.ggml_nbytes(tensor)
        raw = (ctypes.c_uint8 * size)()
        base.ggml_backend_tensor_get(tensor, raw, 0, size)
        dtype = np.float32 if kind == GGML_F32 else np.float16
        array = np.lib.stride_tricks.as_strided(np.frombuffer(raw, dtype=dtype), shape=ne[::-1], strides=nb[::-1])
        captured.setdefault(name, []).append(np.array(array, dtype=np.float32))
        return True

    keep_alive = llama_cpp.ggml_backend_sched_eval_callback(callback)
    model_params = llama_cpp.llama_model_default_params()
    model = internals.LlamaModel(path_model=os.path.join(MODEL_DIR, g["model"]), params=model_params, verbose=False)
    params = llama_cpp.llama_context_default_params()
    params.n_ctx = N_CTX
    params.n_batch = N_CTX
    params.n_ubatch = N_CTX
    params.n_threads = THREADS
    params.n_threads_batch = THREADS
    params.flash_attn_type = llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED   # as llama_cpp.Llama's default
    params.cb_eval = keep_alive
    context = internals.LlamaContext(model=model, params=params, verbose=False)
    batch = internals.LlamaBatch(n_tokens=N_CTX, embd=0, n_seq_max=1, verbose=False)
    batch.set_batch(tokens, n_past=0, logits_all=True)
    context.decode(batch)
    if DECODE:
        # Keep only the tensors of one decode step: the first greedy token after the prompt.
        captured.clear()
        batch.set_batch([g["prompts"][prompt_index]["greedy_tokens"][0]], n_past=len(tokens), logits_all=True)
        context.decode(batch)

    os.makedirs(out_dir, exist_ok=True)
    arrays = {}
    for name, versions in captured.items():
        for k, a in enumerate(versions):
            arrays[f"{name}#{k}"] = a
    np.savez(os.path.join(out_dir, f"{alias}.npz"), **arrays)
    print(f"{len(arrays)} tensors for {len(tokens)} tokens -> {out_dir}/{alias}.npz", file=sys.stderr)


def load_swift(swift_dir, alias):
    """The Swift test writes <alias>/index.json ([{name, rows, cols, file}]) and raw f32 files."""
    folder = os.path.join(swift_dir, alias)
    with open(os.path.join(folder, "index.json")) as f:
        index = json.load(f)
    out = {}
    for entry in index:
        a = np.fromfile(os.path.join(folder, entry["file"]), dtype=np.float32).reshape(entry["rows"], entry["cols"])
        out.setdefault(entry["name"], []).append(a)
    return out


def compare(alias, llama_dir, swift_dir):
    ref = np.load(os.path.join(llama_dir, f"{alias}.npz"))
    ours = load_swift(swift_dir, alias)
    by_name = {}
    for key in ref.files:
        name, k = key.rsplit("#", 1)
        by_name.setdefault(name, []).append((int(k), ref[key]))
    for name, versions in ours.items():
        candidates = [a for _, a in sorted(by_name.get(name, []), key=lambda p: p[0])]
        for k, mine in enumerate(versions):
            best = None
            for a in candidates:
                flat = a.reshape(-1)
                if flat.size % mine.shape[1] != 0:
                    continue
                # llama.cpp keeps heads in separate dims: flatten to [rows][cols]; it may hold more
                # rows than we traced (logits of every prompt token): compare the last ones.
                a2 = flat.reshape(-1, mine.shape[1])[-mine.shape[0]:]
                if a2.shape != mine.shape:
                    continue
                diff = np.abs(a2 - mine)
                scale = np.abs(a2).mean() + 1e-30
                rel = diff.mean() / scale
                if best is None or rel < best[0]:
                    best = (rel, diff.max(), scale)
            label = name if len(versions) == 1 else f"{name}#{k}"
            if best is None:
                print(f"{label:24s} no llama.cpp tensor of {mine.shape} ({[a.shape for a in candidates]})")
            else:
                print(f"{label:24s} mean|Δ|/mean|x| {best[0]:.3e}  max|Δ| {best[1]:.3e}  mean|x| {best[2]:.3e}")


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("dump", "compare"):
        sys.exit(__doc__ or "usage: engine_trace.py dump|compare ALIAS ...")
    mode, alias = sys.argv[1], sys.argv[2]
    if mode == "dump":
        prompt = int(sys.argv[3]) if len(sys.argv) > 3 else 0
        out = sys.argv[4] if len(sys.argv) > 4 else "/tmp/cf_trace/llama"
        dump(alias, prompt, out)
    else:
        llama_dir = sys.argv[3] if len(sys.argv) > 3 else "/tmp/cf_trace/llama"
        swift_dir = sys.argv[4] if len(sys.argv) > 4 else "/tmp/cf_trace/swift"
        compare(alias, llama_dir, swift_dir)


if __name__ == "__main__":
    main()
