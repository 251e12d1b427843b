"""dvc.yaml and the flows agree: same output paths, each stage's own code among its deps, params that exist."""

from __future__ import annotations

from pathlib import Path

import yaml

from flows.caching import source_deps
from flows.layout import Layout
from stages.params import load_params

REPO = Path(__file__).resolve().parents[2]
# A foreach stage keeps its definition under "do".
SPEC = {n: s.get("do", s) for n, s in yaml.safe_load((REPO / "dvc.yaml").read_text())["stages"].items()}


def _outs(stage: str) -> set[str]:
    spec = SPEC[stage]
    entries = spec.get("outs", []) + spec.get("metrics", []) + spec.get("plots", [])
    return {e if isinstance(e, str) else next(iter(e)) for e in entries}


def test_flow_layout_writes_where_dvc_expects() -> None:
    layout = Layout(Path("."))
    report = layout.report
    assert _outs("rollout") == {str(layout.rollout_store("${key}"))}
    assert _outs("ingest") == {str(layout.store)}
    assert _outs("baselines") == {str(layout.baselines / "${item.model}-${item.benchmark}.parquet")}
    assert _outs("discover") == {str(layout.discovery), str(layout.discover_metrics)}
    assert _outs("heldout") == {str(layout.heldout), str(layout.heldout_metrics)}
    assert _outs("report") == {str(p) for p in (report.table, report.html, report.figures, report.curves,
                                                report.trajectory)}


def test_every_stage_depends_on_its_own_module_and_runs_it() -> None:
    for name, spec in SPEC.items():
        assert f"stages/{name}.py" in spec["deps"], name
        assert spec["cmd"].startswith(f"python -m stages.{name} "), name


def test_stage_params_name_existing_sections() -> None:
    raw = yaml.safe_load((REPO / "params.yaml").read_text())
    load_params(REPO / "params.yaml")
    for name, spec in SPEC.items():
        for dotted in spec["params"]:
            section, _, key = dotted.partition(".")
            assert section in raw and (not key or key.split(".")[0] in raw[section]), f"{name}: {dotted}"


def test_cache_keys_use_code_deps_but_not_other_stages_outputs() -> None:
    deps = {str(p.relative_to(REPO)) for p in source_deps("heldout")}
    assert "stages/heldout.py" in deps and "autotts/evaluate" in deps
    assert not any(d.startswith("data/pipeline") for d in deps)
