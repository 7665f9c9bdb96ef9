"""Evaluation: baselines, CoGEX and CoTACS methods over tasks, results tables and plots."""
