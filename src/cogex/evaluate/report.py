"""Results tables (markdown, CSV) and plots (accuracy per task and method; accuracy vs candidates)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, Sequence

from cogex.evaluate.run import Cell, EvalSettings


def table_rows(cells: Sequence[Cell]) -> tuple[list[str], list[str], dict[tuple[str, str], Cell]]:
    tasks = list(dict.fromkeys(c.task for c in cells))
    methods = list(dict.fromkeys(c.method for c in cells))
    return tasks, methods, {(c.task, c.method): c for c in cells}


def markdown_table(cells: Sequence[Cell], settings: EvalSettings | None = None) -> str:
    """Methods as rows, tasks as columns, accuracy in percent; the settings line underneath."""
    tasks, methods, by_key = table_rows(cells)
    lines = ["| method | " + " | ".join(tasks) + " | mean |", "|---" * (len(tasks) + 2) + "|"]
    for method in methods:
        values = [by_key[(t, method)].accuracy * 100 if (t, method) in by_key else None for t in tasks]
        present = [v for v in values if v is not None]
        mean = sum(present) / len(present) if present else None
        cells_txt = ["-" if v is None else f"{v:.1f}" for v in values] + ["-" if mean is None else f"{mean:.1f}"]
        lines.append(f"| {method} | " + " | ".join(cells_txt) + " |")
    if settings is not None:
        s = settings.search
        lines.append("")
        lines.append(
            f"Exact-match accuracy (%) on {settings.test_items} test items per task (seed {settings.seed}); "
            f"CoTACS: n_generate={s.n_generate}, n_rank={s.n_rank}, max_resamples={s.max_resamples}, alpha={s.alpha}, "
            f"t_gen={s.gen_temperature}, t_emu={s.emu_temperature}, ranking={s.ranking}; "
            f"input bindings ranked with hybrid: {','.join(s.bindings)}."
        )
    return "\n".join(lines) + "\n"


def write_csv(cells: Sequence[Cell], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["task", "method", "accuracy", "n", "failures", "paths"])
        for c in cells:
            writer.writerow([c.task, c.method, f"{c.accuracy:.4f}", c.n, c.failures, json.dumps(c.paths, sort_keys=True)])


def plot_accuracy(cells: Sequence[Cell], path: Path) -> None:
    """Grouped bars: accuracy per task, one bar per method."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tasks, methods, by_key = table_rows(cells)
    width = 0.8 / max(1, len(methods))
    fig, ax = plt.subplots(figsize=(max(6, 1.3 * len(tasks)), 4))
    for j, method in enumerate(methods):
        xs = [i + j * width for i in range(len(tasks))]
        ys = [by_key[(t, method)].accuracy * 100 if (t, method) in by_key else 0 for t in tasks]
        ax.bar(xs, ys, width=width, label=method)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(tasks))], tasks, rotation=30, ha="right")
    ax.set_ylabel("exact-match accuracy (%)")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def candidates_curve(record: dict[str, Any]) -> list[tuple[int, float]]:
    """Ranking-set accuracy of the program CoTACS would choose from the first m candidates."""
    scored = [c for c in record.get("candidates", []) if c.get("rank_score") is not None]
    scored.sort(key=lambda c: c["index"])
    curve, best = [], 0.0
    for m, cand in enumerate(scored, start=1):
        best = max(best, cand["rank_score"])
        curve.append((m, best))
    return curve


def plot_candidates(run_dir: Path, path: Path) -> bool:
    """Accuracy of the chosen program vs number of candidates, one line per task and executor."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    drawn = False
    for program in sorted(run_dir.glob("*/search-*/program.json")):
        record = json.loads(program.read_text(encoding="utf-8"))
        curve = candidates_curve(record)
        if curve:
            ax.plot([m for m, _ in curve], [a * 100 for _, a in curve], marker="o",
                    label=f"{record['task']} ({record['settings']['executor']})")
            drawn = True
    ax.set_xlabel("number of candidate programs")
    ax.set_ylabel("ranking-set accuracy of chosen program (%)")
    ax.set_ylim(0, 100)
    if drawn:
        ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return drawn


def write_report(cells: Sequence[Cell], settings: EvalSettings, run_dir: Path) -> dict[str, Path]:
    """results.md, results.csv, accuracy.png and candidates.png in the run directory."""
    paths = {
        "markdown": run_dir / "results.md",
        "csv": run_dir / "results.csv",
        "accuracy_plot": run_dir / "accuracy.png",
        "candidates_plot": run_dir / "candidates.png",
    }
    paths["markdown"].write_text(markdown_table(cells, settings), encoding="utf-8")
    write_csv(cells, paths["csv"])
    plot_accuracy(cells, paths["accuracy_plot"])
    plot_candidates(run_dir, paths["candidates_plot"])
    return paths
