#!/usr/bin/env python3
"""Corrupted GGUF files through `coolfusion inspect --check`, standard library only.

Each case takes a real model file (default: SmolLM2, the smallest default model), damages its header
(metadata and tensor table) in one of several ways - bit flips, integer fields overwritten with
extreme values, bytes deleted or inserted (shifting everything after), a cut at a random offset. The
weights after the header are left as holes (a sparse file of the original size), so a case costs a
header's write, not the model's. `inspect --check` parses the file, loads the network and tokenizer as
every command does (`run`, `generate`, `serve`) and runs one token through it.

Cases go to one process in batches (--batch; starting the executable costs more than a case); a batch
that crashed or hung is run again one file per process to name the cases. Every case is counted:

- "loaded" / "rejected": the file loaded and ran, or was refused with a message naming it;
- "crash": killed by a signal or any other exit status (a trap, a force unwrap, a segfault);
- "hang": still running after --timeout seconds.

The script exits 1 when any case crashed or hung, and saves those cases under --keep.

    python3 scripts/fuzz_gguf.py --cases 10000
"""
import argparse
import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter

SCALAR_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
STRING, ARRAY = 8, 9


def header_length(data):
    """The offset of the tensor data: the end of the tensor table, aligned to general.alignment."""
    position = 0

    def read(fmt):
        nonlocal position
        values = struct.unpack_from("<" + fmt, data, position)
        position += struct.calcsize("<" + fmt)
        return values[0]

    def string():
        nonlocal position
        length = read("Q")
        text = data[position:position + length]
        position += length
        return text

    def value(kind):
        nonlocal position
        if kind == STRING:
            return string()
        if kind == ARRAY:
            item, count = read("I"), read("Q")
            return [value(item) for _ in range(count)] if item in (STRING, ARRAY) else skip(item, count)
        return struct.unpack_from("<" + {1: "B", 0: "B", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "B",
                                         10: "Q", 11: "q", 12: "d"}[kind], data, advance(SCALAR_SIZES[kind]))[0]

    def advance(size):
        nonlocal position
        position += size
        return position - size

    def skip(item, count):
        advance(SCALAR_SIZES[item] * count)
        return None

    assert data[:4] == b"GGUF", "not a GGUF file"
    position = 4
    read("I")
    tensors, entries = read("Q"), read("Q")
    alignment = 32
    for _ in range(entries):
        key = string()
        kind = read("I")
        parsed = value(kind)
        if key == b"general.alignment":
            alignment = parsed
    for _ in range(tensors):
        string()
        dims = read("I")
        advance(8 * dims + 4 + 8)
    return (position + alignment - 1) // alignment * alignment


def mutate(header, rng):
    """One damaged header and what was done to it."""
    data = bytearray(header)
    kind = rng.choice(["flip", "extreme", "delete", "insert", "cut"])
    if kind == "flip":
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif kind == "extreme":
        for _ in range(rng.randint(1, 3)):
            offset = rng.randrange(0, len(data) - 8)
            value = rng.choice([0, 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 62, 2 ** 63 - 1, 2 ** 64 - 1])
            width = rng.choice([4, 8])
            data[offset:offset + width] = (value % 2 ** (8 * width)).to_bytes(width, "little")
    elif kind == "delete":
        offset = rng.randrange(len(data))
        del data[offset:offset + rng.randint(1, 16)]
    elif kind == "insert":
        offset = rng.randrange(len(data))
        data[offset:offset] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    else:
        data = data[:rng.randrange(len(data))]
    return bytes(data), kind


def run(command, timeout):
    """(outcome, exit status, standard error) of one process: "clean" when it succeeded, or failed
    with exit status 1 and a message."""
    try:
        finished = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "hang", None, ""
    message = finished.stderr.decode(errors="replace").strip()
    if finished.returncode == 0 or (finished.returncode == 1 and message):
        return "clean", finished.returncode, message
    return "crash", finished.returncode, f"exit {finished.returncode}: {message[-300:]}"


def check_batch(binary, paths, timeout):
    """One outcome per path: "loaded", "rejected", "crash" or "hang" (with its message)."""
    outcome, _, message = run([binary, "inspect", "--check"] + paths, timeout * len(paths))
    if outcome == "clean":
        refused = {line.split(": ", 1)[0] for line in message.splitlines() if ": " in line}
        if len(paths) == 1 and message:
            refused = set(paths)
        return [("rejected", "") if path in refused else ("loaded", "") for path in paths]
    # Run each file alone to name the one(s) that crashed or hung.
    results = []
    for path in paths:
        single, status, text = run([binary, "inspect", "--check", path], timeout)
        results.append(((("rejected" if status == 1 else "loaded"), "") if single == "clean" else (single, text)))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--binary", default=None, help="coolfusion (default: .build/release, else .build/debug)")
    parser.add_argument("--model", default=os.path.join(os.environ.get("COOLFUSION_MODELS", os.path.expanduser(
        "~/.cache/coolfusion/models")), "SmolLM2-135M-Instruct.Q4_1.gguf"))
    parser.add_argument("--cases", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=120, help="seconds a case may take")
    parser.add_argument("--batch", type=int, default=100, help="cases per process")
    parser.add_argument("--keep", default="fuzz-failures", help="folder for the cases that crashed or hung")
    arguments = parser.parse_args()
    binary = arguments.binary
    for mode in ("release", "debug"):
        candidate = os.path.join(root, ".build", mode, "coolfusion")
        if binary is None and os.access(candidate, os.X_OK):
            binary = candidate
    if binary is None:
        sys.exit("no coolfusion binary: build it first")
    with open(arguments.model, "rb") as file:
        head = file.read(64 << 20)
    size = os.path.getsize(arguments.model)
    header = head[:header_length(head)]
    rng = random.Random(arguments.seed)
    outcomes, kinds, failures = Counter(), Counter(), []
    started = time.time()
    with tempfile.TemporaryDirectory() as scratch:
        for first in range(0, arguments.cases, arguments.batch):
            batch = []
            for case in range(first, min(first + arguments.batch, arguments.cases)):
                damaged, kind = mutate(header, rng)
                kinds[kind] += 1
                path = os.path.join(scratch, f"case-{case}.gguf")
                with open(path, "wb") as file:
                    file.write(damaged)
                    if kind != "cut":
                        file.truncate(size - len(header) + len(damaged))
                batch.append((case, kind, path, damaged))
            for (case, kind, path, damaged), (outcome, message) in zip(
                    batch, check_batch(binary, [entry[2] for entry in batch], arguments.timeout)):
                outcomes[outcome] += 1
                if outcome in ("crash", "hang"):
                    os.makedirs(arguments.keep, exist_ok=True)
                    kept = os.path.join(arguments.keep, f"case-{arguments.seed}-{case}.gguf")
                    with open(kept, "wb") as file:
                        file.write(damaged)
                    failures.append({"case": case, "kind": kind, "outcome": outcome, "message": message,
                                     "file": kept})
            for _, _, path, _ in batch:
                os.remove(path)
            done = min(first + arguments.batch, arguments.cases)
            if done % 1000 == 0 or done == arguments.cases:
                print(f"{done} cases in {time.time() - started:.0f} s: {dict(outcomes)}", file=sys.stderr, flush=True)
    print(json.dumps({"cases": arguments.cases, "seed": arguments.seed, "seconds": round(time.time() - started),
                      "mutations": dict(kinds), "outcomes": dict(outcomes), "failures": failures[:20]}))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
