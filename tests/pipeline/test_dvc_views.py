"""What DVC shows of the pipeline: params.yaml as DVC writes it back, metrics a row per method, a plot per store.

The metrics and plots are read by the real ``dvc`` command in a scratch git repository holding this
project's dvc.yaml, params.yaml and plot templates, and files written by the stages' own writers.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import yaml
from dvc.utils.hydra import apply_overrides

from stages.heldout import write_metrics
from stages.io import EVAL_SCHEMA
from stages.report import write_curves

REPO = Path(__file__).resolve().parents[2]


def test_params_yaml_is_already_in_the_style_dvc_writes_back(tmp_path: Path) -> None:
    copy = tmp_path / "params.yaml"
    shutil.copy(REPO / "params.yaml", copy)
    generations = yaml.safe_load(copy.read_text())["discover"]["generations"]
    apply_overrides(copy, [f"discover.generations={generations}"])  # what `dvc exp run -S` does to the file
    assert copy.read_text() == (REPO / "params.yaml").read_text()
    apply_overrides(copy, [f"discover.generations={generations + 1}"])
    before, after = (REPO / "params.yaml").read_text().splitlines(), copy.read_text().splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1 and changed[0][0].startswith(f"  generations: {generations} ")
    assert changed[0][1] == changed[0][0].replace(f": {generations} ", f": {generations + 1} ")


def _evaluations() -> pl.DataFrame:
    rows = [("M", "a24", family, f"{family}@{k}", float(k * 1000), 50.0 + k)
            for family in ("sc", "cmc", "discovered") for k in (1, 4)]
    rows.append(("N", "a24", "sc", "sc@1", 900.0, 40.0))
    full = [{**{c: None for c in EVAL_SCHEMA}, "model": m, "benchmark": b, "family": f, "label": label,
             "avg_tokens": t, "accuracy": a} for m, b, f, label, t, a in rows]
    return pl.DataFrame(full, schema=EVAL_SCHEMA)


def _dvc(repo: Path, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "dvc", *args, "--json"], cwd=repo, capture_output=True, text=True,
                          check=True, timeout=300)
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def scratch_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git + DVC repository with this project's pipeline definitions and report-shaped outputs."""
    repo = tmp_path_factory.mktemp("dvc-views")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run([sys.executable, "-m", "dvc", "init", "-q"], cwd=repo, check=True)
    for name in ("dvc.yaml", "params.yaml"):
        shutil.copy(REPO / name, repo / name)
    shutil.copytree(REPO / ".dvc" / "plots", repo / ".dvc" / "plots")
    write_curves(repo / "reports" / "curves", _evaluations(), {"a24": "search"})
    trajectory = pl.DataFrame({"round": [0, 0, 1, 1], "benchmark": ["a24", "a25"] * 2, "avg_tokens": [1e5] * 4,
                               "accuracy": [50.0, 40.0, 55.0, 41.0], "objective": [1.0, 1.0, 2.0, 2.0]})
    trajectory.write_csv(repo / "reports/trajectory.csv")
    write_metrics(repo / "data/pipeline/metrics/heldout", {
        "a24-search": {"SC@64": {"accuracy": 80.0, "tokens_k": 900.0}, "Discovered(beta=1)": {"accuracy": 81.0,
                                                                                              "tokens_k": 400.0}},
        "a25-heldout": {"SC@64": {"accuracy": 70.0, "tokens_k": 950.0}},
    })
    return repo


def test_metrics_show_prints_a_row_per_method_with_two_columns(scratch_repo: Path) -> None:
    shown = _dvc(scratch_repo, "metrics", "show")
    files = next(iter(shown.values()))["data"]
    prefix = "data/pipeline/metrics/heldout/"
    rows = {path.removeprefix(prefix): data["data"] for path, data in files.items() if path.startswith(prefix)}
    assert rows == {
        "a24-search/SC@64.json": {"accuracy": 80.0, "tokens_k": 900.0},
        "a24-search/Discovered(beta=1).json": {"accuracy": 81.0, "tokens_k": 400.0},
        "a25-heldout/SC@64.json": {"accuracy": 70.0, "tokens_k": 950.0},
    }


def test_plots_show_draws_a_plot_per_store_with_a_colour_per_method(scratch_repo: Path) -> None:
    plots = _dvc(scratch_repo, "plots", "show")["data"]
    assert sorted(plots) == ["reports/curves/M-a24.csv", "reports/curves/N-a24.csv", "reports/trajectory.csv"]
    spec = plots["reports/curves/M-a24.csv"][0]["content"]
    assert spec["encoding"]["color"]["field"] == "family"
    assert spec["encoding"]["x"]["scale"] == {"type": "log"}
    assert {row["family"] for row in spec["data"]["values"]} == {"sc", "cmc", "discovered"}
    trajectory = plots["reports/trajectory.csv"][0]["content"]
    assert trajectory["encoding"]["color"]["field"] == "benchmark"
