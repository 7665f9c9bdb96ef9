"""Rebuild the leave-task-out training set and the withheld-family tasks (deterministic).

    python scripts/build_data.py [--per-family 20]

Writes, under src/cogex/resources/:
  seed/{computation,judgement,general}.jsonl  hand-written records minus what the leave-out rules remove
  seed/generated.jsonl                         executed instances of every training family
  seed/build_report.json                       what was removed (cumulative) and generated; families in/out
  tasks/heldout/<family>.{jsonl,yaml}          the held-out families as evaluation tasks
  tasks/dev/<family>.{jsonl,yaml}              the dev families (tuning tasks, also never trained on)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cogex.data.families import dev_families, heldout_families
from cogex.data.leave_out import build_training_set, write_family_tasks
from cogex.data.seed import seed_dir

HANDWRITTEN = ("computation.jsonl", "judgement.jsonl", "general.jsonl")


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-family", type=int, default=16)
    parser.add_argument("--heldout-items", type=int, default=300)
    args = parser.parse_args()
    folder = seed_dir()
    handwritten = {name: _read(folder / name) for name in HANDWRITTEN}
    everything = [r for records in handwritten.values() for r in records]
    kept, generated, report = build_training_set(everything, per_family=args.per_family)
    kept_ids = {r["id"] for r in kept}
    for name, records in handwritten.items():
        _write(folder / name, [r for r in records if r["id"] in kept_ids])
    _write(folder / "generated.jsonl", generated)
    report_path = folder / "build_report.json"
    if report_path.exists():  # the hand-written files were filtered in place: keep earlier removals
        previous = json.loads(report_path.read_text(encoding="utf-8"))
        earlier = previous.get("removed", [])
        known = {r["id"] for r in earlier}
        report.removed = earlier + [r for r in report.removed if r["id"] not in known]
        report.handwritten_before = max(report.handwritten_before, previous.get("handwritten_before", 0))
    out = report.to_json()
    report_path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tasks = write_family_tasks(folder.parent / "tasks" / "heldout", heldout_families(), count=args.heldout_items)
    tasks += write_family_tasks(folder.parent / "tasks" / "dev", dev_families(), role="dev", count=args.heldout_items)
    print(f"hand-written kept {out['handwritten_kept']} of {out['handwritten_before']} "
          f"(removed {out['removed_count']}); generated {out['generated']} from {len(out['families_in'])} families; "
          f"total {out['total_instances']} instances over {out['task_families_total']} categories; "
          f"{len(tasks)} withheld-family tasks (held-out and dev)")


if __name__ == "__main__":
    main()
