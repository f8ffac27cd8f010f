#!/usr/bin/env python3
# Tokenizer speed, Swift vs llama.cpp, on the same few MB of mixed text, one thread each.
#
# Pinned reference: llama-cpp-python==0.3.36 (the script refuses another version).
# Run from the repository root after `swift build -c release --product coolfusion`:
#   python3 scripts/bench_tokenizers.py [--megabytes 3] [--binary .build/release/coolfusion]
#
# The text: lines drawn (seeded) from the tokenizer corpus (prose, code, numbers, many scripts,
# emoji, whitespace) until it reaches the requested size, written to a temporary file; with
# --prose only its English prose lines. Both sides encode it in chunks of 20 lines without BOS and
# without parsing special tokens, best of 3. The last column checks both made the same tokens.
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

PINNED = "0.3.36"
MODELS = {
    "smollm2-135m": "SmolLM2-135M-Instruct.Q4_1.gguf",
    "gemma3-270m": "gemma-3-270m-q4_k_m.gguf",
    "qwen2.5-coder-0.5b": "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
}
LINES_PER_CHUNK = 20

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tokenizer_corpus  # noqa: E402


def mixed_text(megabytes, prose=False):
    rng = random.Random(1234)
    source = tokenizer_corpus.PROSE + tokenizer_corpus.CONTRACTIONS if prose else tokenizer_corpus.corpus()
    lines = [s for s in source if s.strip()]
    out, size = [], 0
    while size < megabytes * 1_000_000:
        line = rng.choice(lines).replace("\n", " ")
        out.append(line)
        size += len(line.encode("utf-8")) + 1
    return "\n".join(out) + "\n"


def chunks(text):
    lines = text.split("\n")
    return ["\n".join(lines[i:i + LINES_PER_CHUNK]) + ("\n" if i + LINES_PER_CHUNK < len(lines) else "")
            for i in range(0, len(lines), LINES_PER_CHUNK)]


def bench_llama(path, text, repeats=3):
    import llama_cpp
    llm = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False)
    pieces = [c.encode("utf-8") for c in chunks(text)]
    best, tokens = float("inf"), 0
    for _ in range(repeats):
        start = time.perf_counter()
        tokens = sum(len(llm.tokenize(p, add_bos=False, special=False)) for p in pieces)
        best = min(best, time.perf_counter() - start)
    return len(text.encode("utf-8")) / 1e6 / best, tokens


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=float, default=3.0)
    parser.add_argument("--prose", action="store_true", help="English prose lines only")
    parser.add_argument("--binary", default=".build/release/coolfusion")
    parser.add_argument("--models-dir", default=os.path.expanduser("~/.cache/coolfusion/models"))
    args = parser.parse_args()

    import llama_cpp
    if llama_cpp.__version__ != PINNED:
        sys.exit(f"llama-cpp-python {llama_cpp.__version__} found, {PINNED} required")

    text = mixed_text(args.megabytes, prose=args.prose)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as f:
        f.write(text)
        text_path = f.name
    kind = "English prose" if args.prose else "mixed"
    print(f"text: {len(text.encode('utf-8')) / 1e6:.2f} MB {kind}, chunks of {LINES_PER_CHUNK} lines, best of 3, one thread")
    print(f"{'model':<20} {'llama.cpp MB/s':>15} {'Swift MB/s':>11} {'ratio':>6}  tokens (llama.cpp / Swift)")
    try:
        for alias, filename in MODELS.items():
            path = os.path.join(args.models_dir, filename)
            llama_rate, llama_tokens = bench_llama(path, text)
            result = subprocess.run(
                [args.binary, "bench-tokenizer", "--model", path, "--lines-per-chunk", str(LINES_PER_CHUNK),
                 "--repeats", "3", "--json", text_path],
                check=True, capture_output=True, text=True)
            swift = json.loads(result.stdout)
            rate = swift["megabytesPerSecond"]
            print(f"{alias:<20} {llama_rate:>15.2f} {rate:>11.2f} {rate / llama_rate:>6.2f}  {llama_tokens} / {swift['tokens']}")
    finally:
        os.unlink(text_path)


if __name__ == "__main__":
    main()
