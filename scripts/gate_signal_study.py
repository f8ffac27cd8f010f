#!/usr/bin/env python3
"""Which confidence signal of a leader best tells its wrong answers from its right ones?

Reads the JSONL results of `coolfusion eval` columns `gated:leader=M:threshold=...` that never fuse
(so each line is the leader writing alone, with the gate's view of every segment in its `gate`
field), and prints, per leader and signal, the area under the ROC curve (AUROC) for separating the
segments of wrong answers from those of right answers, both per segment and per answer (an answer's
value is its least confident segment). 0.5 is chance; 1.0 separates perfectly. Standard library only.

    python3 scripts/gate_signal_study.py results/gate_signal_study/mixed_dev
"""
import json
import os
import sys

# Larger value = more confident for top-probability and margin; smaller for entropy.
SIGNALS = {"topProbability": 1, "margin": 1, "entropy": -1}


def auroc(wrong, right):
    """P(a random wrong-answer value is less confident than a random right-answer value); ties count half."""
    if not wrong or not right:
        return None
    right_sorted = sorted(right)
    import bisect
    total = 0.0
    for value in wrong:
        below = bisect.bisect_left(right_sorted, value)
        equal = bisect.bisect_right(right_sorted, value) - below
        total += (len(right_sorted) - below - equal) + 0.5 * equal
    return total / (len(wrong) * len(right))


def study(directory):
    rows = []
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".jsonl"):
            continue
        records = [json.loads(line) for line in open(os.path.join(directory, name)) if line.strip()]
        records = [r for r in records if r.get("gate")]
        if not records:
            continue
        method = records[0]["method"]
        for subset in [None] + sorted({r.get("subset") for r in records if r.get("subset")}):
            chosen = [r for r in records if subset is None or r.get("subset") == subset]
            correct = sum(r["correct"] for r in chosen)
            row = {"column": method, "subset": subset or "all", "items": len(chosen), "correct": correct}
            for signal, direction in SIGNALS.items():
                seg_wrong, seg_right, item_wrong, item_right = [], [], [], []
                for r in chosen:
                    values = [direction * g[signal] for g in r["gate"] if g.get(signal) is not None]
                    if not values:
                        continue
                    (seg_right if r["correct"] else seg_wrong).extend(values)
                    (item_right if r["correct"] else item_wrong).append(min(values))
                row[signal] = (auroc(seg_wrong, seg_right), auroc(item_wrong, item_right))
            rows.append(row)
    return rows


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    rows = study(sys.argv[1])
    if not rows:
        sys.exit(f"no gated results with gate traces under {sys.argv[1]}")
    fmt = lambda v: "-" if v is None else f"{v:.2f}"
    print("| column | subset | items | right | " + " | ".join(f"{s} (segment / answer)" for s in SIGNALS) + " |")
    print("|---|---|---:|---:|" + "---|" * len(SIGNALS))
    for r in rows:
        cells = [f"{fmt(r[s][0])} / {fmt(r[s][1])}" for s in SIGNALS]
        print(f"| {r['column']} | {r['subset']} | {r['items']} | {r['correct']} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
