#!/usr/bin/env python3
# How much llama.cpp disagrees with itself on teacher-forced log-probabilities when only the batch
# split changes: the noise floor any engine's scores have against llama.cpp's.
#
# Run:  python3 scripts/llama_self_consistency.py [--models a,b] [--model-dir DIR] [--out FILE]
# Needs llama-cpp-python==0.3.36 (pinned) and numpy. Uses the prompts of scripts/golden_engine.py
# (and its long prompt for Gemma-3). For each prompt it evaluates the tokens three ways on the same
# Llama object: (A) one batch, as the golden files record; (B) the first token, then the rest in one
# batch, as the engine tests score (Session.append + Session.score); (C) one token at a time, as
# decoding does. Prints |A - B| and |A - C| per token (mean, p50, p90, p99, max) for each model.
# --write-golden also writes Tests/CoolFusionEngineTests/Golden/<alias>-stepwise.json: the tokens and
# the (C) log-probabilities of every prompt, which the engine's batch-invariant scoring is tested
# against (GoldenParityTests+ScoringPrecision.swift): that mode computes every row as a single-token pass would.
import argparse
import json
import os
import sys

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden_engine  # noqa: E402  (PROMPTS, MODELS, log_softmax, the long prompt's construction)


def logprobs(llm, tokens, splits):
    """Teacher-forced log-probs of tokens[1:], evaluating `tokens` in batches of the given sizes."""
    llm.reset()
    start = 0
    for size in splits:
        llm.eval(tokens[start:start + size])
        start += size
    assert start == len(tokens)
    scores = np.array(llm.scores[: llm.n_tokens], dtype=np.float32)
    return np.array([golden_engine.log_softmax(scores[i - 1])[tokens[i]] for i in range(1, len(tokens))])


def summary(values):
    v = np.sort(np.abs(np.concatenate(values)))
    q = lambda p: float(v[min(len(v) - 1, int(round((len(v) - 1) * p)))])
    return {"n": int(len(v)), "mean": float(v.mean()), "p50": q(0.5), "p90": q(0.9), "p99": q(0.99), "max": float(v[-1])}


def main():
    import llama_cpp
    if llama_cpp.__version__ != golden_engine.PINNED:
        sys.exit(f"llama-cpp-python {llama_cpp.__version__} found; this script is pinned to {golden_engine.PINNED}")
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default="smollm2-135m,gemma3-270m,qwen2.5-coder-0.5b")
    parser.add_argument("--model-dir", default=os.path.expanduser("~/.cache/coolfusion/models"))
    parser.add_argument("--out")
    parser.add_argument("--write-golden", action="store_true")
    args = parser.parse_args()
    files = {**golden_engine.MODELS, **golden_engine.OPTIONAL_MODELS}
    report = {}
    for alias in args.models.split(","):
        llm = llama_cpp.Llama(model_path=os.path.join(args.model_dir, files[alias]), n_ctx=1024, n_batch=1024,
                              n_ubatch=1024, n_threads=golden_engine.THREADS, n_threads_batch=golden_engine.THREADS,
                              logits_all=True, verbose=False)
        texts = list(golden_engine.PROMPTS) + ([golden_engine.long_prompt_text(llm)] if alias == "gemma3-270m" else [])
        split, single, stepwise = [], [], []
        for text in texts:
            tokens = llm.tokenize(text.encode("utf-8"), add_bos=True, special=False)
            a = logprobs(llm, tokens, [len(tokens)])
            c = logprobs(llm, tokens, [1] * len(tokens))
            split.append(a - logprobs(llm, tokens, [1, len(tokens) - 1]))
            single.append(a - c)
            stepwise.append({"text": text, "prompt_tokens": [int(t) for t in tokens],
                             "prompt_logprobs": [float(x) for x in c], "greedy_tokens": [], "greedy_logprobs": []})
        if args.write_golden:
            out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "CoolFusionEngineTests", "Golden")
            with open(os.path.join(out_dir, f"{alias}-stepwise.json"), "w") as f:
                json.dump({"model": files[alias], "llama_cpp_python": llama_cpp.__version__, "threads": golden_engine.THREADS,
                           "n_ctx": 1024, "prompts": stepwise}, f)
        report[alias] = {"first_then_rest": summary(split), "one_at_a_time": summary(single)}
        for name, s in report[alias].items():
            print(f"{alias:20s} one batch vs {name:16s} |Δ logprob| n {s['n']} mean {s['mean']:.4f} p50 {s['p50']:.4f} "
                  f"p90 {s['p90']:.4f} p99 {s['p99']:.4f} max {s['max']:.4f}", flush=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"llama_cpp_python": llama_cpp.__version__, "threads": golden_engine.THREADS, "models": report}, f, indent=1)


if __name__ == "__main__":
    main()
