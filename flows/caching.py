"""Cache keys for stage tasks: the stage's code and input files by content, its params by value.

DVC decides whether a stage is stale from dvc.yaml's deps; the flows hash
those very deps (code, source data) and the stage's import closure
(``flows/closure.py``), which the deps must cover, so a task's cached result
is reused exactly when ``dvc repro`` would skip the stage. No key holds a path
as it was given: inputs count by content alone, code by its place in the
project and its content, and outputs by where they resolve to (what the task
writes, not what it reads), so a run from the CLI (``root="."``) and the
deployment's run (``root=/abs/checkout``) share every cached task.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from autotts.errors import ConfigError
from flows.closure import stage_closure

__all__ = ["PROJECT_DIR", "digest", "source_deps", "stage_cache_key"]

PROJECT_DIR = Path(__file__).resolve().parent.parent
_IGNORED = {"__pycache__"}


def digest(path: Path) -> str:
    """sha256 of a file, or of a folder's relative names and contents; ``absent`` if missing."""
    if path.is_file():
        return hashlib.sha256(path.read_bytes()).hexdigest()
    if not path.is_dir():
        return "absent"
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file() and not _IGNORED.intersection(p.parts)):
        if f.suffix == ".pyc":
            continue
        h.update(str(f.relative_to(path)).encode())
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


@cache
def source_deps(stage: str) -> tuple[Path, ...]:
    """The stage's import closure and dvc.yaml's deps of it that no stage writes and no param names."""
    # A foreach stage keeps its definition under "do".
    stages = yaml.safe_load((PROJECT_DIR / "dvc.yaml").read_text())["stages"]
    spec = {name: s.get("do", s) for name, s in stages.items()}
    if stage not in spec:
        raise ConfigError(f"dvc.yaml: no stage {stage!r}")
    outs = [_out_path(o) for s in spec.values() for o in s.get("outs", []) + s.get("metrics", [])]
    declared = [
        dep for dep in spec[stage]["deps"]
        if "${" not in dep and not any(out == dep or out.startswith(dep + "/") for out in outs)
    ]
    return tuple(PROJECT_DIR / dep for dep in sorted({*declared, *map(str, stage_closure(stage))}))


def stage_cache_key(
    stage: str, *, outputs: Iterable[str] = (), inputs: Callable[[dict[str, Any]], Iterable[Path]] = lambda _: (),
) -> Callable[[Any, dict[str, Any]], str]:
    """A Prefect ``cache_key_fn`` for ``stage``.

    Parameters named in ``outputs`` are written, so they count by where they resolve to; ``inputs``
    maps the parameters to data read through params (such as ``ingest.path``),
    which count by content like every ``Path`` parameter.
    """
    written = frozenset(outputs)

    def key(_context: Any, parameters: dict[str, Any]) -> str:
        parts: list[Any] = [stage, [(str(p.relative_to(PROJECT_DIR)), digest(p)) for p in source_deps(stage)]]
        parts.append([digest(Path(p)) for p in inputs(parameters)])
        for name, value in sorted(parameters.items()):
            parts.append([name, _output_key(value) if name in written else _value_key(value)])
        return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()

    return key


def _output_key(value: Any) -> Any:
    """Where an output (a path, or a dataclass of paths) resolves to."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _output_key(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return str(Path(value).resolve())


def _value_key(value: Any) -> Any:
    if isinstance(value, Path):
        return digest(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, list | tuple):
        return [_value_key(v) for v in value]
    return value


def _out_path(out: str | dict[str, Any]) -> str:
    return out if isinstance(out, str) else next(iter(out))
