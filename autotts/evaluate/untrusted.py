"""Controller files: read once, told apart (autotts's template, or untrusted), and evaluated accordingly.

A file the mechanism template rendered is autotts code and runs in-process
like a built-in. Any other file runs in the discovery sandbox
(:mod:`autotts.discover.sandbox`): one isolated fast run over every store and
beta asked for at once, accounted and graded here, then one secret sample of
all those episodes verified in strict mode at the level used for published
numbers. A rejection is a :class:`~autotts.errors.ControllerError` naming the
file and the reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autotts.errors import ControllerError
from autotts.replay.matrix import ReplayMatrix
from autotts.results import EpisodeResults

__all__ = ["TRUSTED", "ControllerFile", "evaluate_untrusted", "read_controller_file"]

TRUSTED = "trusted"
# The sandbox's time allowance for an untrusted file grows with the episodes it replays.
_BASE_SECONDS = 300
_SECONDS_PER_EPISODE = 0.05


@dataclass(frozen=True, slots=True)
class ControllerFile:
    """A controller file as read once: its text, its digest, and whether autotts's template wrote it."""

    path: str
    source: str
    digest: str
    trusted: bool


def read_controller_file(path: str) -> ControllerFile:
    """Read and classify ``path``; a missing or unacceptable file is a :class:`ControllerError`."""
    # imported here: the sandbox's accounting imports the evaluate package
    from autotts.discover.sandbox import SourceRejected, is_template_source, read_source

    if not Path(path).exists():
        raise ControllerError(f"{path}: controller file not found")
    try:
        source = read_source(Path(path))
    except SourceRejected as exc:
        raise ControllerError(str(exc)) from None
    return ControllerFile(path, source, hashlib.sha256(source.encode()).hexdigest(), is_template_source(source))


def evaluate_untrusted(
    file: ControllerFile, matrices: Sequence[ReplayMatrix], params: Sequence[Mapping[str, Any]], *, seeds: int,
    trace_seeds: int, unsafe_no_isolation: bool,
) -> tuple[list[EpisodeResults], str]:
    """Every parameter set on every matrix (matrix-major), isolated and verified; and the results' origin."""
    from autotts.discover.sandbox import FINAL, Group, Isolation, SandboxLimits, UntrustedRunner, WorkerFailure

    isolation = Isolation.UNSAFE if unsafe_no_isolation else Isolation.BUBBLEWRAP
    episodes = seeds * sum(m.n_questions for m in matrices) * len(params)
    cpu = round(_BASE_SECONDS + _SECONDS_PER_EPISODE * episodes)
    runner = UntrustedRunner(matrices, isolation, SandboxLimits(cpu_seconds=cpu, wall_seconds=2.0 * cpu))
    groups = [Group(m, p) for m in range(len(matrices)) for p in params]
    outcome = runner.run(file.source, groups, seeds, trace_seeds=trace_seeds, level=FINAL)
    if isinstance(outcome, WorkerFailure):
        raise ControllerError(f"{file.path}: rejected ({outcome.kind}): {outcome.message}")
    return outcome, isolation.value
