"""Leave-task-out training data: the checker, the shipped seed set's breadth, and the held-out tasks."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from cogex.data.contamination import find_task_overlaps, task_profile
from cogex.data.families import dev_families, heldout_families, training_families
from cogex.data.families.build import draw, to_record, execute
from cogex.data.leave_out import EXCLUDED_KINDS, excluded_kind, heldout_rows, paper_task_profiles, withheld_profiles
from cogex.data.seed import load_seed_records, seed_dir
from cogex.tasks import dev_tasks, get_task, heldout_tasks

RECORDS = load_seed_records()


def test_checker_flags_instruction_paraphrase_and_template() -> None:
    inputs = [f"A lamp is on. {n} presses the switch. Is the lamp still on?" for n in ("Ann", "Bo", "Cy", "Di")]
    profile = task_profile("lamp", "Work out whether the lamp is still on after the presses.", inputs)
    assert ("is", "the", "lamp", "still") in profile.template
    records = [
        {"id": "para", "instruction": "Decide whether the lamp is still on after the presses described.", "input": ""},
        {"id": "tmpl", "instruction": "Answer yes or no.", "input": "A lamp is on. Zed presses the switch. Is the lamp still on?"},
        {"id": "clean", "instruction": "Count the vowels in the word.", "input": "lamp"},
        {"id": "near_topic", "instruction": "Is the lamp made of brass?", "input": "A brass lamp."},
    ]
    flagged = {o.record_id: o.reason for o in find_task_overlaps(records, [profile])}
    assert set(flagged) == {"para", "tmpl"}
    assert "instruction" in flagged["para"] and "template" in flagged["tmpl"]


def test_excluded_kinds_catch_the_paper_tasks_and_heldout_families() -> None:
    assert excluded_kind({"instruction": "Sort these words alphabetically.", "input": "b a"}) == "word_sorting (alphabetical order)"
    assert excluded_kind({"instruction": "Convert the Roman numeral.", "input": "XIV"}) == "roman_to_integer"
    assert excluded_kind({"instruction": "Swap the case of each letter.", "input": "aB"}) is None
    assert excluded_kind({"instruction": "Count the words.", "input": "one two"}) is None
    assert excluded_kind({"instruction": "What is the zodiac sign for this birthday?", "input": "May 3"}) == "zodiac_sign"
    withheld = {f.name for f in heldout_families() + dev_families()}
    assert withheld <= set(EXCLUDED_KINDS)  # every held-out and dev family has a kind rule
    for family in heldout_families() + dev_families():  # ... and the rule recognises the family's own items
        drawn = draw(family, 5)
        assert all(excluded_kind({"instruction": d.instruction, "input": d.example.input}) for d in drawn), family.name


def test_seed_set_breadth_and_schema() -> None:
    assert len(RECORDS) >= 3000
    categories = Counter(r["category"] for r in RECORDS)
    assert len(categories) >= 150
    assert max(categories.values()) <= 40  # diverse rather than deep
    assert len({r["id"] for r in RECORDS}) == len(RECORDS)
    generated = [r for r in RECORDS if r["source"].startswith("generator:")]
    assert len({r["category"] for r in generated}) == len(training_families())
    assert len({r["instruction"] for r in RECORDS}) >= 1500  # varied wording


def test_no_training_record_carries_a_paper_heldout_or_dev_task() -> None:
    """The leave-task-out check on the shipped training set: nothing flagged, no excluded kind."""
    profiles = paper_task_profiles() + withheld_profiles()
    assert len(profiles) == 9 + len(heldout_families()) + len(dev_families())
    assert find_task_overlaps(RECORDS, profiles) == []
    assert [r["id"] for r in RECORDS if excluded_kind(r)] == []


def test_generated_records_are_reproducible_from_their_families() -> None:
    """Each stored generated record is what its family builds today (real execution in the sandbox)."""
    stored = {r["id"]: r for r in RECORDS if r["source"].startswith("generator:")}
    per_family = Counter(r["category"] for r in stored.values())
    families = training_families()[::12]  # a spread of families, one sandbox run each
    for family in families:
        rebuilt = [to_record(d, out) for d, out in execute(draw(family, per_family[family.name]))]
        assert rebuilt and all(stored[r["id"]] == r for r in rebuilt), family.name


def test_build_report_matches_the_files() -> None:
    report = json.loads((seed_dir() / "build_report.json").read_text())
    assert report["families_out"] == [f.name for f in heldout_families()]
    assert report["families_dev"] == [f.name for f in dev_families()]
    assert set(report["families_in"]) == {f.name for f in training_families()}
    assert report["removed_count"] == len(report["removed"]) > 0
    generated = sum(1 for r in RECORDS if r["source"].startswith("generator:"))
    assert report["generated"] == generated


@pytest.mark.parametrize("name", [f.name for f in heldout_families() + dev_families()])
def test_withheld_task_loads_with_100_plus_test_items(name: str) -> None:
    assert name in heldout_tasks() + dev_tasks()
    assert not set(heldout_tasks()) & set(dev_tasks())
    task = get_task(name)
    test, search = task.all_examples("test"), task.all_examples("search")
    assert len(test) >= 100 and len(search) >= 50
    assert not {e.input for e in test} & {e.input for e in search}
    if task.labels:
        assert {task.normalize(e.target) for e in test} <= set(task.labels)
    # the targets are the reference program's outputs (rebuilt by execution)
    family = next(f for f in heldout_families() + dev_families() if f.name == name)
    rows = heldout_rows(family, 20)
    stored = {e.input: e.target for e in (*test, *search)}
    assert all(stored[r["input"]] == r["target"] for r in rows)


_DRAW_DIGEST = """
import hashlib, json
from cogex.data.families import dev_families, heldout_families, training_families
from cogex.data.families.build import draw
for family in training_families() + heldout_families() + dev_families():
    drawn = [(d.instruction, d.example.input, d.call) for d in draw(family, 8)]
    print(family.name, hashlib.sha256(json.dumps(drawn).encode()).hexdigest())
"""


def test_every_family_draws_the_same_items_under_any_hash_seed() -> None:
    """Samplers may not depend on set or dict-of-str iteration order (PYTHONHASHSEED): a rebuild of the
    data must reproduce the shipped records exactly."""
    import os
    import subprocess
    import sys

    runs = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        runs.append(subprocess.run([sys.executable, "-c", _DRAW_DIGEST], env=env, capture_output=True, text=True,
                                   check=True).stdout.splitlines())
    assert len(runs[0]) == len(training_families()) + len(heldout_families()) + len(dev_families())
    assert [a for a, b in zip(*runs) if a != b] == []
