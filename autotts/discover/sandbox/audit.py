"""The peeking audit: replay sample episodes with everything unrevealed scrambled.

An honest controller sees only what its actions revealed, so if every probe,
final answer and token count it has not revealed is replaced by something
else, it must take exactly the same actions and return the same answer. A
controller whose actions change has read data it was not shown. The audit
needs no gold answers, so it runs inside the sandbox next to the candidate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from autotts.controllers.base import Controller
from autotts.evaluate.seeds import branch_order
from autotts.replay.episode import Episode, TraceEvent, live_view
from autotts.replay.matrix import QuestionTraces

__all__ = ["PeekFinding", "peek_audit", "scramble_unrevealed"]


@dataclass(frozen=True, slots=True)
class PeekFinding:
    """The first episode whose actions changed once unrevealed data was scrambled."""

    beta: float
    seed: int
    question: int
    step: int
    original: str
    scrambled: str

    def __str__(self) -> str:
        return (f"peeked: beta={self.beta} seed={self.seed} question={self.question}: action {self.step} changed when "
                f"unrevealed data was scrambled ({self.original} -> {self.scrambled})")


def peek_audit(
    make: Callable[[float], Controller], questions: Sequence[QuestionTraces], *, betas: Sequence[float],
    seeds: Sequence[int],
) -> PeekFinding | None:
    """Replay each (beta, seed, question) twice, the second time on scrambled data; the first change found."""
    for beta in betas:
        for seed in seeds:
            for q, traces in enumerate(questions):
                order = branch_order(seed, len(traces.finals))
                events, answer = _replay(make(beta), traces, order)
                again, answer_again = _replay(make(beta), scramble_unrevealed(traces, order, events), order)
                step = _first_difference([*events, answer], [*again, answer_again])
                if step is not None:
                    shown = [*events, answer], [*again, answer_again]
                    return PeekFinding(beta, seed, q, step, _describe(shown[0], step), _describe(shown[1], step))
    return None


def scramble_unrevealed(traces: QuestionTraces, order: Sequence[int], events: Sequence[TraceEvent]) -> QuestionTraces:
    """``traces`` with every probe, final answer and length that ``events`` did not reveal replaced."""
    shown_probes = [0] * len(traces.finals)
    finished = [False] * len(traces.finals)
    for event in events:
        stored = order[event.branch]
        if event.finished:
            finished[stored] = True
            if event.action != "read":
                shown_probes[stored] = len(traces.probes[stored])
        elif event.action != "prune":
            shown_probes[stored] = max(shown_probes[stored], event.depth)
    probes = tuple(
        row[:n] + tuple(f"~scrambled {b}.{j}~" for j in range(n, len(row)))
        for b, (row, n) in enumerate(zip(traces.probes, shown_probes, strict=True))
    )
    finals = tuple(a if done else f"~scrambled {b}~" for b, (a, done) in enumerate(zip(traces.finals, finished,
                                                                                         strict=True)))
    tokens = tuple(t if done else t + 7 * traces.probe_freq for t, done in zip(traces.tokens, finished, strict=True))
    return QuestionTraces(probes, finals, tokens, traces.probe_freq)


def _replay(controller: Controller, traces: QuestionTraces, order: Sequence[int]) -> tuple[list, str | None]:
    episode = Episode(traces, order, record=True)
    with live_view(episode) as view:
        answer = controller.solve(view)
    assert episode.events is not None
    return list(episode.events), answer


def _first_difference(a: list, b: list) -> int | None:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return None if len(a) == len(b) else min(len(a), len(b))


def _describe(items: list, step: int) -> str:
    if step >= len(items):
        return "nothing"
    item = items[step]
    if isinstance(item, TraceEvent):
        return f"{item.action}({item.branch})"
    return f"answer {item!r}"
