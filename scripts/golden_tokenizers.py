#!/usr/bin/env python3
# Golden tokenizer outputs from llama.cpp, for the Swift parity tests.
#
# Pinned reference: llama-cpp-python==0.3.36 (pip install llama-cpp-python==0.3.36); the script
# refuses to run against another version.
#
# Run from the repository root:
#   python3 scripts/golden_tokenizers.py [--models-dir ~/.cache/coolfusion/models]
#
# Writes Tests/CoolFusionTokenizersTests/Golden/:
#   corpus.json              the corpus strings (scripts/tokenizer_corpus.py)
#   <alias>.json             per default model: llama.cpp's tokenize(text, add_bos=False,
#                            special=False) and special=True for every corpus string, plus the
#                            strings for which llama.cpp's own detokenize does not give back the input.
import argparse
import ctypes
import json
import os
import sys

PINNED = "0.3.36"
MODELS = {
    "smollm2-135m": "SmolLM2-135M-Instruct.Q4_1.gguf",
    "gemma3-270m": "gemma-3-270m-q4_k_m.gguf",
    "qwen2.5-coder-0.5b": "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
}

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tokenizer_corpus  # noqa: E402


def detokenize(llm, tokens):
    """llama.cpp's llama_detokenize, special tokens rendered, nothing removed."""
    import llama_cpp
    vocab = llama_cpp.llama_model_get_vocab(llm.model)
    array = (llama_cpp.llama_token * max(len(tokens), 1))(*tokens)
    size = 64 + 64 * len(tokens)
    buffer = ctypes.create_string_buffer(size)
    n = llama_cpp.llama_detokenize(vocab, array, len(tokens), buffer, size, False, True)
    if n < 0:
        raise RuntimeError("detokenize buffer too small")
    return buffer.raw[:n]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models-dir", default=os.path.expanduser("~/.cache/coolfusion/models"))
    parser.add_argument("--out", default="Tests/CoolFusionTokenizersTests/Golden")
    args = parser.parse_args()

    import llama_cpp
    if llama_cpp.__version__ != PINNED:
        sys.exit(f"llama-cpp-python {llama_cpp.__version__} found, {PINNED} required")

    corpus = tokenizer_corpus.corpus()
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "corpus.json"), "w", encoding="utf-8") as f:
        json.dump(corpus, f, ensure_ascii=False, separators=(",", ":"))

    for alias, filename in MODELS.items():
        llm = llama_cpp.Llama(model_path=os.path.join(args.models_dir, filename), vocab_only=True, verbose=False)
        plain, special, detok_differs = [], [], {}
        for index, text in enumerate(corpus):
            data = text.encode("utf-8")
            plain.append(llm.tokenize(data, add_bos=False, special=False))
            special.append(llm.tokenize(data, add_bos=False, special=True))
            for mode, tokens in (("plain", plain[-1]), ("special", special[-1])):
                back = detokenize(llm, tokens)
                if back != data:
                    detok_differs[f"{mode}:{index}"] = back.decode("utf-8", errors="replace")
        golden = {
            "model": filename,
            "llama_cpp_python": llama_cpp.__version__,
            "plain": plain,
            "special": special,
            "detokenize_differs": detok_differs,
        }
        with open(os.path.join(args.out, f"{alias}.json"), "w", encoding="utf-8") as f:
            json.dump(golden, f, ensure_ascii=False, separators=(",", ":"))
        print(f"{alias}: {len(corpus)} strings, {sum(map(len, plain))} tokens (plain), "
              f"{len(detok_differs)} detokenize differences")


if __name__ == "__main__":
    main()
