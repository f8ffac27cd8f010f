#!/usr/bin/env python3
# Same-conditions comparison of CoolFusion's matmul kernels with llama.cpp on the default models.
#
# Run:  swift build -c release --product coolfusion-kernels-bench && python3 scripts/kernels_vs_llama_models.py
# Needs llama-cpp-python==0.3.36 (checked). The build machine is shared, so both sides run on ONE
# thread and are timed in CPU time of that thread, back to back:
#   decode:  llama.cpp's whole decode step vs our matrix-vector products for one token
#            (every weight matrix once, output head included);
#   prefill: llama.cpp's 64-token prefill vs our 64-row products over every layer matrix.
# Ratios > 1 mean our kernels take less time than llama.cpp's whole step; llama.cpp's step also
# includes attention, norms and (decode) sampling overhead, which are small next to the matmuls.
import os, re, subprocess, sys, time

PINNED = "0.3.36"
import llama_cpp
if llama_cpp.__version__ != PINNED:
    sys.exit(f"need llama-cpp-python=={PINNED}, found {llama_cpp.__version__}")

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
bench = None
for scratch in (".build-rel", ".build"):
    candidate = os.path.join(root, scratch, "release", "coolfusion-kernels-bench")
    if os.path.exists(candidate):
        bench = candidate
        break
if bench is None:
    sys.exit("build it first: swift build -c release --product coolfusion-kernels-bench")

models = os.path.expanduser("~/.cache/coolfusion/models/")
files = ["SmolLM2-135M-Instruct.Q4_1.gguf", "gemma-3-270m-q4_k_m.gguf", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"]

def llama_times(path):
    model = llama_cpp.Llama(path, n_threads=1, n_threads_batch=1, n_ctx=512, n_batch=64, n_ubatch=64, verbose=False)
    tokens = model.tokenize(b"The quick brown fox jumps over the lazy dog. " * 20)[:64]
    prefill = 1e9
    for _ in range(3):
        model.reset()
        start = time.thread_time()
        model.eval(tokens)
        prefill = min(prefill, time.thread_time() - start)
    steps = 24
    start = time.thread_time()
    for i in range(steps):
        model.eval([tokens[i]])
    decode = (time.thread_time() - start) / steps
    return decode, prefill / 64

output = subprocess.run([bench, "--threads", "1", "--batch", "64", "--repeats", "10", *[models + f for f in files]],
                        capture_output=True, text=True, check=True).stdout
ours = {}
current = None
for line in output.splitlines():
    if line.endswith("of weights per token") or ".gguf:" in line:
        current = line.split(":")[0].strip()
    if m := re.search(r"CPU time of this thread per token ([\d.]+) ms", line):
        ours.setdefault(current, {})["decode"] = float(m.group(1)) / 1e3
    if m := re.search(r"per CPU-second of this thread: [\d.]+ GFLOP/s = ([\d.]+) tok/s", line):
        ours.setdefault(current, {})["prefill"] = 1 / float(m.group(1))

print(f"{'model':42} {'decode ms/token':>24} {'prefill ms/token':>24}")
print(f"{'':42} {'llama.cpp':>9} {'ours':>6} {'ratio':>7} {'llama.cpp':>9} {'ours':>6} {'ratio':>7}")
for f in files:
    decode, prefill = llama_times(models + f)
    o = ours.get(f, {})
    print(f"{f:42} {decode*1e3:9.2f} {o.get('decode', 0)*1e3:6.2f} {decode / o.get('decode', 1e9):7.2f}"
          f" {prefill*1e3:9.2f} {o.get('prefill', 0)*1e3:6.2f} {prefill / o.get('prefill', 1e9):7.2f}")
