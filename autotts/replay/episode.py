"""One episode: one question replayed under one branch order.

The engine (:class:`Episode`) holds the question's traces and the per-branch
cursors; a controller never receives it. Controllers get a
:class:`QuestionView`, whose only attribute is a ticket into this module's
table of live episodes, so nothing reachable through the view's attributes,
private or not, holds the gold answer (the engine never sees it) or an
unrevealed probe. In-process that is a barrier against accidents, not against
malice; untrusted candidates additionally run in the discovery sandbox.

The view has two faces over the same engine:

- the typed API in the paper's terms: :meth:`QuestionView.branch` (BRANCH +
  PROBE), :meth:`QuestionView.continue_branch` (CONTINUE + PROBE),
  :meth:`QuestionView.read_new` (a new branch read to its end),
  :meth:`QuestionView.prune`; a controller's return value is its ANSWER;
- the AutoTTS release's question API (``probe_new``, ``probe_more``,
  ``get_new_branch_final_answer``, ``get_seq_and_total_tokens``), so
  controllers written for the release run unchanged.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple, Protocol

__all__ = [
    "ERR", "Episode", "Observation", "QuestionEngine", "QuestionTraces", "QuestionView", "TraceEvent", "live_view",
]


ERR = "ERR"  # the answer of a probe (or a trace) from which none could be extracted


@dataclass(frozen=True, slots=True)
class QuestionTraces:
    """What the step-wise engine needs of one question: no gold answer in here.

    ``probes[b]`` are branch ``b``'s probe answers in stored order.
    """

    probes: tuple[tuple[str, ...], ...]
    finals: tuple[str, ...]
    tokens: tuple[int, ...]
    probe_freq: int


class Observation(NamedTuple):
    """What an action revealed: the branch it touched, its answer, whether it has ended."""

    branch: int
    answer: str
    finished: bool


class TraceEvent(NamedTuple):
    """One action of a controller, as recorded for the execution trace."""

    action: str  # branch | continue | read | prune
    branch: int
    depth: int
    answer: str | None
    finished: bool
    cost: int


class QuestionEngine(Protocol):
    """Everything a :class:`QuestionView` asks of the engine behind it.

    :class:`Episode` answers from stored traces; a live question
    (``autotts.live``) generates the same answers with a model. Each call is
    one action with a small, plain result, so a view can just as well drive an
    engine in another process over a pipe.
    """

    @property
    def opened(self) -> int: ...

    @property
    def pool_size(self) -> int: ...

    @property
    def total(self) -> int: ...

    def open(self) -> int: ...

    def explore(self, k: int, action: str = "continue") -> tuple[str, bool]: ...

    def read_whole(self) -> tuple[int, str]: ...

    def prune(self, k: int) -> None: ...


class Episode:
    """The cost-accounting engine of docs/ENVIRONMENT.md for one question and branch order."""

    __slots__ = ("_charged", "_cursor", "_order", "_pruned", "_traces", "events", "total")

    def __init__(self, traces: QuestionTraces, order: Sequence[int], *, record: bool = False) -> None:
        self._traces = traces
        self._order = order
        self._cursor: list[int] = []
        self._charged: list[int] = []
        self._pruned: set[int] = set()
        self.total = 0
        self.events: list[TraceEvent] | None = [] if record else None

    @property
    def opened(self) -> int:
        return len(self._cursor)

    @property
    def pool_size(self) -> int:
        return len(self._order)

    @property
    def sequential_tokens(self) -> int:
        """Tokens charged to the deepest branch: the wall-clock cost if branches run in parallel."""
        return max(self._charged, default=0)

    def open(self) -> int:
        """Open the next branch of the order; its index among opened branches."""
        k = len(self._cursor)
        if k >= len(self._order):
            raise ValueError(f"all {len(self._order)} branches are already open")
        self._cursor.append(0)
        self._charged.append(0)
        return k

    def explore(self, k: int, action: str = "continue") -> tuple[str, bool]:
        """Reveal branch ``k``'s next probe, or its final answer once the probes run out."""
        if not 0 <= k < len(self._cursor):
            raise ValueError(f"branch {k} was never opened ({len(self._cursor)} open)")
        if k in self._pruned:
            raise ValueError(f"branch {k} was pruned")
        traces = self._traces
        stored = self._order[k]
        probes = traces.probes[stored]
        c = self._cursor[k]
        if c < len(probes):
            self._cursor[k] = c + 1
            cost = traces.probe_freq
            answer, finished = probes[c], False
        else:
            cost = max(0, traces.tokens[stored] - self._charged[k])
            answer, finished = traces.finals[stored], True
        self._charged[k] += cost
        self.total += cost
        if self.events is not None:
            self.events.append(TraceEvent(action, k, self._cursor[k], answer, finished, cost))
        return answer, finished

    def read_whole(self) -> tuple[int, str]:
        """Open the next branch and charge its whole trace; (its index, its final answer)."""
        k = self.open()
        stored = self._order[k]
        traces = self._traces
        self._cursor[k] = len(traces.probes[stored])
        cost = traces.tokens[stored]
        self._charged[k] = cost
        self.total += cost
        answer = traces.finals[stored]
        if self.events is not None:
            self.events.append(TraceEvent("read", k, self._cursor[k], answer, True, cost))
        return k, answer

    def prune(self, k: int) -> None:
        if not 0 <= k < len(self._cursor):
            raise ValueError(f"branch {k} was never opened ({len(self._cursor)} open)")
        self._pruned.add(k)
        if self.events is not None:
            self.events.append(TraceEvent("prune", k, self._cursor[k], None, False, 0))


_LIVE: dict[int, QuestionEngine] = {}
_TICKETS = itertools.count()


@contextmanager
def live_view(episode: QuestionEngine) -> Iterator[QuestionView]:
    """A view of ``episode`` for a controller, valid inside the ``with`` block only."""
    ticket = next(_TICKETS)
    _LIVE[ticket] = episode
    try:
        yield QuestionView(ticket)
    finally:
        del _LIVE[ticket]


class QuestionView:
    """The question object a controller receives; see the module docstring."""

    __slots__ = ("_ticket",)

    def __init__(self, ticket: int) -> None:
        self._ticket = ticket

    # -- typed API ---------------------------------------------------------------------

    def branch(self) -> Observation:
        """BRANCH + PROBE: open a new branch, generate one interval, reveal its answer."""
        episode = _LIVE[self._ticket]
        k = episode.open()
        answer, finished = episode.explore(k, "branch")
        return Observation(k, answer, finished)

    def continue_branch(self, branch: int) -> Observation:
        """CONTINUE + PROBE: one more interval of ``branch`` (its final answer once it ends)."""
        answer, finished = _LIVE[self._ticket].explore(branch)
        return Observation(branch, answer, finished)

    def read_new(self) -> Observation:
        """Open a new branch and generate it to its end (a full read); reveals its final answer."""
        k, answer = _LIVE[self._ticket].read_whole()
        return Observation(k, answer, True)

    def prune(self, branch: int) -> None:
        """PRUNE: drop ``branch`` from the active set; continuing it later is an error."""
        _LIVE[self._ticket].prune(branch)

    @property
    def branches_opened(self) -> int:
        return _LIVE[self._ticket].opened

    @property
    def branch_limit(self) -> int:
        """How many branches the question has in all (opening more raises ``ValueError``)."""
        return _LIVE[self._ticket].pool_size

    @property
    def tokens_used(self) -> int:
        return _LIVE[self._ticket].total

    # -- the AutoTTS release's API -----------------------------------------------------

    def probe_new(self) -> tuple[str, int, bool]:
        """Open the next branch and probe it: ``(answer, branch_index, is_finish)``."""
        episode = _LIVE[self._ticket]
        k = episode.open()
        answer, finished = episode.explore(k, "branch")
        return answer, k, finished

    def probe_more(self, branch_index: int) -> tuple[str, bool]:
        """Probe opened branch ``branch_index`` once more: ``(answer, is_finish)``."""
        return _LIVE[self._ticket].explore(branch_index)

    def get_new_branch_final_answer(self) -> str:
        """Open the next branch and read it whole; returns its final answer."""
        return _LIVE[self._ticket].read_whole()[1]

    def get_seq_and_total_tokens(self) -> tuple[int, int]:
        """``(0, total tokens so far)``, exactly as the release reports it."""
        return 0, _LIVE[self._ticket].total
