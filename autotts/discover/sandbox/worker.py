"""The sandbox worker: runs one untrusted controller and reports only action logs and answers.

Started by :class:`autotts.discover.sandbox.process.Worker` inside the
isolation of :mod:`autotts.discover.sandbox.isolation`, with the CPU-time
and memory limits as arguments. It first limits itself (rlimits, death with
its parent) and, when it starts as root, becomes uid/gid 65534; then it
reads its job, the candidate's source and (fast mode) the gold-free traces
from stdin, moves its protocol stream off fd 1, installs the seccomp filter
and only then checks, compiles and runs the candidate.

Fast mode replays every episode of the job on a local engine that logs each
accepted action, and sends one group of logs and answers at a time. Strict
mode holds no traces: each action is a request answered by the parent's
engine. Whatever this process claims, the parent re-derives every figure
from the logs, so the worker has nothing to report but what it did.
"""

from __future__ import annotations

import ctypes
import io
import os
import resource
import signal
import sys
import time
import traceback
from array import array
from collections.abc import Callable
from typing import Any

from autotts.controllers.loading import load_controller_source
from autotts.discover.sandbox import protocol
from autotts.discover.sandbox.protocol import BRANCH, CONTINUE, PRUNE, READ, action_bound
from autotts.discover.sandbox.seccomp import install_filter
from autotts.discover.sandbox.static_check import check_source
from autotts.replay.episode import Episode, QuestionTraces, live_view

_NOBODY = 65534
# The span the candidate's clock starts in (2001-01-01 to 2038-01-01, UTC); see _new_clock.
_CLOCK_SPAN = (978_307_200, 2_145_916_800)
_PR_SET_PDEATHSIG = 1
_INPUT = protocol.FrameReader(1 << 30)  # the trusted parent's frames, on stdin


class _Refused(Exception):
    """The candidate broke a rule the worker checks itself: ``kind`` and message for the parent."""

    def __init__(self, kind: str, message: str, excerpt: str = "") -> None:
        super().__init__(message)
        self.kind, self.excerpt = kind, excerpt


class _BoundedText(io.TextIOBase):
    """Stands in for stdout/stderr: discards what the candidate prints, counts it against a limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.size += len(text)
        return len(text)

    def check(self) -> None:
        """Refuse the candidate once it has printed too much (checked here, where it cannot catch it)."""
        if self.size > self.limit:
            raise _Refused("output", f"printed more than {self.limit} characters")


_OUT: list[int] = []  # the protocol stream's descriptor, once main() has moved it off fd 1


def _new_clock() -> None:
    """Start the clock the candidate sees (libfaketime's, preloaded by the parent) at a secret random instant.

    Drawn at the worker's start and again for every freshly loaded controller, so the commitment and each
    verified episode see unrelated clocks: whatever a candidate derives from the clock, at any resolution,
    differs between them, and it is caught as nondeterministic rather than passed by the luck of timing.
    """
    low, high = _CLOCK_SPAN
    start = low + int.from_bytes(os.urandom(8), "little") % (high - low)
    os.environ["FAKETIME"] = time.strftime("@%Y-%m-%d %H:%M:%S", time.gmtime(start))


def _check_actions(taken: int, bound: int) -> None:
    """At an episode's action bound the worker reports and ends at once (an exception could be caught); the
    parent refuses such a log anyway, this only spares the time of the rest."""
    if taken >= bound:
        protocol.write_frame(_OUT[0], protocol.FAIL, _failure("actions", f"more than {bound} actions in one "
                                                                          f"episode, the most its branches allow"))
        os._exit(0)


class LoggedEpisode(Episode):
    """The engine, logging every action it accepted as a protocol code."""

    __slots__ = ("bound", "log")

    def __init__(self, traces: QuestionTraces, order: tuple[int, ...]) -> None:
        super().__init__(traces, order)
        self.log = array("i")
        self.bound = action_bound([len(p) for p in traces.probes])

    def explore(self, k: int, action: str = "continue") -> tuple[str, bool]:
        _check_actions(len(self.log), self.bound)
        out = super().explore(k, action)
        self.log.append(BRANCH if action == "branch" else k << 2 | CONTINUE)
        return out

    def read_whole(self) -> tuple[int, str]:
        _check_actions(len(self.log), self.bound)
        out = super().read_whole()
        self.log.append(READ)
        return out

    def prune(self, k: int) -> None:
        _check_actions(len(self.log), self.bound)
        super().prune(k)
        self.log.append(k << 2 | PRUNE)


class RemoteEpisode:
    """The engine's face in strict mode: every action is answered by the parent, which holds the traces."""

    def __init__(self, pool_size: int, send: Callable[[int], tuple[bool, bool, int, str]]) -> None:
        self.pool_size = pool_size
        self.opened = 0
        self.total = 0
        self._send = send
        self._opened_result: tuple[str, bool] | None = None

    def _act(self, code: int) -> tuple[str, bool]:
        ok, finished, total, text = self._send(code)
        if not ok:
            raise ValueError(text)
        self.total = total
        return text, finished

    def open(self) -> int:
        # BRANCH opens and probes in one request; the probe's result waits for explore(k, "branch")
        self._opened_result = self._act(BRANCH)
        self.opened += 1
        return self.opened - 1

    def explore(self, k: int, action: str = "continue") -> tuple[str, bool]:
        if action == "branch" and self._opened_result is not None and k == self.opened - 1:
            result, self._opened_result = self._opened_result, None
            return result
        return self._act(int(k) << 2 | CONTINUE)

    def read_whole(self) -> tuple[int, str]:
        answer, _ = self._act(READ)
        self.opened += 1
        return self.opened - 1, answer

    def prune(self, k: int) -> None:
        self._act(int(k) << 2 | PRUNE)


class _Session:
    """One job: the candidate's module, its controllers by parameters, the protocol streams."""

    def __init__(self, job: dict[str, Any], source: str, out_fd: int) -> None:
        self.job = job
        self.source = source
        self.out_fd = out_fd
        self.sink = _BoundedText(int(job["output_limit"]))
        self.answer_limit = int(job["answer_limit"])
        self._controllers: dict[str, Any] = {}

    def controller(self, group: dict[str, Any]) -> Any:
        """The group's controller: built once per group, or afresh (module and all) for every episode when
        the job says ``fresh``, so that nothing carries over between episodes."""
        if self.job["fresh"]:
            _new_clock()
            return load_controller_source(self.source, "candidate.py", group["params"])
        key = repr(sorted(group["params"].items()))
        if key not in self._controllers:
            self._controllers[key] = load_controller_source(self.source, "candidate.py", group["params"])
        return self._controllers[key]

    def solve(self, controller: Any, engine: LoggedEpisode | RemoteEpisode) -> str | None:
        """One episode: the controller's answer, checked."""
        with live_view(engine) as view:  # type: ignore[arg-type]
            return self.answer(controller.solve(view))

    def answer(self, value: object) -> str | None:
        if value is not None and not isinstance(value, str):
            raise _Refused("answer", f"solve() returned a {type(value).__name__}, not a string or None")
        if value is not None:
            try:
                size = len(value.encode())
            except UnicodeEncodeError:
                raise _Refused("answer", "solve() returned a string that is not valid Unicode") from None
            if size > self.answer_limit:
                raise _Refused("answer", f"solve() returned an answer of {size} bytes (limit {self.answer_limit})")
        return None if value is None else str(value)

    def run_fast(self, models: list[dict[str, Any]]) -> None:
        traces = [_question_traces(m) for m in models]
        orders = [{(n, s): tuple(o) for n, s, o in m["orders"]} for m in models]
        for group in self.job["groups"]:
            model = group["model"]
            lengths, codes, answers = array("i"), array("i"), []
            for seed, q in group["episodes"]:
                controller = self.controller(group)
                question = traces[model][q]
                episode = LoggedEpisode(question, orders[model][len(question.finals), seed])
                answers.append(self.solve(controller, episode))
                self.sink.check()
                lengths.append(len(episode.log))
                codes.extend(episode.log)
            protocol.write_frame(self.out_fd, protocol.LOGS, protocol.encode_logs(lengths, codes, answers))

    def run_strict(self) -> None:
        groups = self.job["groups"]

        def send(code: int) -> tuple[bool, bool, int, str]:
            protocol.write_frame(self.out_fd, protocol.ACTION, code.to_bytes(4, "little", signed=True))
            _, payload = _INPUT.read(0)
            return protocol.decode_response(payload)

        while True:
            kind, payload = _INPUT.read(0)
            if kind == protocol.END:
                return
            start = protocol.decode_json(payload)
            controller = self.controller(groups[start["group"]])
            answer = self.solve(controller, RemoteEpisode(int(start["pool"]), send))
            self.sink.check()
            protocol.write_frame(self.out_fd, protocol.ANSWER, protocol.encode_answer(answer))


def _question_traces(model: dict[str, Any]) -> list[QuestionTraces]:
    """Per question, the engine's traces; equal answers are one string object, as the parent's are."""
    out = []
    for q in model["questions"]:
        words: dict[str, str] = {}
        probes = tuple(tuple(words.setdefault(a, a) for a in row) for row in q["probes"])
        finals = tuple(words.setdefault(a, a) for a in q["finals"])
        out.append(QuestionTraces(probes, finals, tuple(q["tokens"]), int(model["probe_freq"])))
    return out


def _limit_self(cpu_seconds: int, memory_mb: int, parent: int) -> None:
    """Limits, death with the parent, and (under bubblewrap, started as root) the unprivileged user,
    before any input.

    ``parent`` is the parent's pid to check against, or 0 under bubblewrap, which kills us with the
    parent itself and has made every path we need readable to the unprivileged user.
    """
    ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent and os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    memory = memory_mb * 1024 * 1024
    for limit, value in ((resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5)), (resource.RLIMIT_AS, (memory, memory)),
                         (resource.RLIMIT_FSIZE, (0, 0)), (resource.RLIMIT_CORE, (0, 0)),
                         (resource.RLIMIT_NOFILE, (64, 64)), (resource.RLIMIT_NPROC, (64, 64))):
        resource.setrlimit(limit, value)
    if not parent and os.getuid() == 0:
        os.setgroups([])
        os.setresgid(_NOBODY, _NOBODY, _NOBODY)
        os.setresuid(_NOBODY, _NOBODY, _NOBODY)


def _failure(kind: str, message: str, excerpt: str = "") -> bytes:
    return protocol.encode_json({"kind": kind, "message": message[:600], "excerpt": excerpt[-2000:]})


def main() -> None:
    _limit_self(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
    _new_clock()
    _, job_payload = _INPUT.read(0)
    job = protocol.decode_json(job_payload)
    _, source_payload = _INPUT.read(0)
    source = source_payload.decode()
    models = protocol.decode_json(_INPUT.read(0)[1]) if job["mode"] == "fast" else []
    out_fd = os.dup(1)
    _OUT.append(out_fd)
    os.dup2(2, 1)  # what the candidate writes to fd 1 lands in the parent's capped stderr
    session = _Session(job, source, out_fd)
    sys.stdout = sys.stderr = session.sink  # type: ignore[assignment]
    sys.dont_write_bytecode = True
    install_filter()
    try:
        violations = check_source(source)
        if violations:
            shown = "; ".join(map(str, violations[:3]))
            raise _Refused("static", f"static check: {shown}", _lines(source, violations[0].line))
        if job["mode"] == "fast":
            session.run_fast(models)
        else:
            session.run_strict()
        message = (protocol.DONE, b"")
    except _Refused as exc:
        message = (protocol.FAIL, _failure(exc.kind, str(exc), exc.excerpt))
    except MemoryError:
        message = (protocol.FAIL, _failure("memory", "memory limit exceeded", _excerpt()))
    except BaseException as exc:  # the candidate's failure is the result
        message = (protocol.FAIL, _failure("exception", f"{type(exc).__name__}: {exc}", _excerpt()))
    protocol.write_frame(out_fd, *message)
    os._exit(0)


def _lines(source: str, line: int, around: int = 2) -> str:
    """The source lines around ``line``, numbered."""
    text = source.splitlines()
    lo = max(0, line - 1 - around)
    return "\n".join(f"{i + 1:4d} | {t}" for i, t in enumerate(text[lo: line + around], start=lo))


def _excerpt(limit: int = 1500) -> str:
    """The traceback's last frames, the candidate's own code included."""
    return "".join(traceback.format_exc(limit=-6))[-limit:]


if __name__ == "__main__":
    main()
