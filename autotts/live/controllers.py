"""Who runs a live controller: this process for autotts's own code, an isolated worker for anything else.

A live question is an engine (:class:`~autotts.replay.episode.QuestionEngine`);
the controller side only asks it for actions. Built-ins and files the
mechanism template rendered are autotts's own code and solve in this process
through a :class:`~autotts.replay.episode.QuestionView`. Any other file is
hostile code: each question gets a fresh sandbox worker (bubblewrap, seccomp,
rlimits; see docs/SANDBOX.md) speaking the strict-mode protocol, in which every
action is a request that this process answers from the live engine. The
worker never sees the model, the prompt or the gold answer, only what its
actions reveal, and the tokens are counted here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autotts.controllers.base import registered
from autotts.controllers.loading import ControllerSpec, load_controller_source, resolve_controller
from autotts.errors import ControllerError, LiveError
from autotts.replay.episode import QuestionEngine, live_view

__all__ = ["TRUSTED", "ControllerFailed", "LiveController", "Solve", "live_controller"]

TRUSTED = "trusted"
# One question's allowance for a sandboxed controller's own computation (the model's time is not its own).
_WORKER_CPU_SECONDS = 120
_WORKER_WALL_SECONDS = 3600.0

Solve = Callable[[QuestionEngine], "str | None"]


class ControllerFailed(LiveError):
    """The controller raised, or its sandbox worker failed (its limits, a forbidden call, bad output)."""


@dataclass(frozen=True)
class LiveController:
    """A controller ready to solve live questions: one fresh solver per question."""

    spec: ControllerSpec
    origin: str  # trusted | sandboxed | unsafe-opt-out, as evaluations.origin
    new_solver: Callable[[], Solve]


def live_controller(
    name_or_path: str,
    params: Mapping[str, Any],
    *,
    unsafe_no_isolation: bool = False,
    timeout: float | None = None,
) -> LiveController:
    """Resolve ``name_or_path`` with ``params``; a file autotts did not write will run sandboxed.

    Everything that can be checked before a model loads is: a built-in's
    parameters, a file's readability as source, the sandbox's availability.
    """
    if name_or_path in registered():
        _, spec = resolve_controller(name_or_path, params)  # a bad parameter fails now
        return LiveController(spec, TRUSTED, lambda: _in_process(resolve_controller(name_or_path, params)[0]))
    from autotts.discover.sandbox import Isolation, SandboxLimits, SourceRejected, is_template_source, read_source
    from autotts.discover.sandbox.isolation import require

    path = Path(name_or_path)
    if not path.exists():
        if path.suffix != ".py":
            known = ", ".join(sorted(registered()))
            raise ControllerError(f"unknown controller {name_or_path!r}: not registered ({known}) and not a file")
        raise ControllerError(f"{path}: controller file not found")
    try:
        source = read_source(path)
    except SourceRejected as exc:
        raise ControllerError(str(exc)) from None
    spec = ControllerSpec(str(path), dict(params), hashlib.sha256(source.encode()).hexdigest())
    if is_template_source(source):
        load_controller_source(source, str(path), params)  # the template's own code: a bad parameter fails now
        return LiveController(spec, TRUSTED, lambda: _in_process(load_controller_source(source, str(path), params)))
    isolation = Isolation.UNSAFE if unsafe_no_isolation else Isolation.BUBBLEWRAP
    require(isolation)
    limits = SandboxLimits(cpu_seconds=_WORKER_CPU_SECONDS, wall_seconds=timeout or _WORKER_WALL_SECONDS)
    return LiveController(spec, isolation.value, lambda: _Sandboxed(source, dict(params), isolation, limits))


def _in_process(controller: Any) -> Solve:
    def solve(engine: QuestionEngine) -> str | None:
        with live_view(engine) as view:
            answer = controller.solve(view)
        return None if answer is None else str(answer)

    return solve


class _Sandboxed:
    """One question in a fresh strict-mode worker: each of its actions is answered from the live engine."""

    def __init__(self, source: str, params: dict[str, Any], isolation: Any, limits: Any) -> None:
        self.source = source
        self.params = params
        self.isolation = isolation
        self.limits = limits

    def __call__(self, engine: QuestionEngine) -> str | None:
        from autotts.discover.sandbox import protocol
        from autotts.discover.sandbox.process import Worker, WorkerError
        from autotts.discover.sandbox.strict import serve_episode

        job = {
            "mode": "strict",
            "fresh": True,
            "groups": [{"model": 0, "params": self.params}],
            "output_limit": self.limits.candidate_output_chars,
            "answer_limit": self.limits.answer_bytes,
        }
        try:
            with Worker(self.isolation, self.limits) as worker:
                worker.send(protocol.JOB, protocol.encode_json(job))
                worker.send(protocol.SOURCE, self.source.encode())
                _, answer = serve_episode(worker, 0, engine.pool_size, engine, self.limits.answer_bytes)
                worker.send(protocol.END)
                worker.receive(protocol.DONE)
        except WorkerError as exc:
            raise ControllerFailed(f"sandboxed controller failed ({exc.failure.kind}): {exc.failure.message}") from None
        return answer
