"""Results files, all rendered from ``results.json`` (see :mod:`cogex.evaluate.results`): the
markdown report (accuracy with 95% CI, p-values against zero-shot, differences to the better
baseline, answer distributions),
results.csv, accuracy.png (error bars from the CI) and candidates.png (CoTACS search curves)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from cogex.evaluate.results import BASELINE_METHOD, write_results

Results = dict[str, Any]


def table_rows(results: Results) -> tuple[list[str], list[str], dict[tuple[str, str], dict[str, Any]]]:
    """Tasks and methods in first-seen order, and the cells by (task, method)."""
    cells = results["cells"]
    tasks = list(dict.fromkeys(c["task"] for c in cells))
    methods = list(dict.fromkeys(c["method"] for c in cells))
    return tasks, methods, {(c["task"], c["method"]): c for c in cells}


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}"


def _answer(text: str, width: int = 32) -> str:
    """An answer for a markdown table cell: one line, pipes escaped, shortened."""
    if text == "":
        return "(none)"
    text = " ".join(str(text).split())
    text = text if len(text) <= width else text[: width - 1] + "…"
    return text.replace("|", "\\|")


def _n_label(cells: list[dict[str, Any]]) -> str:
    sizes = sorted({c["n"] for c in cells})
    return f"n={sizes[0]}" if len(sizes) == 1 else f"n={sizes[0]}-{sizes[-1]}"


def _accuracy_cell(cell: dict[str, Any] | None) -> str:
    if cell is None:
        return "-"
    text = _pct(cell["accuracy"])
    if cell.get("ci_low") is not None:
        text += f" [{_pct(cell['ci_low'])}, {_pct(cell['ci_high'])}]"
    return text + (" (const)" if cell.get("constant_answer") is not None else "")


def _p_cell(cell: dict[str, Any] | None) -> str:
    if cell is None or cell.get("p_vs_zero_shot") is None:
        return "-"
    p = cell["p_vs_zero_shot"]
    return f"{p:.3f}" if p >= 0.001 else "<0.001"


def _grid(tasks: list[str], methods: list[str], by_key: dict[tuple[str, str], dict[str, Any]], render: Any,
          headers: list[str], mean: bool) -> list[str]:
    lines = ["| method | " + " | ".join(headers) + (" | mean |" if mean else " |"),
             "|---" * (len(tasks) + 1 + int(mean)) + "|"]
    for method in methods:
        row = [render(by_key.get((t, method))) for t in tasks]
        if mean:
            present = [by_key[(t, method)]["accuracy"] for t in tasks if (t, method) in by_key]
            row.append(_pct(sum(present) / len(present)) if present else "-")
        lines.append(f"| {method} | " + " | ".join(row) + " |")
    return lines


def _settings_line(results: Results, methods: list[str]) -> str:
    settings = results.get("settings", {})
    statistics = settings.get("statistics", {})
    text = (f"Exact-match accuracy (%) on up to {settings.get('test_items', '?')} test items per task "
            f"(seed {settings.get('seed', '?')}; the same items for every method); "
            f"[low, high] = {statistics.get('ci', '95% percentile bootstrap')} interval "
            f"({statistics.get('bootstrap_resamples', '?')} resamples, seed {statistics.get('bootstrap_seed', '?')}); "
            f"(const) = one answer on >= {statistics.get('constant_share', 0.9):.0%} of the items.")
    s = settings.get("search") or {}
    if any(m.startswith("cotacs") for m in methods) and s:
        text += (f" CoTACS: n_generate={s.get('n_generate')}, n_rank={s.get('n_rank')}, max_resamples={s.get('max_resamples')}, "
                 f"alpha={s.get('alpha')}, t_gen={s.get('gen_temperature')}, t_emu={s.get('emu_temperature')}, "
                 f"ranking={s.get('ranking')}; input bindings ranked with hybrid: {','.join(s.get('bindings') or [])}.")
    return text


def _distribution_lines(tasks: list[str], methods: list[str], by_key: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    lines = ["| task | method | n | constant | top answers (normalised, with counts) |", "|---|---|---|---|---|"]
    for task in tasks:
        for method in methods:
            cell = by_key.get((task, method))
            if cell is None:
                continue
            constant = "-" if cell.get("constant_answer") is None else _answer(cell["constant_answer"])
            top = ", ".join(f"{_answer(d['answer'])} ×{d['count']}" for d in cell.get("answer_distribution", []))
            lines.append(f"| {task} | {method} | {cell['n']} | {constant} | {top or '-'} |")
    return lines


def _points(value: float | None, signed: bool = True) -> str:
    return "-" if value is None else (f"{value * 100:+.1f}" if signed else f"{value * 100:.1f}")


def _comparison_lines(results: Results) -> list[str]:
    """Each method minus the better baseline of its task (paired 95% CI), then pooled per method."""
    compared = results.get("comparisons") or []
    if not compared:
        return []
    lines = ["", "## Against the better baseline (majority or zero_shot, per task)", "",
             "| task | method | better baseline | difference (points) [95% CI] |", "|---|---|---|---|"]
    for c in compared:
        lines.append(f"| {c['task']} | {c['method']} | {c['baseline']} | {_points(c['difference'])} "
                     f"[{_points(c['ci_low'])}, {_points(c['ci_high'])}] |")
    lines += ["", "| method | tasks | items | pooled accuracy [95% CI] | better baselines pooled | mean difference [95% CI] "
                  "| median difference | tasks with CI > 0 | tasks with CI < 0 |", "|---|---|---|---|---|---|---|---|---|"]
    for p in results.get("pooled") or []:
        lines.append(f"| {p['method']} | {p['tasks']} | {p['n']} | {_points(p['accuracy'], False)} "
                     f"[{_points(p['ci_low'], False)}, {_points(p['ci_high'], False)}] | {_points(p['better_baseline_accuracy'], False)} "
                     f"| {_points(p['mean_difference'])} [{_points(p['mean_difference_ci_low'])}, {_points(p['mean_difference_ci_high'])}] "
                     f"| {_points(p['median_difference'])} | {p['tasks_above']} | {p['tasks_below']} |")
    lines += ["", "Mean difference: the mean over tasks of each task's difference, its interval from resampling "
                  "items within each task; pooled accuracy: all items of those tasks together."]
    return lines


def markdown_table(results: Results) -> str:
    """Accuracy with 95% CI (methods as rows, tasks as columns, n in the headers), the p-values
    against zero-shot, the settings line, each method against the better baseline (per task and
    pooled), then every cell's answer distribution."""
    tasks, methods, by_key = table_rows(results)
    headers = [f"{t} ({_n_label([c for (ct, _), c in by_key.items() if ct == t])})" for t in tasks]
    lines = ["## Accuracy (%) with 95% bootstrap CI", ""]
    lines += _grid(tasks, methods, by_key, _accuracy_cell, headers, mean=True)
    lines += ["", _settings_line(results, methods)]
    compared = [m for m in methods if m != BASELINE_METHOD and any(by_key.get((t, m), {}).get("p_vs_zero_shot") is not None for t in tasks)]
    if compared:
        lines += ["", f"## Paired bootstrap p-value vs {BASELINE_METHOD} (two-sided, same items)", ""]
        lines += _grid(tasks, compared, by_key, _p_cell, tasks, mean=False)
    lines += _comparison_lines(results)
    lines += ["", "## Answer distributions", ""]
    lines += _distribution_lines(tasks, methods, by_key)
    return "\n".join(lines) + "\n"


CSV_COLUMNS = ("task", "method", "accuracy", "ci_low", "ci_high", "n", "p_vs_zero_shot", "constant_answer",
               "failures", "model", "paths", "answer_distribution")


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=isinstance(value, dict))
    return str(value)


def write_csv(results: Results, path: Path) -> None:
    """One row per cell; empty fields for None (no CI, no p-value, no constant answer)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for cell in results["cells"]:
            writer.writerow([_csv_value(cell.get(column)) for column in CSV_COLUMNS])


def accuracy_bars(results: Results) -> list[dict[str, Any]]:
    """The bars of the accuracy plot: one per cell that was run (x slot, height, error bar)."""
    tasks, methods, by_key = table_rows(results)
    width = 0.8 / max(1, len(methods))
    bars = []
    for j, method in enumerate(methods):
        for i, task in enumerate(tasks):
            cell = by_key.get((task, method))
            if cell is None:
                continue  # not run: no bar at all (not a zero bar)
            acc = cell["accuracy"] * 100
            low = acc if cell.get("ci_low") is None else cell["ci_low"] * 100
            high = acc if cell.get("ci_high") is None else cell["ci_high"] * 100
            bars.append({"task": task, "method": method, "x": i + j * width, "width": width, "height": acc,
                         "err": (max(0.0, acc - low), max(0.0, high - acc))})
    return bars


def plot_accuracy(results: Results, path: Path) -> None:
    """Grouped bars: accuracy per task, one bar per method that was run, 95% CI error bars,
    n in the task labels."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tasks, methods, by_key = table_rows(results)
    bars = accuracy_bars(results)
    width = 0.8 / max(1, len(methods))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    fig, ax = plt.subplots(figsize=(max(6, 1.3 * len(tasks)) + 1.5, 4.2))
    for j, method in enumerate(methods):
        mine = [b for b in bars if b["method"] == method]
        ax.bar([b["x"] for b in mine], [b["height"] for b in mine], width=width, label=method,
               color=colors[j % len(colors)], yerr=[[b["err"][0] for b in mine], [b["err"][1] for b in mine]],
               error_kw={"elinewidth": 0.8, "capsize": 2})
    labels = [f"{t} ({_n_label([c for (ct, _), c in by_key.items() if ct == t])})" for t in tasks]
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(tasks))], labels, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("exact-match accuracy (%), 95% CI")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
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
    """Accuracy of the chosen program vs number of candidates, one line per task and executor;
    nothing is written (False) when the run has no CoTACS search."""
    records = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(run_dir.glob("*/search-*/program.json"))]
    curves = [(r, candidates_curve(r)) for r in records]
    curves = [(r, c) for r, c in curves if c]
    if not curves:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for record, curve in curves:
        ax.plot([m for m, _ in curve], [a * 100 for _, a in curve], marker="o",
                label=f"{record['task']} ({record['settings']['executor']})")
    ax.set_xlabel("number of candidate programs")
    ax.set_ylabel("ranking-set accuracy of chosen program (%)")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def write_report(results: Results, run_dir: Path) -> dict[str, Path]:
    """results.json, then results.md, results.csv, accuracy.png (and candidates.png when the run
    has CoTACS searches) rendered from it, in the run directory."""
    paths = {"json": write_results(results, run_dir), "markdown": run_dir / "results.md",
             "csv": run_dir / "results.csv", "accuracy_plot": run_dir / "accuracy.png"}
    paths["markdown"].write_text(markdown_table(results), encoding="utf-8")
    write_csv(results, paths["csv"])
    plot_accuracy(results, paths["accuracy_plot"])
    if plot_candidates(run_dir, run_dir / "candidates.png"):
        paths["candidates_plot"] = run_dir / "candidates.png"
    return paths
