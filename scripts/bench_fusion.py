#!/usr/bin/env python3
# Benchmark of the Cool-Fusion decoder against the single models it fuses.
#
# Run (after `swift build -c release`):
#   python3 scripts/bench_fusion.py [--binary .build/release/coolfusion] [--max-tokens 32] [--sequential]
#                                   [--threads N] [--method gated [--leader M] [--gate-threshold X] [--no-draft-check]]
#
# With --method gated it also prints gated time / the leader alone's time for as many tokens as the
# leader committed (the cost of gating), and the share of segments that went to a full fusion step.
#
# For each fixed prompt it runs `coolfusion generate --json` with the three default models (method
# cool), then each model alone (`--method single`) for exactly as many tokens as that model committed
# in the fused output, and prints: fused time / sum of the single models' times (goal <= 1.2 on a
# 2-core machine, not reached: docs/ARCHITECTURE.md; the paper's ideal with k parallel workers is the
# slowest model's time), and the share of segments each model won. Times are the generation times the CLI reports (model loading
# excluded). Then a profile: per model, fused and alone, its passes, rows, output rows and seconds in passes
# (of them on output rows), and with --sequential the fused run's excess over the singles split into
# layers, output rows and time outside any pass (docs/ARCHITECTURE.md, "What a fused step costs").
# Needs only Python 3's standard library; no reference engine is involved.
import argparse
import json
import subprocess
import sys

MODELS = ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b"]
PROMPTS = [
    "The capital of France is",
    "Question: Tom has 3 apples and buys 5 more. How many apples does he have?\nAnswer:",
    "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n",
    "Once upon a time, in a small village by the sea,",
]


def generate(binary, models, prompt, method, max_tokens, sequential, threads=None, extra=()):
    command = [binary, "generate", "--json", "--method", method, "--max-tokens", str(max_tokens)] + list(extra)
    if threads is not None:
        command += ["--threads", str(threads)]
    for model in models:
        command += ["--model", model]
    if sequential:
        command.append("--sequential")
    command.append(prompt)
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--binary", default=".build/release/coolfusion")
    parser.add_argument("--max-tokens", type=int, default=32)
    parser.add_argument("--sequential", action="store_true", help="run the fused models one at a time")
    parser.add_argument("--threads", type=int, help="each fused model's own threads (singles: all cores)")
    parser.add_argument("--prompts", type=int, default=len(PROMPTS), help="use the first N prompts")
    parser.add_argument("--method", default="cool", choices=["cool", "gated"])
    parser.add_argument("--leader", default=MODELS[-1], help="gated: the leader (default: the last model)")
    parser.add_argument("--gate-threshold", type=float, help="gated: the threshold (default: the CLI's)")
    parser.add_argument("--no-draft-check", action="store_true",
                        help="gated: followers generate a pass per token instead of checking the leader's segment first")
    args = parser.parse_args()
    extra = []
    if args.method == "gated":
        extra = ["--leader", args.leader] + ([] if args.gate_threshold is None else ["--gate-threshold", str(args.gate_threshold)])
        extra += ["--no-draft-check"] if args.no_draft_check else []
    leader_index = MODELS.index(args.leader) if args.method == "gated" else None
    gated_total = leader_total = 0.0
    gated_traffic = 0
    fused_segments = 0

    total_fused = 0.0
    total_singles = 0.0
    comparable = 0
    won = [0] * len(MODELS)
    segments = 0
    generated = [0] * len(MODELS)
    committed = [0] * len(MODELS)
    from_draft = [0] * len(MODELS)
    fused_passes = [0] * len(MODELS)
    single_passes = [0] * len(MODELS)
    bytes_per_pass = [0] * len(MODELS)
    leader_alone_passes = 0
    # The profile, summed over the prompts where every model alone reached the fused length: per model
    # (fused run, and alone) the work counts and seconds `generate --json` reports.
    profile_fields = ["forwardPasses", "forwardRows", "outputRows", "forwardSeconds", "outputSeconds"]
    fused_profile = [[0.0] * len(profile_fields) for _ in MODELS]
    single_profile = [[0.0] * len(profile_fields) for _ in MODELS]
    print(f"models: {', '.join(MODELS)}; max tokens {args.max_tokens}; "
          f"{'sequential' if args.sequential else 'concurrent'} fused steps; "
          f"{f'{args.threads} threads per fused model' if args.threads else 'one shared pool'}")
    for prompt in PROMPTS[: args.prompts]:
        fused = generate(args.binary, MODELS, prompt, args.method, args.max_tokens, args.sequential, args.threads, extra)
        stats = fused["stats"]
        single_times = []
        single_passes_now = [0] * len(MODELS)
        single_stats = [None] * len(MODELS)
        notes = []
        for index, model in enumerate(MODELS):
            length = stats["committedTokens"][index]
            if length == 0:
                single_times.append(0.0)
                continue
            single = generate(args.binary, [model], prompt, "single", length, False)
            single_passes[index] += (single["stats"].get("forwardPasses") or [0])[0]
            single_passes_now[index] = (single["stats"].get("forwardPasses") or [0])[0]
            bytes_per_pass[index] = (single["stats"].get("weightBytesPerPass") or [0])[0]
            seconds = single["stats"]["seconds"]
            produced = single["stats"]["committedTokens"][0]
            if 0 < produced < length:
                # The model alone ended early, so the lengths differ: the prompt is shown but left
                # out of the summary ratio.
                notes.append(f"{model} alone ended after {produced} of {length} tokens; not in the summary ratio")
            single_times.append(seconds)
            single_stats[index] = single["stats"]
        ratio = stats["seconds"] / sum(single_times) if sum(single_times) > 0 else float("nan")
        if leader_index is not None:
            fused_segments += stats.get("fusedSegments") or 0
            if single_times[leader_index] > 0:
                gated_total += stats["seconds"]
                leader_total += single_times[leader_index]
                gated_traffic += sum(p * b for p, b in zip(stats.get("forwardPasses") or [], stats.get("weightBytesPerPass") or []))
                leader_alone_passes += single_passes_now[leader_index]
                print(f"  gated / {args.leader} alone: {stats['seconds'] / single_times[leader_index]:.2f}; "
                      f"fused segments {stats.get('fusedSegments')} of {stats['segments']}")
        if not notes:
            total_fused += stats["seconds"]
            total_singles += sum(single_times)
            comparable += 1
            for index in range(len(MODELS)):
                for k, field in enumerate(profile_fields):
                    fused_profile[index][k] += (stats.get(field) or [0] * len(MODELS))[index]
                    if single_stats[index] is not None:
                        single_profile[index][k] += (single_stats[index].get(field) or [0])[0]
        segments += stats["segments"]
        for index in range(len(MODELS)):
            won[index] += stats["segmentsWon"][index]
            generated[index] += stats["tokensGenerated"][index]
            committed[index] += stats["committedTokens"][index]
            from_draft[index] += (stats.get("tokensFromDraft") or [0] * len(MODELS))[index]
            fused_passes[index] += (stats.get("forwardPasses") or [0] * len(MODELS))[index]
        print(f"\nprompt {prompt!r}")
        print(f"  fused text {fused['text']!r}")
        print(f"  fused {stats['seconds']:.2f} s, {stats['segments']} segments, committed tokens "
              f"{stats['committedTokens']}; singles " + ", ".join(f"{t:.2f} s" for t in single_times)
              + f" (sum {sum(single_times):.2f} s); ratio {ratio:.2f}")
        for note in notes:
            print(f"  note: {note}")
    print("\nsummary")
    if total_singles > 0:
        print(f"  fused time / sum of single times, over the {comparable} prompts where every model alone "
              f"reached the fused length: {total_fused:.2f} / {total_singles:.2f} = "
              f"{total_fused / total_singles:.2f}  (goal <= 1.2)")
    else:
        print("  no prompt where every model alone reached the fused length")
    if leader_index is not None and leader_total > 0:
        print(f"  gated time / {args.leader} alone: {gated_total:.2f} / {leader_total:.2f} = "
              f"{gated_total / leader_total:.2f}; fused segments {fused_segments} of {segments} "
              f"({100 * fused_segments / max(segments, 1):.0f}%)  (goal <= 1.3)")
    print("  segments won: " + ", ".join(
        f"{model} {count} ({100 * count / max(segments, 1):.0f}%)" for model, count in zip(MODELS, won)))
    print("  tokens generated / committed per model: " + ", ".join(
        f"{model} {g}/{c}" for model, g, c in zip(MODELS, generated, committed)))
    # Passes are the work behind the times (each streams the model's weights once), free of their noise.
    print("  forward passes per model, fused / each alone: " + ", ".join(
        f"{model} {f}/{a}" for model, f, a in zip(MODELS, fused_passes, single_passes)))
    # Weight traffic: passes times the bytes a pass streams (over all prompts, early-ending ones included).
    fused_bytes = sum(p * b for p, b in zip(fused_passes, bytes_per_pass))
    singles_bytes = sum(p * b for p, b in zip(single_passes, bytes_per_pass))
    if singles_bytes > 0 and leader_index is None:
        print(f"  weight traffic, fused / sum of the singles': {fused_bytes / 1e9:.1f} / {singles_bytes / 1e9:.1f} GB "
              f"= {fused_bytes / singles_bytes:.2f}")
    if leader_index is not None and leader_alone_passes > 0:
        alone_bytes = leader_alone_passes * bytes_per_pass[leader_index]
        print(f"  weight traffic, gated / {args.leader} alone: {gated_traffic / 1e9:.1f} / {alone_bytes / 1e9:.1f} GB "
              f"= {gated_traffic / alone_bytes:.2f}")
    if leader_index is not None:
        print("  of those generated, taken from the check of the leader's segment: " + ", ".join(
            f"{model} {d}" for model, d in zip(MODELS, from_draft)))
    if total_singles > 0:
        print_profile(fused_profile, single_profile, total_fused, total_singles, args.sequential)
    return 0


def print_profile(fused, single, fused_wall, singles_wall, sequential):
    """Where the fused run's time went against the singles', over the comparable prompts: per model its
    passes, rows, output rows (the rows whose distribution was computed: an output-head product over
    the whole vocabulary and a softmax each), seconds in passes and the part on output rows; then the
    fused run's excess over the sum of the singles split into passes' layers, output rows, and time
    outside any pass (tokenizing, finding boundaries, the decoder's own work, and, with concurrent
    steps, nothing else, since a model's pass then includes its waits for the others')."""
    print("  profile, fused / alone (comparable prompts): passes, rows, output rows, s in passes (of it output rows)")
    for model, f, a in zip(MODELS, fused, single):
        print(f"    {model}: {f[0]:.0f}/{a[0]:.0f}, {f[1]:.0f}/{a[1]:.0f}, {f[2]:.0f}/{a[2]:.0f}, "
              f"{f[3]:.2f}/{a[3]:.2f} s ({f[4]:.2f}/{a[4]:.2f} s)")
    if not sequential:
        print("    (concurrent steps: a model's seconds in passes include waiting for the other models' products;"
              " --sequential gives a split that adds up)")
        return
    layers_fused = sum(f[3] - f[4] for f in fused)
    layers_single = sum(a[3] - a[4] for a in single)
    output_fused = sum(f[4] for f in fused)
    output_single = sum(a[4] for a in single)
    outside_fused = fused_wall - sum(f[3] for f in fused)
    outside_single = singles_wall - sum(a[3] for a in single)
    print(f"  fused {fused_wall:.2f} s against the singles' {singles_wall:.2f} s; of the difference, as a share of the singles' time:")
    for name, f, a in [("layers (passes without their output rows)", layers_fused, layers_single),
                       ("output rows", output_fused, output_single),
                       ("outside any pass", outside_fused, outside_single)]:
        print(f"    {name}: {f:.2f} s against {a:.2f} s, {100 * (f - a) / singles_wall:+.0f}%")


if __name__ == "__main__":
    sys.exit(main())
