#!/usr/bin/env python3
# Generates the GSM-style evaluation data of `coolfusion eval` with reasoning-gym.
#
#   python3 -m pip install reasoning-gym==0.1.25
#   python3 scripts/make_eval_data.py   # writes data/gsm_symbolic_{test,fewshot,dev}.jsonl
#
# Pinned: reasoning-gym 0.1.25 (checked below; another version may generate other questions).
# Deterministic: fixed seeds, so rerunning rewrites byte-identical files.
#
# reasoning-gym's gsm_symbolic generators are templates derived from GSM8K test questions (GSM-Symbolic):
# each item is one template with freshly drawn names and numbers. To keep the few-shot exemplars
# apart from the test set (not only different questions, but different templates), a few templates
# are reserved for exemplars and never used for test items, and exemplars come from another seed.
# The dev split (for `coolfusion calibrate`) comes from a third seed, drawn like the test split
# (same templates, other names and numbers) and never repeating a test question.
#
# Format (docs/EVAL.md): one JSON object per line with
#   id        unique id (seed and index in the reasoning-gym dataset)
#   question  the question, without reasoning-gym's instruction suffix (GSM8K questions have none;
#             the few-shot answers ending in `#### N` show the expected format instead)
#   answer    the final answer, as text
#   solution  the worked answer, ending in `#### N` (what a few-shot example shows after "Answer:")
#   template  the reasoning-gym generator the item came from (provenance)
import importlib.metadata
import json
import os
import random
import sys

PINNED = "0.1.25"
TEST_SEED = 20260427
FEWSHOT_SEED = 777
TEST_SIZE = 300
FEWSHOT_SIZE = 8
DEV_SEED = 4242
DEV_SIZE = 40
RESERVED_TEMPLATES = 8
TEMPLATE_SEED = 99
SUFFIX = " Give the result as your final answer. Do not include units."


def main() -> None:
    version = importlib.metadata.version("reasoning-gym")
    if version != PINNED:
        sys.exit(f"reasoning-gym {version} is installed; this script is pinned to {PINNED} "
                 f"(python3 -m pip install reasoning-gym=={PINNED})")
    import reasoning_gym

    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
    os.makedirs(out, exist_ok=True)

    # Enough items from each seed that, after skipping the other split's templates, both splits fill up.
    test_source = reasoning_gym.create_dataset("gsm_symbolic", size=TEST_SIZE * 2, seed=TEST_SEED)
    fewshot_source = reasoning_gym.create_dataset("gsm_symbolic", size=FEWSHOT_SIZE * 40, seed=FEWSHOT_SEED)
    templates = sorted(set(fewshot_source.task_indices))
    reserved = set(random.Random(TEMPLATE_SEED).sample(templates, RESERVED_TEMPLATES))

    test = collect(test_source, TEST_SEED, TEST_SIZE, lambda t: t not in reserved)
    fewshot = collect(fewshot_source, FEWSHOT_SEED, FEWSHOT_SIZE, lambda t: t in reserved, one_per_template=True)

    test_questions = {item["question"] for item in test}
    assert not any(item["question"] in test_questions for item in fewshot), "few-shot exemplar in the test set"
    dev_source = reasoning_gym.create_dataset("gsm_symbolic", size=DEV_SIZE * 2, seed=DEV_SEED)
    dev = collect(dev_source, DEV_SEED, DEV_SIZE, lambda t: t not in reserved, skip_questions=test_questions)
    assert not ({item["template"] for item in test} & {item["template"] for item in fewshot}), "shared template"

    write(os.path.join(out, "gsm_symbolic_test.jsonl"), test)
    write(os.path.join(out, "gsm_symbolic_fewshot.jsonl"), fewshot)
    write(os.path.join(out, "gsm_symbolic_dev.jsonl"), dev)
    print(f"{len(test)} test items, {len(dev)} dev items, {len(fewshot)} few-shot exemplars, "
          f"{len({i['template'] for i in test})} test templates, reserved templates {sorted(reserved)}")


def collect(dataset, seed, size, keep_template, one_per_template=False, skip_questions=frozenset()):
    items, seen_templates, seen_questions = [], set(), set(skip_questions)
    for index in range(len(dataset)):
        template = dataset.task_indices[index]
        if not keep_template(template) or (one_per_template and template in seen_templates):
            continue
        entry = dataset[index]
        question = entry["question"]
        assert question.endswith(SUFFIX), question
        question = question[: -len(SUFFIX)]
        if question in seen_questions:
            continue
        answer = str(entry["answer"])
        solution = entry["metadata"]["answer_cot"].strip()
        # The worked answer must end in the GSM8K marker with the same final answer. Some templates
        # write it as a float ("#### 78.0" for 78): the marker line is rewritten to the answer's own
        # spelling, since GSM8K exact match would count "78.0" wrong against "78".
        body, marker, final = solution.rpartition("#### ")
        assert marker and float(final) == float(answer), (solution, answer)
        solution = f"{body}#### {answer}"
        items.append({"id": f"gsm_symbolic-{seed}-{index}", "question": question, "answer": answer,
                      "solution": solution, "template": template})
        seen_templates.add(template)
        seen_questions.add(question)
        if len(items) == size:
            return items
    sys.exit(f"only {len(items)} of {size} items could be generated with seed {seed}")


def write(path, items):
    with open(path, "w", encoding="utf-8") as f:
        for item in items:
            f.write(json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
