"""Evaluation: baselines, CoGEX and CoTACS methods over tasks; bootstrap statistics, results.json, tables and plots (docs/evaluation.md)."""
