#!/usr/bin/env python3
# Records llama.cpp reference outputs for the engine parity tests.
#
# Run:  python3 scripts/golden_engine.py [MODEL_DIR]   (default ~/.cache/coolfusion/models)
#       python3 scripts/golden_engine.py --long [MODEL_DIR]   (only the long-prompt golden, below)
#       python3 scripts/golden_engine.py --optional [MODEL_DIR]   (only the optional models: the 1.5B)
# Needs llama-cpp-python==0.3.36 (pinned: the script refuses any other version) and numpy.
# Writes Tests/CoolFusionEngineTests/Golden/<alias>.json for each default model (or, with
# --optional, each optional model, fetched first with `coolfusion models fetch`): for every prompt,
# its token ids (BOS added when the GGUF says so), llama.cpp's greedy 64-token continuation, the
# log-probability of each continuation token, and the log-probability of each prompt token after
# the first (teacher-forced, from the same batched evaluation).
# --long writes Golden/gemma3-270m-long.json: the teacher-forced log-probabilities of one prompt
# longer than Gemma-3's 512-token sliding window (so its window layers must drop early keys).
import json
import os
import sys

# llama.cpp's OpenMP workers busy-wait by default; on a shared machine that makes every token take
# seconds. Passive waiting changes no result, only the time.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np

PINNED = "0.3.36"
THREADS = 2
CONTINUATION = 64
N_CTX = 256

MODELS = {
    "smollm2-135m": "SmolLM2-135M-Instruct.Q4_1.gguf",
    "gemma3-270m": "gemma-3-270m-q4_k_m.gguf",
    "qwen2.5-coder-0.5b": "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
}

OPTIONAL_MODELS = {
    "qwen2.5-coder-1.5b": "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
}

PROMPTS = [
    "The capital of France is",
    "Once upon a time, in a small village by the sea,",
    "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n",
    "Question: What is 17 plus 25?\nAnswer:",
    "The three primary colors are",
    "Here is a list of fruits:\n1. Apple\n2.",
    "import numpy as np\n\n# Compute the mean of an array\narr = np.array([1, 2, 3, 4])\n",
    "Photosynthesis is the process by which",
    "The quick brown fox jumps over the lazy dog. The quick brown fox",
    "In 1969, Neil Armstrong became the first person to",
    "SELECT name, age FROM users WHERE",
    "Water boils at 100 degrees Celsius. At high altitude, water boils at",
    "My favourite recipe for pancakes needs flour, eggs,",
    "The theory of relativity, developed by Albert Einstein,",
    "<html>\n<head>\n<title>My page</title>\n</head>\n<body>\n",
    "Translate to French: 'Good morning, how are you?'\nFrench:",
    "Q: If all cats are animals and some animals are black, are all cats black?\nA:",
    "The mitochondria is often called the powerhouse of the cell because",
    "for (int i = 0; i < 10; i++) {\n",
    "Dear hiring manager,\n\nI am writing to apply for the position of",
    "Rust and Swift are both programming languages that",
    "The largest planet in our solar system is",
    "Step 1: Preheat the oven to 180°C.\nStep 2:",
    "A haiku about autumn:\n",
]


def log_softmax(row):
    row = row.astype(np.float64)
    m = row.max()
    return row - m - np.log(np.exp(row - m).sum())


def record(llama_cpp, path):
    llm = llama_cpp.Llama(model_path=path, n_ctx=N_CTX, n_batch=N_CTX, n_threads=THREADS,
                          n_threads_batch=THREADS, logits_all=True, verbose=False)
    entries = []
    for text in PROMPTS:
        prompt = llm.tokenize(text.encode("utf-8"), add_bos=True, special=False)
        assert len(prompt) + CONTINUATION <= N_CTX, text
        llm.reset()
        llm.eval(prompt)
        scores = np.array(llm.scores[: llm.n_tokens], dtype=np.float32)
        prompt_logprobs = [float(log_softmax(scores[i - 1])[prompt[i]]) for i in range(1, len(prompt))]
        generated, logprobs = [], []
        for _ in range(CONTINUATION):
            row = np.array(llm.scores[llm.n_tokens - 1], dtype=np.float32)
            token = int(np.argmax(row))
            generated.append(token)
            logprobs.append(float(log_softmax(row)[token]))
            llm.eval([token])
        entries.append({
            "text": text,
            "prompt_tokens": [int(t) for t in prompt],
            "prompt_logprobs": prompt_logprobs,
            "greedy_tokens": generated,
            "greedy_logprobs": logprobs,
        })
        print(f"  {len(prompt):3d} prompt tokens  {text[:40]!r}", file=sys.stderr)
    return entries


LONG_N_CTX = 1024
LONG_MIN_TOKENS = 700


def long_prompt_text(llm):
    """The numbered prompts, repeated until they make at least LONG_MIN_TOKENS tokens (BOS included)."""
    text = ""
    for i in range(100):
        text += f"{i + 1}. {PROMPTS[i % len(PROMPTS)]}\n"
        if len(llm.tokenize(text.encode("utf-8"), add_bos=True, special=False)) >= LONG_MIN_TOKENS:
            return text
    raise SystemExit("the long prompt stays under LONG_MIN_TOKENS tokens")


def record_long(llama_cpp, path):
    """One prompt past the sliding window, evaluated as one batch with logits for every token."""
    llm = llama_cpp.Llama(model_path=path, n_ctx=LONG_N_CTX, n_batch=LONG_N_CTX, n_ubatch=LONG_N_CTX,
                          n_threads=THREADS, n_threads_batch=THREADS, logits_all=True, verbose=False)
    text = long_prompt_text(llm)
    prompt = llm.tokenize(text.encode("utf-8"), add_bos=True, special=False)
    assert LONG_MIN_TOKENS <= len(prompt) <= LONG_N_CTX
    llm.reset()
    llm.eval(prompt)
    scores = np.array(llm.scores[: llm.n_tokens], dtype=np.float32)
    prompt_logprobs = [float(log_softmax(scores[i - 1])[prompt[i]]) for i in range(1, len(prompt))]
    print(f"  {len(prompt)} prompt tokens", file=sys.stderr)
    return {"text": text, "prompt_tokens": [int(t) for t in prompt], "prompt_logprobs": prompt_logprobs,
            "greedy_tokens": [], "greedy_logprobs": []}


def main():
    import llama_cpp
    if llama_cpp.__version__ != PINNED:
        sys.exit(f"llama-cpp-python {llama_cpp.__version__} found; this script is pinned to {PINNED}")
    args = [a for a in sys.argv[1:] if a not in ("--long", "--optional")]
    model_dir = args[0] if args else os.path.expanduser("~/.cache/coolfusion/models")
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "CoolFusionEngineTests", "Golden")
    os.makedirs(out_dir, exist_ok=True)
    if "--long" in sys.argv[1:]:
        filename = MODELS["gemma3-270m"]
        entry = record_long(llama_cpp, os.path.join(model_dir, filename))
        golden = {"model": filename, "llama_cpp_python": llama_cpp.__version__, "threads": THREADS,
                  "n_ctx": LONG_N_CTX, "prompts": [entry]}
        with open(os.path.join(out_dir, "gemma3-270m-long.json"), "w") as f:
            json.dump(golden, f, indent=1)
            f.write("\n")
        return
    for alias, filename in (OPTIONAL_MODELS if "--optional" in sys.argv[1:] else MODELS).items():
        print(alias, file=sys.stderr)
        entries = record(llama_cpp, os.path.join(model_dir, filename))
        golden = {
            "model": filename,
            "llama_cpp_python": llama_cpp.__version__,
            "threads": THREADS,
            "n_ctx": N_CTX,
            "prompts": entries,
        }
        with open(os.path.join(out_dir, f"{alias}.json"), "w") as f:
            json.dump(golden, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
