#!/usr/bin/env python3
# Side-by-side speed of the CoolFusion engine and llama.cpp on the default models.
#
# Run:  swift build -c release --product coolfusion && python3 scripts/bench_engine.py \
#           [--binary .build/release/coolfusion] [--threads 2] [--prompt-tokens 128] [--gen-tokens 64]
# Needs llama-cpp-python==0.3.36 (pinned: the script refuses any other version) and numpy.
# Both engines get the same thread count and the same prompt: BOS when the model adds one, then the
# tokens of `coolfusion bench`'s fixed text cycled to the requested length; decode is greedy.
# Prints prefill and decode tokens/s for each and the ratios ours / llama.cpp, the memory limit of
# decode (the read bandwidth `coolfusion bench` measured in the same run over the bytes a decoded token
# reads) and the share of it each engine reaches, and our peak RSS next to the file size. Run it on a quiet machine (check `uptime`): the numbers are shared-core sensitive.
# On a busy machine set OMP_WAIT_POLICY=PASSIVE: llama.cpp's OpenMP workers otherwise busy-wait and its
# decode drops to ~1 tok/s, which would flatter our ratios.
import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

PINNED = "0.3.36"
MODELS = {
    "smollm2-135m": "SmolLM2-135M-Instruct.Q4_1.gguf",
    "gemma3-270m": "gemma-3-270m-q4_k_m.gguf",
    "qwen2.5-coder-0.5b": "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    # Optional (not in the default --models): `coolfusion models fetch qwen2.5-coder-1.5b` first.
    "qwen2.5-coder-1.5b": "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
}
DEFAULT_MODELS = ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b"]
# Must equal BenchCommand.promptText in Sources/coolfusion/BenchCommand.swift.
PROMPT_TEXT = ("The history of science is the study of the development of science and scientific knowledge, "
               "including both the natural and social sciences. Science is a body of empirical, theoretical, and "
               "practical knowledge about the natural world, produced by scientists who emphasize the observation, "
               "explanation, and prediction of real-world phenomena.")


def ours(binary, alias, threads, prompt_tokens, gen_tokens):
    out = subprocess.run([binary, "bench", "--model", alias, "--threads", str(threads), "--prompt-tokens",
                          str(prompt_tokens), "--gen-tokens", str(gen_tokens), "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def reference(llama_cpp, path, threads, prompt_tokens, gen_tokens):
    llm = llama_cpp.Llama(model_path=path, n_ctx=prompt_tokens + gen_tokens + 16, n_batch=prompt_tokens,
                          n_threads=threads, n_threads_batch=threads, verbose=False)
    text = llm.tokenize(PROMPT_TEXT.encode(), add_bos=False, special=False)
    prompt = llm.tokenize(b"", add_bos=True, special=False)  # [BOS] when the model adds one, else []
    while len(prompt) < prompt_tokens:
        prompt.append(text[len(prompt) % len(text)])
    n_vocab = llm.n_vocab()

    def last_logits():
        return np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(n_vocab,))

    llm.eval(prompt[:8])  # warm-up: pages the weights in
    llm.reset()
    start = time.perf_counter()
    llm.eval(prompt)
    prefill = len(prompt) / (time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(gen_tokens):
        llm.eval([int(np.argmax(last_logits()))])
    decode = gen_tokens / (time.perf_counter() - start)
    return prefill, decode


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/coolfusion")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--prompt-tokens", type=int, default=128)
    parser.add_argument("--gen-tokens", type=int, default=64)
    parser.add_argument("--models", default=",".join(DEFAULT_MODELS))
    parser.add_argument("--model-dir", default=os.path.expanduser("~/.cache/coolfusion/models"))
    args = parser.parse_args()
    import llama_cpp
    if llama_cpp.__version__ != PINNED:
        sys.exit(f"llama-cpp-python {llama_cpp.__version__} found; this script is pinned to {PINNED}")
    print(f"load average before: {os.getloadavg()}")
    print(f"{'model':20} {'prefill ours':>13} {'llama.cpp':>10} {'ratio':>6}   {'decode ours':>12} {'llama.cpp':>10} {'ratio':>6}"
          f"   {'limit tok/s':>11} {'ours':>5} {'llama':>5}   {'peak RSS / file (MB)':>20}")
    for alias in args.models.split(","):
        mine = ours(args.binary, alias, args.threads, args.prompt_tokens, args.gen_tokens)
        ref_prefill, ref_decode = reference(llama_cpp, os.path.join(args.model_dir, MODELS[alias]), args.threads,
                                            args.prompt_tokens, args.gen_tokens)
        p, d = mine["prefillTokensPerSecond"], mine["decodeTokensPerSecond"]
        limit = mine["bandwidthLimitTokensPerSecond"]
        print(f"{alias:20} {p:13.1f} {ref_prefill:10.1f} {p / ref_prefill:6.2f}   {d:12.1f} {ref_decode:10.1f} {d / ref_decode:6.2f}"
              f"   {limit:11.0f} {d / limit:5.0%} {ref_decode / limit:5.0%}"
              f"   {mine['peakResidentMegabytes']:9.0f} / {mine['fileMegabytes']:.0f}", flush=True)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
