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
#   preset-<name>.json       Qwen2.5's vocabulary with `tokenizer.ggml.pre` replaced by another preset
#                            name (a vocabulary-only copy of the GGUF written to a temporary file), so
#                            presets no default model uses are checked against llama.cpp too.
#   space-prefix.json        Gemma-3's vocabulary with `tokenizer.ggml.add_space_prefix` = true (as in
#                            Llama-2-style SPM models): tokens and detokenized text.
#   strip-phi3.json          Gemma-3's vocabulary with `general.name` = "Phi-3 strip test": llama.cpp
#                            then gives every special token the rstrip flag (as for Phi-3 models).
import argparse
import ctypes
import struct
import tempfile
import json
import os
import sys

PINNED = "0.3.36"
MODELS = {
    "smollm2-135m": "SmolLM2-135M-Instruct.Q4_1.gguf",
    "gemma3-270m": "gemma-3-270m-q4_k_m.gguf",
    "qwen2.5-coder-0.5b": "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
}

PRESETS = ["default", "gpt-2", "phi-2", "mpt", "llama-bpe", "starcoder", "deepseek-llm"]
PRESET_BASE = "qwen2.5-coder-0.5b"

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


def vocabulary_only_copy(src, dst, overrides, renamed_tokens=None):
    """Copies a GGUF's metadata (no tensors) with the string keys in `overrides` replaced and the
    vocabulary entries in `renamed_tokens` (old text → new text) renamed."""
    data = open(src, "rb").read()
    offset = 0

    def read(fmt):
        nonlocal offset
        value = struct.unpack_from("<" + fmt, data, offset)[0]
        offset += struct.calcsize("<" + fmt)
        return value

    sizes = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}

    def skip(kind):
        nonlocal offset
        if kind == 8:
            length = read("Q")
            offset += length
        elif kind == 9:
            element, count = read("I"), read("Q")
            if element in sizes:
                offset += sizes[element] * count
            else:
                for _ in range(count):
                    skip(element)
        else:
            offset += sizes[kind]

    if data[:4] != b"GGUF":
        raise ValueError(f"{src} is not a GGUF file")
    offset = 4
    version, _, n_kv = read("I"), read("Q"), read("Q")
    out = [struct.pack("<4sIQQ", b"GGUF", version, 0, n_kv)]
    for _ in range(n_kv):
        start = offset
        length = read("Q")
        key = data[offset:offset + length].decode()
        offset += length
        skip(read("I"))
        if key in overrides and isinstance(overrides[key], bool):
            k = key.encode()
            out.append(struct.pack("<Q", len(k)) + k + struct.pack("<IB", 7, int(overrides[key])))
        elif key in overrides:
            k, v = key.encode(), overrides[key].encode()
            out.append(struct.pack("<Q", len(k)) + k + struct.pack("<IQ", 8, len(v)) + v)
        elif key == "tokenizer.ggml.tokens" and renamed_tokens:
            cursor = start + 8 + len(key.encode()) + 4 + 4
            count = struct.unpack_from("<Q", data, cursor)[0]
            cursor += 8
            texts = []
            for _ in range(count):
                length = struct.unpack_from("<Q", data, cursor)[0]
                texts.append(data[cursor + 8:cursor + 8 + length].decode())
                cursor += 8 + length
            texts = [renamed_tokens.get(t, t) for t in texts]
            k = key.encode()
            body = b"".join(struct.pack("<Q", len(t.encode())) + t.encode() for t in texts)
            out.append(struct.pack("<Q", len(k)) + k + struct.pack("<IIQ", 9, 8, count) + body)
        else:
            out.append(data[start:offset])
    with open(dst, "wb") as f:
        f.write(b"".join(out))


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

    with tempfile.TemporaryDirectory() as tmp:
        for pre in PRESETS:
            path = os.path.join(tmp, f"{pre}.gguf")
            vocabulary_only_copy(os.path.join(args.models_dir, MODELS[PRESET_BASE]), path, {"tokenizer.ggml.pre": pre})
            llm = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False)
            plain = [llm.tokenize(text.encode("utf-8"), add_bos=False, special=False) for text in corpus]
            golden = {"base": MODELS[PRESET_BASE], "pre": pre, "llama_cpp_python": llama_cpp.__version__, "plain": plain}
            with open(os.path.join(args.out, f"preset-{pre}.json"), "w", encoding="utf-8") as f:
                json.dump(golden, f, ensure_ascii=False, separators=(",", ":"))
            print(f"preset {pre}: {sum(map(len, plain))} tokens")

        path = os.path.join(tmp, "phi3.gguf")
        # llama.cpp's Phi-3 rule needs <unk>, <s>, </s> and <|endoftext|>; Gemma lacks the last one,
        # so an unused control token takes its name.
        vocabulary_only_copy(os.path.join(args.models_dir, MODELS["gemma3-270m"]), path,
                             {"general.name": "Phi-3 strip test"}, {"<unused0>": "<|endoftext|>"})
        llm = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False)
        golden = {"base": MODELS["gemma3-270m"], "general.name": "Phi-3 strip test", "renamed": {"<unused0>": "<|endoftext|>"}, "llama_cpp_python": llama_cpp.__version__,
                  "plain": [llm.tokenize(t.encode("utf-8"), add_bos=False, special=False) for t in corpus],
                  "special": [llm.tokenize(t.encode("utf-8"), add_bos=False, special=True) for t in corpus]}
        with open(os.path.join(args.out, "strip-phi3.json"), "w", encoding="utf-8") as f:
            json.dump(golden, f, ensure_ascii=False, separators=(",", ":"))
        print(f"strip-phi3: {sum(map(len, golden['plain']))} tokens (plain)")

        path = os.path.join(tmp, "space-prefix.gguf")
        vocabulary_only_copy(os.path.join(args.models_dir, MODELS["gemma3-270m"]), path,
                             {"tokenizer.ggml.add_space_prefix": True})
        llm = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False)
        plain = [llm.tokenize(t.encode("utf-8"), add_bos=False, special=False) for t in corpus]
        special = [llm.tokenize(t.encode("utf-8"), add_bos=False, special=True) for t in corpus]
        golden = {"base": MODELS["gemma3-270m"], "tokenizer.ggml.add_space_prefix": True,
                  "llama_cpp_python": llama_cpp.__version__, "plain": plain, "special": special,
                  "detokenized_special": [detokenize(llm, tokens).decode("utf-8", errors="replace") for tokens in special]}
        with open(os.path.join(args.out, "space-prefix.json"), "w", encoding="utf-8") as f:
            json.dump(golden, f, ensure_ascii=False, separators=(",", ":"))
        print(f"space-prefix: {sum(map(len, plain))} tokens (plain)")


if __name__ == "__main__":
    main()
