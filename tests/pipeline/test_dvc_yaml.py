"""dvc.yaml and the flows agree: same output paths, every stage's code among its deps, params that exist."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import yaml

from flows.caching import source_deps
from flows.closure import import_closure, stage_closure
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
    assert _outs("report") == {str(getattr(report, f.name)) for f in fields(report)}


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


def uncovered(stage: str, deps: list[str], root: Path = REPO) -> list[str]:
    """Files of the stage's import closure that no dep (a file or a folder above it) names."""
    return [str(f) for f in stage_closure(stage, root)
            if not any(f == Path(d) or Path(d) in f.parents for d in deps)]


def test_every_stage_depends_on_all_the_code_it_can_run() -> None:
    for name, spec in SPEC.items():
        missing = uncovered(name, spec["deps"])
        assert not missing, f"dvc.yaml stage {name!r} runs code not in its deps (add them): {', '.join(missing)}"


def _project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_a_stage_that_imports_code_its_deps_miss_is_caught(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "stages/__init__.py": "", "stages/cli.py": "",
        "stages/demo.py": "from stages import cli\n\ndef run():\n    from autotts.extra import helper\n",
        "autotts/__init__.py": "", "autotts/extra.py": "from .deeper import x\n", "autotts/deeper.py": "x = 1\n",
    })
    assert uncovered("demo", ["stages/demo.py", "stages/cli.py", "autotts/__init__.py"], root) == [
        "autotts/deeper.py", "autotts/extra.py", "stages/__init__.py"]
    assert uncovered("demo", ["stages", "autotts"], root) == []


def test_lazy_reexports_count_only_for_names_taken_from_the_package(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "autotts/__init__.py": "",
        "autotts/pkg/__init__.py": "def __getattr__(name):\n    from autotts.pkg import heavy\n    return heavy\n",
        "autotts/pkg/light.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import autotts.typing_only\n",
        "autotts/pkg/heavy.py": "", "autotts/typing_only.py": "",
        "autotts/uses_light.py": "from autotts.pkg.light import x\n",
        "autotts/uses_name.py": "from autotts.pkg import run\n",
    })
    assert [str(p) for p in import_closure("autotts.uses_light", root)] == [
        "autotts/__init__.py", "autotts/pkg/__init__.py", "autotts/pkg/light.py", "autotts/uses_light.py"]
    assert "autotts/pkg/heavy.py" in [str(p) for p in import_closure("autotts.uses_name", root)]


def test_cache_keys_hash_the_closure_but_not_other_stages_outputs() -> None:
    deps = {str(p.relative_to(REPO)) for p in source_deps("heldout")}
    assert {str(p) for p in stage_closure("heldout")} <= deps
    assert "stages/heldout.py" in deps and "autotts/evaluate/runner.py" in deps
    assert not any(d.startswith("data/pipeline") for d in deps)
