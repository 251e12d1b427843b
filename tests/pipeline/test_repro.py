"""DVC and Prefect agree: a flow run after `dvc repro` changes nothing DVC tracks, and the nightly
deployment reuses what a CLI flow run cached.

Both run on a copy of the project with the small params (one model, a one-round discovery).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pipeline.conftest import REPO, SMALL_PARAMS

GIT = ["git", "-c", "user.name=autotts-test", "-c", "user.email=test@localhost"]


def _run(command: list[str], cwd: Path, **env: str) -> str:
    # dvc.yaml's commands run `python`: this interpreter, on the project copy's own code
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=1800,
                            env={**os.environ, "PATH": path, **env})
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def reproduced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git copy of the project whose small pipeline `dvc repro` has run, and whose result is committed."""
    project = tmp_path_factory.mktemp("project")
    listed = _run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], REPO)
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file() and not name.startswith(("tests/", "benchmarks/", "reports/", "data/pipeline/")):
            (project / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, project / name)
    for kept in ("data/pipeline/.gitignore", "data/pipeline/metrics/.gitkeep", "reports/.gitignore"):
        if (REPO / kept).exists():
            (project / kept).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / kept, project / kept)
    for kernel in (REPO / "autotts").rglob("__pycache__/*.nb[ic]"):
        # numba's compiled kernels, keyed by their source's mtime and size (which copy2 keeps): the copy's
        # stages load them rather than compile every kernel again (~30 CPU-s)
        (project / kernel.relative_to(REPO)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(kernel, project / kernel.relative_to(REPO))
    shutil.copy(SMALL_PARAMS, project / "params.yaml")
    (project / "dvc.lock").unlink(missing_ok=True)
    _run(["git", "init", "-q"], project)
    _run([*GIT, "add", "-A"], project)
    _run([*GIT, "commit", "-qm", "project"], project)
    _run(["dvc", "repro", "-q"], project)
    _run([*GIT, "add", "-A"], project)
    _run([*GIT, "commit", "-qm", "dvc repro"], project)
    return project


@pytest.fixture(scope="module")
def flow_run(reproduced: Path, prefect_server: None) -> Path:
    """The reproduced project after one pipeline flow run, as the docs run it from a checkout (params.yaml, root
    ".") and as a user would after `dvc repro`: every stage computed again (its cache keys name these outputs)."""
    from flows.pipeline import pipeline_flow

    with contextlib.chdir(reproduced):
        pipeline_flow()
    return reproduced


def test_a_flow_run_after_dvc_repro_leaves_dvc_and_git_clean(flow_run: Path) -> None:
    assert "Data and pipelines are up to date" in _run(["dvc", "status"], flow_run)
    assert _run(["git", "status", "--porcelain"], flow_run) == ""


def test_the_nightly_deployment_reuses_ingest_and_discover_from_a_cli_run(
    flow_run: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from prefect.client.schemas.objects import FlowRun
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL

    from flows.deployments import NIGHTLY, register

    reproduced = flow_run  # the CLI run: relative paths
    monkeypatch.chdir(reproduced)
    register(reproduced / "params.yaml", reproduced)  # the deployment: absolute paths
    run = run_deployment(f"autotts-pipeline/{NIGHTLY}", timeout=0)
    assert isinstance(run, FlowRun)  # called from sync code: the run, not a coroutine
    log = _run(["prefect", "flow-run", "execute", str(run.id)], reproduced,
               PREFECT_API_URL=str(PREFECT_API_URL.value()), PYTHONPATH=str(reproduced))
    states = dict(re.findall(r"Task run '([^']*)' - Finished in state (\w+)", log))
    assert states.get("ingest") == "Cached" and states.get("discover") == "Cached", log[-4000:]
    assert states.get("report") == "Completed"  # the nightly run re-evaluates on purpose
    assert "Data and pipelines are up to date" in _run(["dvc", "status"], reproduced)
