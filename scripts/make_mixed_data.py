#!/usr/bin/env python3
# Generates the mixed short-answer benchmark of `coolfusion eval --task qa` with reasoning-gym
# for the selection-rule study: five tasks on which the small default models score above zero and differ in strength.
#
#   python3 -m pip install reasoning-gym==0.1.25
#   python3 scripts/make_mixed_data.py
#
# writes, for each TASK in chain_sum, basic_arithmetic, leg_counting, family_relationships, syllogism:
#   data/mixed_TASK_test.jsonl     40 test items
#   data/mixed_TASK_dev.jsonl     200 development items (for `coolfusion calibrate`; the first 12, then the first 40, were the
#                                  whole split until the gate, then the choice of each task's leader, needed more)
#   data/mixed_TASK_fewshot.jsonl   4 few-shot exemplars
# and the same items together, each tagged with its task in `subset`:
#   data/mixed_test.jsonl (200), data/mixed_dev.jsonl (1000; its first 60 lines are the earlier 60-item split, its first 200 the 200-item one), data/mixed_fewshot.jsonl (20).
#
# Few-shot exemplars per task: `coolfusion eval` and `calibrate` give every item of a mixed file the
# first --shots exemplars of its own subset, so the combined files work as they are; the per-task files
# make one dataset (one report row) per task. The combined files are ordered round-robin over the
# tasks, so `--limit N` still covers every task.
#
# Pinned: reasoning-gym 0.1.25 (checked below; another version may generate other questions).
# Deterministic: fixed seeds, so rerunning rewrites byte-identical files. Test, dev and few-shot items
# come from different seeds, and no question appears in two splits (checked).
#
# Configurations are chosen so the answers are one short line (a small number, a relation word, Yes/No)
# that 135M-500M models sometimes get right: few terms, small numbers, few animals, small families.
# Changes to reasoning-gym's items:
#   - leg_counting: its two-paragraph instruction is cut to the question line itself, to keep prompts short;
#   - family_relationships: items whose answer is an in-law relation are skipped, because in 0.1.25
#     those labels are reversed ("What relation is Mia (the son's wife) to Patricia?" -> "mother-in-law");
#   - everything else is reasoning-gym's own question and answer.
#
# Format (docs/EVAL.md, qa task): one JSON object per line with
#   id        TASK-SEED-INDEX (the item's index in the reasoning-gym dataset of that seed)
#   question  the question
#   answer    the reference answer (the few-shot example shows it after "Answer:")
#   subset    the task name: the report adds a row per subset
import importlib.metadata
import json
import os
import sys

PINNED = "0.1.25"
TEST_SEED = 20261127
DEV_SEED = 4242
FEWSHOT_SEED = 31337
TEST_SIZE = 40
DEV_SIZE = 200
DEV_FIRST = 40  # the dev split's size when the few-shot exemplars were drawn (they avoid these questions)
FEWSHOT_SIZE = 4

TASKS = {
    "chain_sum": dict(min_terms=2, max_terms=3, min_digits=1, max_digits=2, allow_negation=False),
    "basic_arithmetic": dict(min_terms=2, max_terms=3, min_digits=1, max_digits=1, operators=("+", "-", "*"),
                             allow_parentheses=False, allow_negation=False),
    "leg_counting": dict(min_animals=1, max_animals=2, min_instances=1, max_instances=3),
    "family_relationships": dict(min_family_size=3, max_family_size=4),
    "syllogism": dict(),
}
LEG_COUNTING_INTRO = "Your task is to count how many legs there are in total when given a list of animals.\n\nNow, h"


def main() -> None:
    version = importlib.metadata.version("reasoning-gym")
    if version != PINNED:
        sys.exit(f"reasoning-gym {version} is installed; this script is pinned to {PINNED} "
                 f"(python3 -m pip install reasoning-gym=={PINNED})")
    import reasoning_gym

    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
    os.makedirs(out, exist_ok=True)

    combined = {"test": [], "dev": [], "fewshot": []}
    for task, config in TASKS.items():
        taken = set()  # questions already in an earlier split of this task
        splits = {}
        for split, seed, size in (("test", TEST_SEED, TEST_SIZE), ("dev", DEV_SEED, DEV_FIRST),
                                  ("fewshot", FEWSHOT_SEED, FEWSHOT_SIZE)):
            # Generous oversampling: duplicates and skipped in-law items are dropped.
            dataset = reasoning_gym.create_dataset(task, size=size * 10, seed=seed, **config)
            splits[split] = collect(task, dataset, seed, size, taken)
        # The dev split grew after the exemplars were drawn: it continues the same seed's items past the
        # first DEV_FIRST (unchanged) and skips the exemplars' questions, so test and few-shot stay as they were.
        others = set(i["question"] for split in ("test", "fewshot") for i in splits[split])
        dataset = reasoning_gym.create_dataset(task, size=DEV_SIZE * 10, seed=DEV_SEED, **config)
        dev = collect(task, dataset, DEV_SEED, DEV_SIZE, others)
        assert dev[:DEV_FIRST] == splits["dev"], task
        splits["dev"] = dev
        for split, items in splits.items():
            write(os.path.join(out, f"mixed_{task}_{split}.jsonl"), items)
            combined[split].append(items)
        questions = [set(i["question"] for i in items) for items in splits.values()]
        assert not (questions[0] & questions[1] or questions[0] & questions[2] or questions[1] & questions[2]), task
        print(f"{task}: " + ", ".join(f"{len(items)} {split}" for split, items in splits.items()))

    # Round-robin over the tasks, so `eval --limit N` (and an interrupted run) covers every task
    # about equally; `eval` prompts each item with the exemplars of its own subset.
    for split, size in (("test", TEST_SIZE), ("dev", DEV_SIZE), ("fewshot", FEWSHOT_SIZE)):
        write(os.path.join(out, f"mixed_{split}.jsonl"),
              [items[k] for k in range(size) for items in combined[split]])


def collect(task, dataset, seed, size, taken):
    items = []
    for index in range(len(dataset)):
        entry = dataset[index]
        question, answer = entry["question"].strip(), str(entry["answer"]).strip()
        if task == "leg_counting":
            assert entry["question"].startswith(LEG_COUNTING_INTRO), entry["question"]
            question = "H" + entry["question"][len(LEG_COUNTING_INTRO):].strip()
        if task == "family_relationships" and answer.endswith("-in-law"):
            continue
        assert answer and "\n" not in answer, (task, answer)
        if question in taken:
            continue
        taken.add(question)
        items.append({"id": f"{task}-{seed}-{index}", "question": question, "answer": answer, "subset": task})
        if len(items) == size:
            return items
    sys.exit(f"only {len(items)} of {size} {task} items could be generated with seed {seed}")


def write(path, items):
    with open(path, "w", encoding="utf-8") as f:
        for item in items:
            f.write(json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
