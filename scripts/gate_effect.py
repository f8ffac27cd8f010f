#!/usr/bin/env python3
"""What the fused steps of gated fusion did, item by item, against the leader writing alone.

Reads one results folder of `coolfusion eval` (the JSONL files of one dataset) that holds a `gated`
column and the `single-MODEL` columns, and prints per task (subset) and overall:
  - accuracy of the gated column and of the best single model of that task (on the test items),
  - the share of the gated column's segments that went to a full fusion step,
  - against the item's leader writing alone (the `single` column of the model the gate named as
    leader for that item: --leader, or the calibration file's leader, per task with --per-subset):
    how many answers the fused steps turned wrong -> right and right -> wrong (items with no fused
    segment are the leader's own text and cannot differ),
  - an exact two-sided sign test of gated vs the best single model of the group on the same items
    (per task: that task's best; overall: the best model over all items).
Standard library only.

    python3 scripts/gate_effect.py results/mixed/mixed --column 'gated:weights-file=W' --weights-file W
"""
import argparse
import json
import math
import os


def load(path):
    with open(path) as handle:
        return {r["item_id"]: r for r in (json.loads(line) for line in handle if line.strip())}


def sign_test(wins, losses):
    """Exact two-sided binomial test of wins vs losses at p = 1/2."""
    n = wins + losses
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(0, min(wins, losses) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def column_file(directory, method):
    for name in os.listdir(directory):
        if not name.endswith(".jsonl"):
            continue
        with open(os.path.join(directory, name)) as handle:
            first = handle.readline()
        if first.strip() and json.loads(first)["method"] == method:
            return os.path.join(directory, name)
    raise SystemExit(f"no results file for column {method!r} in {directory}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", help="a dataset folder of an eval run (holds the .jsonl files)")
    parser.add_argument("--column", required=True, help="the gated column's method id, as in its records")
    parser.add_argument("--leader", help="the leader's model name (else from --weights-file)")
    parser.add_argument("--weights-file", help="the calibration file the column's gate came from")
    parser.add_argument("--per-subset", action="store_true", help="the column used the file's per-task gates")
    args = parser.parse_args()
    leaders = {}
    if args.weights_file:
        with open(args.weights_file) as handle:
            calibration = json.load(handle)
        leaders[None] = calibration["gate"]["leader"]
        if args.per_subset:
            leaders.update({task: gate["leader"] for task, gate in calibration.get("subsetGates", {}).items()})

    gated = load(column_file(args.directory, args.column))
    singles = {}
    for name in os.listdir(args.directory):
        if name.startswith("single-") and name.endswith(".jsonl"):
            singles[name[len("single-"):-len(".jsonl")]] = load(os.path.join(args.directory, name))
    models = sorted(singles)
    subsets = sorted({r.get("subset") or "all" for r in gated.values()})
    rows = []
    for subset in subsets + (["all"] if len(subsets) > 1 else []):
        items = [i for i, r in gated.items() if subset == "all" or (r.get("subset") or "all") == subset]
        items = [i for i in items if all(i in singles[m] for m in models)]
        if not items:
            continue
        accuracy = {m: sum(singles[m][i]["correct"] for i in items) / len(items) for m in models}
        best = max(models, key=lambda m: (accuracy[m], -models.index(m)))
        wins = losses = turned_right = turned_wrong = fused_items = 0
        segments = fused = 0
        for item in items:
            record = gated[item]
            reference = singles[best][item]
            wins += record["correct"] and not reference["correct"]
            losses += reference["correct"] and not record["correct"]
            segments += record.get("segments") or 0
            fused += record.get("fused_segments") or 0
            leader = args.leader or leaders.get(record.get("subset"), leaders.get(None))
            if (record.get("fused_segments") or 0) > 0:
                fused_items += 1
                if leader in singles and item in singles[leader]:
                    alone = singles[leader][item]["correct"]
                    turned_right += record["correct"] and not alone
                    turned_wrong += alone and not record["correct"]
        correct = sum(gated[i]["correct"] for i in items)
        rows.append((subset, len(items), 100 * correct / len(items),
                     best, 100 * accuracy[best],
                     wins, losses, sign_test(wins, losses), 100 * fused / max(segments, 1), fused_items,
                     turned_right, turned_wrong))
    print("| task | items | gated % | best single | its % | wins | losses | p | fused segments % | items with a fused step | wrong→right | right→wrong |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        subset, n, acc, best, best_acc, wins, losses, p, fused_share, fused_items, right, wrong = row
        print(f"| {subset} | {n} | {acc:.1f} | {best} | {best_acc:.1f} | {wins} | {losses} | {p:.3f} | "
              f"{fused_share:.1f} | {fused_items} | {right} | {wrong} |")


if __name__ == "__main__":
    main()
