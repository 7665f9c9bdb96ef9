"""The public API: docs/api.md's example runs as written, and ``import cogex`` stays light."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import cogex

DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_the_documented_example_runs_as_written() -> None:
    blocks = _python_blocks(DOC.read_text(encoding="utf-8"))
    assert len(blocks) == 1
    done = subprocess.run([sys.executable, "-c", blocks[0]], capture_output=True, text=True, timeout=1500)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert re.fullmatch(r"[01] program\(s\), ranking accuracy [01]\.\d\d", lines[0])
    assert lines[1].startswith("[") and lines[1].endswith("]")  # one answer for the one input
    assert re.fullmatch(r"majority: 0\.\d\d \[0\.\d\d, [01]\.\d\d\] on n=20", lines[2])


def test_import_cogex_loads_no_model_library() -> None:
    code = "import sys, cogex; cogex.__version__; print(sorted(m for m in ('torch', 'transformers', 'numpy') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]"


def test_every_exported_name_resolves_and_unknown_names_fail() -> None:
    for name in cogex.__all__:
        assert getattr(cogex, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        cogex.nope  # noqa: B018


def test_load_task_needs_an_instruction_for_a_data_file(tmp_path: Path) -> None:
    data = tmp_path / "rows.jsonl"
    data.write_text('{"input": "a b", "target": "b a"}\n' * 4, encoding="utf-8")
    with pytest.raises(ValueError, match="instruction"):
        cogex.load_task(data)
    task = cogex.load_task(data, instruction="Reverse the words.")
    assert task.instruction == "Reverse the words." and task.all_examples("search") + task.all_examples("test")


def test_evaluate_refuses_missing_backends_before_running(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="base_backend"):
        cogex.run_evaluation(["reverse_words"], ["zero_shot"], run_dir=tmp_path)
    with pytest.raises(ValueError, match="backend=load_backend"):
        cogex.run_evaluation(["reverse_words"], ["cotacs_k1"], run_dir=tmp_path)
    assert not any(tmp_path.iterdir())


def test_the_api_functions_survive_importing_the_packages_of_the_same_family() -> None:
    import cogex.evaluate.run  # noqa: F401 - a submodule import sets package attributes
    import cogex.search.cotacs  # noqa: F401

    assert callable(cogex.search_program) and callable(cogex.run_evaluation)
