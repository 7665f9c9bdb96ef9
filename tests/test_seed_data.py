"""The shipped seed training set: size, schema, program validity, faithful outputs, no contamination."""

from __future__ import annotations

import ast
import json
from collections import Counter
from pathlib import Path

import pytest

from cogex import format as fmt
from cogex.data.seed import find_overlaps, load_seed_records
from cogex.sandbox import run_calls, undefined_functions
from cogex.tasks import resolve_data_dir

RECORDS = load_seed_records()
KEYS = {"id", "category", "instruction", "input", "code_prompt", "code_output", "output", "source"}


def test_size_and_schema() -> None:
    assert len(RECORDS) >= 3000
    assert all(set(r) == KEYS for r in RECORDS)
    assert len({r["id"] for r in RECORDS}) == len(RECORDS)
    assert len({r["instruction"] for r in RECORDS}) >= 1500  # diverse instructions
    assert len(Counter(r["category"] for r in RECORDS)) >= 150


@pytest.mark.parametrize("record", RECORDS, ids=[r["id"] for r in RECORDS])
def test_instance_is_well_formed(record: dict) -> None:
    inst = fmt.CogexInstance.from_record(record)
    tree = ast.parse(inst.program)
    call = fmt.parse_call(inst.call)
    assert call is not None and call.func.id in fmt.defined_functions(inst.program)
    for arg in [*call.args, *(k.value for k in call.keywords)]:
        ast.literal_eval(arg)
    assert isinstance(inst.output, dict) and "answer" in inst.output
    assert "# Step 1:" in inst.program
    assert any(isinstance(n, ast.FunctionDef) and ast.get_docstring(n) for n in tree.body)
    # The training completion parses back to the same instance.
    parsed = fmt.parse_reasoner(fmt.reasoner_completion(inst))
    assert parsed.ok and parsed.output == inst.output and parsed.call == inst.call


def test_pure_programs_return_their_recorded_output_in_the_sandbox() -> None:
    """Every instance whose program has no undefined helper reproduces its recorded output when run
    (one sandbox child per distinct program, all of its calls)."""
    from collections import defaultdict

    pure = [r for r in RECORDS if not undefined_functions(fmt.CogexInstance.from_record(r).program)]
    assert len(pure) >= 2000
    by_program: dict[str, list[dict]] = defaultdict(list)
    for record in pure:
        by_program[fmt.CogexInstance.from_record(record).program].append(record)
    mismatches = []
    for program, records in by_program.items():
        instances = [fmt.CogexInstance.from_record(r) for r in records]
        results = run_calls(program, [i.call for i in instances], allow_undefined=False)
        for record, inst, result in zip(records, instances, results):
            if result.status != "ok" or result.value != inst.output:
                mismatches.append((record["id"], record["source"], result.status, result.error, result.detail[:80]))
    # A few hand-written programs legitimately need modules the sandbox does not offer (e.g. ``time``).
    assert len(mismatches) <= 5, mismatches[:10]
    assert not [m for m in mismatches if m[1].startswith("generator:")], mismatches[:10]


def _eval_files() -> list[Path]:
    data_dir = resolve_data_dir()
    if data_dir is None:
        return []
    return [p for p in sorted(data_dir.glob("*/*.jsonl")) if p.parent.name != "alpaca_seed"]


def test_overlap_detector_catches_copies_and_paraphrases(tmp_path: Path) -> None:
    evaluation = tmp_path / "task" / "test.jsonl"
    evaluation.parent.mkdir()
    rows = [{"input": "The quick brown fox jumped over the sleepy dog near the river bank today."},
            {"input": "My neighbour baked seven loaves of bread for the village fair."}]
    evaluation.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    seeds = [
        {"id": "copy", "input": "Text: the quick brown fox jumped over the sleepy dog near the river bank today!"},
        {"id": "para", "input": "For the village fair my neighbour baked seven loaves of bread."},
        {"id": "clean", "input": "Sort these numbers: 4 9 1"},
    ]
    flagged = {o.seed_id for o in find_overlaps(seeds, [evaluation])}
    assert flagged == {"copy", "para"}


def test_seed_set_does_not_contain_evaluation_items() -> None:
    files = _eval_files()
    if not files:
        pytest.skip("no evaluation data directory (COGEX_DATA_DIR or ../shared/data) on this machine")
    overlaps = find_overlaps(RECORDS, files)
    assert overlaps == [], overlaps[:5]
