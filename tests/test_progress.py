"""Progress displays: rates over the whole run, in the counter's own unit."""

from __future__ import annotations

from types import SimpleNamespace

from cogex.cli.progress import STAGE_LABELS, RateColumn


def _task(completed: float, elapsed: float, **fields: str) -> SimpleNamespace:
    return SimpleNamespace(completed=completed, elapsed=elapsed, finished=False, finished_time=None, fields=fields)


def test_rates_are_over_the_whole_run_and_slow_items_show_seconds_per_item() -> None:
    column = RateColumn()
    assert column.render(_task(6, 120.0)).plain == "20.0 s/it"  # 6 programs in 2 minutes, not a burst rate
    assert column.render(_task(300, 10.0, unit="tok")).plain == "30.00 tok/s"
    assert column.render(_task(0, 5.0)).plain == "-- it/s"


def test_stage_labels_say_what_is_counted() -> None:
    assert STAGE_LABELS["rank"] == "rank (program×item)" and STAGE_LABELS["apply"] == "apply (program×item)"
    assert STAGE_LABELS["propose"] == "propose (items)" and STAGE_LABELS["alive"] == "programs alive"
