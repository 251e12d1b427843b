"""Evaluating an untrusted controller: isolated fast run, trusted accounting, then strict verification.

1. A fast-mode worker gets the source and the gold-free traces of every
   store, replays each group (one store x one parameter set) over its
   episodes and sends back only action logs and answers, group by group.
2. Each group is accounted here as it arrives (:mod:`accounting`): tokens
   charged, every action checked legal, answers graded.
3. A secret sample of the committed episodes (:mod:`verify`) is re-run by a
   strict-mode worker that holds no traces (:mod:`strict`). Any divergence
   rejects the candidate; one more fast run of the sample tells a peeking
   candidate from a nondeterministic one.

A rejection is returned as a :class:`WorkerFailure` with its true reason;
this module never raises for anything a candidate does.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from autotts.discover.sandbox import protocol
from autotts.discover.sandbox.accounting import IllegalAction, account
from autotts.discover.sandbox.isolation import Isolation, require
from autotts.discover.sandbox.process import SandboxLimits, Worker, WorkerError, WorkerFailure
from autotts.discover.sandbox.protocol import EpisodeLogs, ProtocolError, action_bound, describe_action
from autotts.discover.sandbox.strict import serve_episode
from autotts.discover.sandbox.verify import SEARCH, VerifyLevel, draw_sample
from autotts.evaluate.runner import replay_arrays
from autotts.replay.arrays import ReplayArrays
from autotts.replay.episode import Episode
from autotts.replay.matrix import ReplayMatrix
from autotts.results import EpisodeResults

__all__ = ["Group", "UntrustedRunner"]

# Strict mode pays a pipe round trip per action: its time limits grow with the actions it replays.
STRICT_SECONDS_PER_ACTION = 0.002
# Strict-mode workers that share a sample out between them.
STRICT_WORKERS = 2
# A sample whose committed episodes take more actions than this is refused rather than verified for hours.
MAX_VERIFIED_ACTIONS = 1_000_000
# After a divergence, fast runs of the sample that must all repeat the commitment for "peeked" (one could
# repeat it by chance where the candidate's randomness is drawn once per process).
RERUNS = 2

Committed = tuple[tuple[int, ...], str | None]


@dataclass(frozen=True, slots=True)
class Group:
    """One store (an index into the runner's matrices) and the controller's parameters for it."""

    matrix: int
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Sampled:
    group: int
    episode: int  # index into the group's episodes
    seed: int
    question: int


class UntrustedRunner:
    """Runs untrusted controller sources on fixed stores, under ``isolation``; holds the gold answers."""

    def __init__(self, matrices: Sequence[ReplayMatrix], isolation: Isolation, limits: SandboxLimits) -> None:
        self.matrices = list(matrices)
        self.isolation = isolation
        self.limits = limits
        self._arrays: dict[tuple[int, int], ReplayArrays] = {}
        self._data: dict[int, bytes] = {}
        # per store, per question: the most actions an episode may take (protocol.action_bound)
        self._bounds = [np.array([action_bound([len(p) for p in t.probes]) for t in m.traces], dtype=np.int64)
                        for m in self.matrices]

    def run(self, source: str, groups: Sequence[Group], seeds: int, *, trace_seeds: int = 1,
            level: VerifyLevel = SEARCH, limits: SandboxLimits | None = None) -> list[EpisodeResults] | WorkerFailure:
        """Per group, the graded results of seeds 0..seeds-1 x every question; or why the candidate is rejected."""
        require(self.isolation)
        limits = limits or self.limits
        episodes = [self._all_episodes(g, seeds) for g in groups]
        population = sum(len(e) for e in episodes)
        offsets = np.cumsum([0, *(len(e) for e in episodes)])
        sample = []
        for index in draw_sample(population, level.size(population)):
            g = int(np.searchsorted(offsets, index, side="right")) - 1
            i = index - int(offsets[g])
            sample.append(_Sampled(g, i, int(episodes[g][i, 0]), int(episodes[g][i, 1])))
        wanted = {(s.group, s.episode) for s in sample}
        results: list[EpisodeResults] = []
        committed: dict[tuple[int, int], Committed] = {}
        try:
            for g, logs in enumerate(self._fast(source, groups, episodes, seeds, limits)):
                matrix = self.matrices[groups[g].matrix]
                too_long = self._too_long(groups[g], episodes[g], logs)
                if too_long:
                    return WorkerFailure("actions", too_long)
                outcome = account(matrix, self._replay_arrays(groups[g].matrix, seeds), episodes[g], logs,
                                  trace_seeds)
                if isinstance(outcome, IllegalAction):
                    return WorkerFailure("illegal", f"{self._where(groups[g])}, {outcome}")
                results.append(outcome)
                committed.update({(g, i): (logs.log(i), logs.answers[i]) for gg, i in wanted if gg == g})
        except WorkerError as exc:
            return exc.failure
        rejection = self._verify(source, groups, sample, committed, seeds, limits)
        return rejection or results

    def _too_long(self, group: Group, episodes: np.ndarray, logs: EpisodeLogs) -> str:
        """Why a committed log is longer than its question allows ('' if none is): checked before any replay."""
        over = np.flatnonzero(np.diff(logs.starts) > self._bounds[group.matrix][episodes[:, 1]])
        if not len(over):
            return ""
        i = int(over[0])
        seed, question = (int(v) for v in episodes[i])
        taken = int(logs.starts[i + 1] - logs.starts[i])
        return (f"{self._where(group)}, seed {seed}, question {question}: {taken} actions, more than the "
                f"{self._bounds[group.matrix][question]} its branches allow")

    def _fast(self, source: str, groups: Sequence[Group], episodes: Sequence[np.ndarray], seeds: int,
              limits: SandboxLimits, *, fresh: bool = False) -> Iterator[EpisodeLogs]:
        """Each group's logs from one fast-mode worker, in order, as they arrive; ``fresh``: a newly
        loaded controller for every episode (else one per group)."""
        job = {"mode": "fast", "fresh": fresh,
               "groups": [{"model": g.matrix, "params": dict(g.params), "episodes": e.tolist()}
                          for g, e in zip(groups, episodes, strict=True)]}
        with Worker(self.isolation, limits) as worker:
            self._start(worker, job, source, limits)
            worker.send(protocol.DATA, self._data_payload(seeds))
            for e in episodes:
                _, payload = worker.receive(protocol.LOGS)
                try:
                    yield protocol.decode_logs(payload, len(e), limits.answer_bytes)
                except ProtocolError as exc:
                    worker.fail("protocol", f"malformed logs: {exc}")
            worker.receive(protocol.DONE)

    def _verify(self, source: str, groups: Sequence[Group], sample: list[_Sampled],
                committed: dict[tuple[int, int], Committed], seeds: int, limits: SandboxLimits) -> WorkerFailure | None:
        """Re-run ``sample`` in strict mode; the rejection if any episode diverges from its commitment."""
        if not sample:
            return None
        actions = sum(len(committed[s.group, s.episode][0]) for s in sample)
        if actions > MAX_VERIFIED_ACTIONS:
            return WorkerFailure("actions", f"its {len(sample)} sampled episodes take {actions} actions: more than "
                                            f"verification allows ({MAX_VERIFIED_ACTIONS}, "
                                            f"{MAX_VERIFIED_ACTIONS // len(sample)} an episode)")
        extra = STRICT_SECONDS_PER_ACTION * actions
        strict_limits = replace(limits, wall_seconds=limits.wall_seconds + extra,
                                cpu_seconds=limits.cpu_seconds + math.ceil(extra))
        order = random.SystemRandom().sample(sample, len(sample))  # secret, and unlike the commit's order
        divergence = self._strict(source, groups, order, committed, strict_limits)
        if divergence is None:
            return None
        where, what = divergence
        # the same episodes in fast mode again, twice, in new processes, one group (fresh controller) each
        singles = [Group(groups[s.group].matrix, groups[s.group].params) for s in order]
        episodes = [np.array([[s.seed, s.question]], dtype=np.int64) for s in order]
        expected = [committed[s.group, s.episode] for s in order]
        if all(self._repeats(source, singles, episodes, expected, seeds, limits) for _ in range(RERUNS)):
            return WorkerFailure("peeked", f"{where}: {what}; in fast mode the same episodes repeat the committed "
                                           f"actions, so they depended on data the actions had not revealed")
        return WorkerFailure("nondeterministic", f"{where}: {what}; a second fast run of the same episodes departs "
                                                 f"from the committed actions too: they depend on chance, the clock "
                                                 f"or the episodes run before")

    def _repeats(self, source: str, groups: Sequence[Group], episodes: Sequence[np.ndarray],
                 expected: list[Committed], seeds: int, limits: SandboxLimits) -> bool:
        """Whether a fast run of ``episodes`` in a new process repeats the committed actions and answers."""
        try:
            rerun = [(logs.log(0), logs.answers[0])
                     for logs in self._fast(source, groups, episodes, seeds, limits, fresh=True)]
        except WorkerError:
            return False
        return rerun == expected

    def _strict(self, source: str, groups: Sequence[Group], sample: list[_Sampled],
                committed: dict[tuple[int, int], Committed], limits: SandboxLimits) -> tuple[str, str] | None:
        """A sampled episode whose strict run differs from its commitment, as (where, what); ``None`` if none.

        The sample is shared out over :data:`STRICT_WORKERS` workers run side by side: a round trip is
        mostly waiting, so they overlap; the first divergence stops them all.
        """
        seeds = max(s.seed for s in sample) + 1
        orders = {g.matrix: self._replay_arrays(g.matrix, seeds).orders for g in groups}
        stop = threading.Event()
        parts = [sample[i::STRICT_WORKERS] for i in range(min(STRICT_WORKERS, len(sample)))]
        with ThreadPoolExecutor(len(parts)) as pool:
            found = list(pool.map(lambda part: self._strict_part(source, groups, part, committed, limits, orders,
                                                                 stop), parts))
        return next((f for f in found if f is not None), None)

    def _strict_part(self, source: str, groups: Sequence[Group], part: list[_Sampled],
                     committed: dict[tuple[int, int], Committed], limits: SandboxLimits,
                     orders: dict[int, np.ndarray], stop: threading.Event) -> tuple[str, str] | None:
        job = {"mode": "strict", "fresh": True, "groups": [{"model": g.matrix, "params": dict(g.params)}
                                                           for g in groups]}
        current = part[0]
        try:
            with Worker(self.isolation, limits) as worker:
                self._start(worker, job, source, limits)
                for current in part:
                    if stop.is_set():
                        return None
                    traces = self.matrices[groups[current.group].matrix].traces[current.question]
                    order = orders[groups[current.group].matrix][current.seed, current.question, : len(traces.finals)]
                    engine = Episode(traces, tuple(order.tolist()))
                    log, answer = serve_episode(worker, current.group, len(traces.finals), engine, limits.answer_bytes,
                                                max_actions=int(self._bounds[groups[current.group].matrix][
                                                    current.question]))
                    what = _difference(committed[current.group, current.episode], (tuple(log), answer))
                    if what:
                        stop.set()
                        return self._episode_where(groups, current), what
                worker.send(protocol.END)
                worker.receive(protocol.DONE)
        except WorkerError as exc:
            stop.set()
            failure = exc.failure
            return self._episode_where(groups, current), f"in strict mode it failed ({failure.kind}: {failure.message})"
        return None

    def _start(self, worker: Worker, job: dict[str, Any], source: str, limits: SandboxLimits) -> None:
        job = {**job, "output_limit": limits.candidate_output_chars, "answer_limit": limits.answer_bytes}
        worker.send(protocol.JOB, protocol.encode_json(job))
        worker.send(protocol.SOURCE, source.encode())

    def _all_episodes(self, group: Group, seeds: int) -> np.ndarray:
        n_q = self.matrices[group.matrix].n_questions
        return np.stack(np.meshgrid(np.arange(seeds), np.arange(n_q), indexing="ij"), axis=-1).reshape(-1, 2)

    def _replay_arrays(self, matrix: int, seeds: int) -> ReplayArrays:
        cached = next((a for (m, s), a in self._arrays.items() if m == matrix and s >= seeds), None)
        if cached is None:
            cached = self._arrays[matrix, seeds] = replay_arrays(self.matrices[matrix], seeds)
        return cached

    def _data_payload(self, seeds: int) -> bytes:
        """Every store's gold-free traces and the branch orders of seeds 0..seeds-1, as JSON."""
        parts = []
        for m, matrix in enumerate(self.matrices):
            if m not in self._data:
                questions = [{"probes": [list(p) for p in t.probes], "finals": list(t.finals), "tokens": list(t.tokens)}
                             for t in matrix.traces]
                self._data[m] = protocol.encode_json(questions)
            orders = self._replay_arrays(m, seeds).orders
            pools = sorted(set(matrix.n_branches.tolist()))
            first = {n: int(np.argmax(matrix.n_branches == n)) for n in pools}
            table = [[n, s, orders[s, first[n], :n].tolist()] for n in pools for s in range(seeds)]
            parts.append(b'{"probe_freq":%d,"questions":%s,"orders":%s}' % (
                matrix.probe_freq, self._data[m], protocol.encode_json(table)))
        return b"[" + b",".join(parts) + b"]"

    def _where(self, group: Group) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in group.params.items())
        return f"{self.matrices[group.matrix].model}" + (f" ({shown})" if shown else "")

    def _episode_where(self, groups: Sequence[Group], s: _Sampled) -> str:
        return f"{self._where(groups[s.group])}, seed {s.seed}, question {s.question}"


def _difference(committed: Committed, again: Committed) -> str:
    """The first difference between two runs of an episode, in words ('' if none)."""
    (log_a, answer_a), (log_b, answer_b) = committed, again
    for step, (a, b) in enumerate(zip(log_a, log_b, strict=False)):
        if a != b:
            return f"action {step} was {describe_action(a)} when committed, {describe_action(b)} in strict mode"
    if len(log_a) != len(log_b):
        return f"it took {len(log_a)} actions when committed, {len(log_b)} in strict mode"
    if answer_a != answer_b:
        return f"it answered {answer_a!r} when committed, {answer_b!r} in strict mode"
    return ""
