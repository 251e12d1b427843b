"""A fresh clone's ``dvc repro`` leaves ``git status`` clean: every stage's outputs reproduce byte for byte.

The whole pipeline takes ~11 minutes on 2 cores, nearly all of it the default discovery, which is past
CI's budget. So this runs every stage at CI sizes (``CI_SIZES``: a short discovery, fewer held-out seeds)
and checks them two ways:

1. Against the committed dvc.lock, built by someone else at another path and time: ingest and the
   baselines run at their committed params, so their dvc.lock entries must come out as committed. An
   entry with the committed command, dependencies and params but other outputs fails the check. An entry
   whose inputs differ means the committed dvc.lock is stale (any code change makes it so until someone
   runs the full ``dvc repro``): that is printed, not failed, and the stage is checked as in 2.
2. Against a second build: every stage not matched in 1 (at least discover, heldout and report, whose
   params CI shrinks) runs again, forced, in a second fresh clone at another path, which starts from the
   first clone's committed dvc.lock and outputs (through its DVC cache). Nothing tracked may change, and
   ``dvc status`` must stay clean.

Usage: ``python scripts/check_repro.py`` from a checkout whose python has dvc (``.ci/run`` uses .venv's).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
CI_SIZES: dict[str, dict[str, Any]] = {  # params.yaml overrides: the discovery's size, and the held-out seeds
    "discover": {"generations": 2, "population": 8, "search_seeds": 2, "seeds": 10, "finalists": 2},
    "heldout": {"seeds": 10, "trajectory_seeds": 2},
}
GIT = ["git", "-c", "user.name=check_repro", "-c", "user.email=ci@localhost"]
# dvc, and the `python` that dvc.yaml's commands call: this interpreter's environment
ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


class ReproFailure(Exception):
    """A stage's outputs did not reproduce."""


def _run(command: list[str], cwd: Path, *, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise ReproFailure(f"{' '.join(command)} failed in {cwd}:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return result


def _lock(text: str) -> dict[str, Any]:
    stages: dict[str, Any] = (yaml.safe_load(text) or {}).get("stages", {})
    return stages


def _inputs(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in entry.items() if key != "outs"}


def _shrunk(entry: dict[str, Any]) -> bool:
    """Whether a stage reads params that CI shrinks (so its committed entry cannot match)."""
    return any(key.split(".")[0] in CI_SIZES for key in entry.get("params", {}).get("params.yaml", {}))


def _shrink(params: Path) -> None:
    raw = yaml.safe_load(params.read_text())
    for section, overrides in CI_SIZES.items():
        raw[section].update(overrides)
    params.write_text(yaml.safe_dump(raw, sort_keys=False))


def _reuse_compiled_kernels(source: Path, clone: Path) -> None:
    """Copy numba's on-disk kernels into the clone, saving their compilation (~20 CPU-s per build).

    numba keys them by a hash of their source file, so a clone's identical source reuses them. A kernel that
    calls one in another file is not keyed by that file, so this is skipped when ``source``'s code has changes
    not in the clone (it has uncommitted ones).
    """
    if _run(["git", "status", "--porcelain", "--", "autotts"], source).stdout:
        return
    for kernel in (source / "autotts").rglob("__pycache__/*.nb[ic]"):
        (clone / kernel.relative_to(source)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(kernel, clone / kernel.relative_to(source))


def _repro(clone: Path, *forced: str) -> None:
    """``dvc repro`` of every stage, or run each ``forced`` stage in turn (DVC would restore them from its cache)."""
    started = time.monotonic()
    _run(["dvc", "repro", "-q", "--no-run-cache", *(["--force", "--single-item", *forced] if forced else [])], clone)
    print(f"check_repro: dvc repro in {clone.name}: {time.monotonic() - started:.0f} s")


def _against_the_committed_lock(clone: Path) -> list[str]:
    """Compare the first build's dvc.lock with the committed one; the stages that still need a second build."""
    committed = _lock(_run(["git", "show", "HEAD:dvc.lock"], clone, check=False).stdout)
    built = _lock((clone / "dvc.lock").read_text())
    matched, stale, recheck = [], [], []
    for stage, entry in built.items():
        theirs = committed.get(stage)
        if entry == theirs:
            matched.append(stage)
            continue
        if theirs is not None and _inputs(entry) == _inputs(theirs):
            changed = [o["path"] for o in entry["outs"] if o not in theirs["outs"]]
            raise ReproFailure(f"stage {stage}: the committed inputs built other outputs: {', '.join(changed)}")
        recheck.append(stage)
        if not _shrunk(entry):
            stale.append(stage)
    print(f"check_repro: reproduced the committed dvc.lock: {', '.join(matched) or 'no stage'}")
    if stale:
        print(f"check_repro: note: the committed dvc.lock is stale for: {', '.join(stale)} "
              "(run the full dvc repro and commit it)")
    return recheck


def _against_a_second_build(first: Path, second: Path, stages: list[str]) -> None:
    """Build ``stages`` again in a fresh clone of the first build; nothing tracked may change."""
    _run([*GIT, "add", "-A"], first)
    _run([*GIT, "commit", "-qm", "the first build"], first)
    _run(["git", "clone", "-q", str(first), str(second)], second.parent)
    _reuse_compiled_kernels(first, second)
    _run(["dvc", "cache", "dir", "--local", str(first / ".dvc" / "cache")], second)
    _run(["dvc", "checkout", "-q"], second)  # the first build's outputs: a stage rebuilt below must match them
    _repro(second, *stages)
    dirty = _run(["git", "status", "--porcelain"], second).stdout
    if dirty:
        diff = _run(["git", "diff", "--stat"], second).stdout
        raise ReproFailure(f"a second build of {', '.join(stages)} changed tracked files:\n{dirty}{diff}")
    if _run(["dvc", "status", "-q"], second, check=False).returncode != 0:
        raise ReproFailure(f"dvc status is not clean after the second build:\n{_run(['dvc', 'status'], second).stdout}")
    print(f"check_repro: a second build reproduced: {', '.join(stages)}")


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="check-repro-"))
    try:
        first, second = work / "first", work / "second"
        _run(["git", "clone", "-q", str(REPO), str(first)], work)
        _reuse_compiled_kernels(REPO, first)
        _shrink(first / "params.yaml")
        _repro(first)
        recheck = _against_the_committed_lock(first)
        _against_a_second_build(first, second, recheck)
    except ReproFailure as failure:
        print(f"check_repro: FAILED: {failure}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("check_repro: a fresh clone's dvc repro left git status clean")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
