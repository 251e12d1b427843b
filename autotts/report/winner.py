"""The discovered controller in words: what it does (its mechanisms) and where it came from (its lineage).

Read from a discovery run's folder: ``summary.json`` names the winner and how
sure the pick is, each candidate's ``result.json`` its proposer, parents, note
and source. A file the mechanism template rendered says which variant fills each
slot and how each knob moves with beta; the variants' own docstrings say what
they do. A reader of the report should learn what the winner does without
opening its file.
"""

from __future__ import annotations

import ast
import inspect
import json
from dataclasses import dataclass
from pathlib import Path

from autotts.discover.history import CandidateRecord
from autotts.discover.mechanisms import SLOTS, read_choice
from autotts.errors import ConfigError
from autotts.report.tables import Table

__all__ = ["Ancestor", "Mechanism", "Winner", "mechanism_table", "read_winner", "winner_paragraphs"]


@dataclass(frozen=True, slots=True)
class Ancestor:
    """One candidate of the winner's line: the winner itself, its parent, the parent's parent..."""

    candidate: str
    round: int
    score: float | None  # the search objective it scored in its round
    origin: str  # the first line of its file's docstring: who made it, from what
    other_parents: tuple[str, ...]  # parents beyond the one the line follows (crossovers)
    operator: str = ""  # how its proposer made it: the template search's operators, else the proposer's note
    idea: str = ""  # the change an LLM proposer named for it


@dataclass(frozen=True, slots=True)
class Mechanism:
    """One slot of the template and the variant the winner fills it with."""

    slot: str
    variant: str
    does: str  # the variant's docstring, first paragraph ("" when unknown)


@dataclass(frozen=True, slots=True)
class Winner:
    """What the report says about the chosen controller."""

    candidate: str
    objective: str
    verdict: str  # how sure the pick is against the runner-up
    mechanisms: tuple[Mechanism, ...]  # in the template's order; none for a file the template did not make
    knobs: tuple[tuple[str, float, float], ...]  # (knob, at beta=0, at beta=1) for knobs that move with beta
    note: str  # the proposer's note when the mechanisms are unknown
    lineage: tuple[Ancestor, ...]  # the winner first


def read_winner(discovery: str | Path) -> Winner:
    """The winner of the run in ``discovery`` (a discover stage's folder)."""
    folder = Path(discovery)
    path = folder / "summary.json"
    if not path.is_file():
        raise ConfigError(f"{folder}: no summary.json (is it a discover stage output?)")
    summary = json.loads(path.read_text())
    records = {p.parent.name: _record(p) for p in sorted((folder / "candidates").glob("*/result.json"))}
    best = summary["best_candidate"]
    if best not in records:
        raise ConfigError(f"{folder}: the winner {best!r} has no candidates/{best}/result.json")
    proposal = records[best].proposal
    mechanisms, knobs = _mechanisms(proposal.source or "", proposal.note)
    return Winner(best, summary["objective"], summary["verdict"], mechanisms, knobs,
                  "" if mechanisms else proposal.note, tuple(_lineage(best, records)))


def winner_paragraphs(winner: Winner) -> list[str]:
    """The winner described in plain sentences, for the report's page."""
    line = winner.lineage
    first = (f"The discovered controller is candidate {winner.candidate}, chosen by the {winner.objective} "
             f"objective ({winner.verdict}). {line[0].origin}")
    out = [first]
    if winner.knobs:
        moves = ", ".join(f"{name} {low:g} → {high:g}" for name, low, high in winner.knobs)
        out.append(f"Its mechanisms, slot by slot, are in the table below. Beta moves its knobs from beta=0 to "
                   f"beta=1: {moves}.")
    elif winner.mechanisms:
        out.append("Its mechanisms, slot by slot, are in the table below.")
    elif winner.note:
        out.append(f"Its proposer's note: {winner.note}")
    steps = [f"{a.candidate} (round {a.round}" + (f", score {a.score:.2f}" if a.score is not None else "")
             + (f", crossed with {', '.join(a.other_parents)}" if a.other_parents else "") + ")" for a in line]
    out.append("Lineage, newest first: " + " ← ".join(steps) + ".")
    return out


def _record(path: Path) -> CandidateRecord:
    return CandidateRecord.from_json(json.loads(path.read_text()))


def mechanism_table(winner: Winner) -> Table | None:
    """Slot, variant and what the variant does, one row per slot; ``None`` when the mechanisms are unknown."""
    if not winner.mechanisms:
        return None
    return Table(("slot", "variant", "what it does"), tuple((m.slot, m.variant, m.does) for m in winner.mechanisms),
                 label_columns=3)


def _mechanisms(source: str, note: str) -> tuple[tuple[Mechanism, ...], tuple[tuple[str, float, float], ...]]:
    """The variants and the knobs that move with beta, from a template-made file; else a ``slot=variant; ...``
    note (older template files) without knobs; else nothing."""
    read = read_choice(source)
    if read is not None:
        choice, lines, splice = read
        knobs = tuple((name, low, high) for name, (low, high) in lines.items() if low != high)
        mechanisms = tuple(_mechanism(slot, variant) for slot, variant in choice.items())
        if splice:  # the design that runs from the splice beta on, where it differs
            beta, high_choice, _ = splice
            mechanisms += tuple(_mechanism(slot, variant, f" (beta >= {beta:g})")
                                for slot, variant in high_choice.items() if variant != choice[slot])
        return mechanisms, knobs
    pairs = [part.strip().partition("=") for part in note.split(";") if part.strip()]
    if not pairs or any(not sep or not slot or " " in slot for slot, sep, _ in pairs):
        return (), ()
    return tuple(_mechanism(slot, variant) for slot, _, variant in pairs), ()


def _mechanism(slot: str, variant: str, where: str = "") -> Mechanism:
    function = SLOTS.get(slot, {}).get(variant)
    doc = inspect.getdoc(function) if function is not None else None
    # The first paragraph on one line, without reStructuredText's literal quotes.
    return Mechanism(slot + where, variant, " ".join(doc.split("\n\n")[0].replace("``", "").split()) if doc else "")


def _lineage(candidate: str, records: dict[str, CandidateRecord]) -> list[Ancestor]:
    """Follow each candidate's first parent back to a candidate without one (or one not in the run)."""
    out: list[Ancestor] = []
    seen = set()
    current: str | None = candidate
    while current is not None and current in records and current not in seen:
        seen.add(current)
        record = records[current]
        parents = record.proposal.parents
        out.append(Ancestor(current, record.round, record.score, _origin(record.proposal.source),
                            tuple(parents[1:]), record.proposal.note, record.proposal.idea))
        current = parents[0] if parents else None
    return out


def _origin(source: str | None) -> str:
    """The first line of the candidate file's module docstring (the proposers write who made it there)."""
    if not source:
        return ""
    try:
        doc = ast.get_docstring(ast.parse(source))
    except SyntaxError:
        return ""
    return doc.splitlines()[0] if doc else ""
