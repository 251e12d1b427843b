"""The Prefect pipeline flow on a small slice: the artifacts it leaves, and its cache on a second run."""

from __future__ import annotations

import json

import polars as pl

from flows.layout import Layout
from flows.pipeline import pipeline_flow


def test_flow_writes_every_stage_output(pipeline_run) -> None:
    run, _ = pipeline_run
    layout = Layout(run.root)
    assert layout.store.is_file()
    tables = sorted(p.name for p in layout.baselines.glob("*.parquet"))
    assert tables == ["Qwen3-8B-aime24.parquet", "Qwen3-8B-aime25.parquet"]
    assert (layout.discovery / "best.py").is_file() and (layout.discovery / "summary.json").is_file()
    assert (layout.heldout / "evaluations.parquet").is_file()
    for path in (layout.report.table, layout.report.html, layout.report.summary, layout.report.trajectory):
        assert path.is_file(), path
    assert sorted(p.name for p in layout.report.curves.iterdir()) == ["Qwen3-8B-aime24.csv", "Qwen3-8B-aime25.csv"]


def test_baseline_tables_hold_each_method_at_each_budget(pipeline_run) -> None:
    run, _ = pipeline_run
    table = pl.read_parquet(Layout(run.root).baseline_table("Qwen3-8B", "aime25"))
    assert set(table.get_column("label")) == {
        "SC@1", "SC@4", "SC@16", "ASC@1", "ASC@4", "ASC@16", "CMC(beta=0.25)", "CMC(beta=0.75)",
    }
    assert (table.get_column("seeds") == 4).all()


def test_heldout_metrics_compare_discovered_with_baselines_on_both_splits(pipeline_run) -> None:
    run, _ = pipeline_run
    folder = Layout(run.root).heldout_metrics
    assert sorted(p.name for p in folder.iterdir()) == ["aime24-search", "aime25-heldout"]
    labels = {p.stem for p in (folder / "aime25-heldout").glob("*.json")}
    assert {"Discovered(beta=0.25)", "Discovered(beta=0.75)", "CMC(beta=0.25)", "SC@16"} <= labels
    figures = json.loads((folder / "aime25-heldout" / "SC@16.json").read_text())
    assert set(figures) == {"accuracy", "tokens_k"} and 0 <= figures["accuracy"] <= 100


def test_table1_lists_discovered_controller_at_two_betas(pipeline_run) -> None:
    run, _ = pipeline_run
    table = run.table.read_text()
    assert "aime24 (search)" in table and "aime25 (heldout)" in table
    assert "Discovered(beta=0.25)" in table and "Discovered(beta=0.75)" in table
    assert "Discovered(beta=0.25)" in run.summary


def test_second_run_is_served_from_the_cache(pipeline_run) -> None:
    run, params = pipeline_run
    before = {p: p.stat().st_mtime_ns for p in Layout(run.root).baselines.glob("*.parquet")}
    again = pipeline_flow(params_file=str(params), root=str(run.root))
    assert again.summary == run.summary
    assert {p: p.stat().st_mtime_ns for p in before} == before  # not rewritten: the tasks were cached


def test_rollout_watch_does_nothing_when_no_new_data_landed(pipeline_run) -> None:
    from flows.watch import rollout_watch_flow

    run, params = pipeline_run
    assert rollout_watch_flow(params_file=str(params), root=str(run.root)) is None
