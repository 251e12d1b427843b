"""The paper's Table 1: its methods as evaluation requests, its published figures, and where ours differ.

Two more files beside the paper's table say why a figure differs. The public
AutoTTS evaluator's figures on the same traces (``reference_semantics.csv``)
tell our replay's errors apart from the paper's: where ours equal the
evaluator's, the difference lies in how the paper's figure was made. Our notes
(``paper_notes.csv``) give the cause we found for each such row, and, where it
is a setting, that setting, which ``autotts paper`` replays to check the claim
(the evidence: ``docs/CONTROLLERS.md``, ``scripts/paper_evidence.py``).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from autotts.bundled import bundled_files
from autotts.evaluate.api import load_matrices
from autotts.evaluate.parallel import OnProgress, evaluate_configs, shifted
from autotts.evaluate.seeds import DEFAULT_SEEDS
from autotts.methods import PAPER_TABLE1, method_label, parse_label
from autotts.replay.matrix import ReplayMatrix, list_stores
from autotts.results import Evaluation
from autotts.store.connection import open_store
from autotts.store.ingest import ingest_files
from autotts.store.results import record_evaluations

__all__ = [
    "PAPER_SEEDS", "PAPER_TOLERANCE", "PUBLIC_TOLERANCE", "REFERENCE_DIR", "Figures", "Mismatch", "PaperNote",
    "compare_with_paper", "differs", "evaluate_paper_table", "explain_row", "not_compared", "paper_notes",
    "public_table", "published_table", "summarize_mismatches",
]

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
PAPER_SEEDS = DEFAULT_SEEDS  # branch orders per question in the paper's protocol: only such figures are compared

Figures = Mapping[tuple[str, str, str], tuple[float, float]]  # (model, benchmark, label) -> (acc %, kilo-tokens)

# How far our figure may sit from the paper's before it is flagged: just beyond the paper's own rounding
# (accuracy to 0.1 points, tokens to 0.1k of a few hundred k). Replay of the same traces on the same 100
# seeds agrees to that rounding, so a flag means a different protocol, data or controller.
PAPER_TOLERANCE = (0.06, 0.001)  # (accuracy points, relative tokens)

# How far our figure may sit from the public evaluator's: its accuracy has 2 decimals, its tokens are exact.
PUBLIC_TOLERANCE = (0.005, 0.001)  # (accuracy points, kilo-tokens: one token)


@dataclass(frozen=True, slots=True)
class PaperNote:
    """What we found about one Table 1 row whose figures differ from ours.

    ``cause`` is ``setting`` when the paper's figures are ours at another setting of the method
    (``paper_setting``, a label such as ``ASC@40``), and ``unknown`` when we did not find one.
    """

    cause: str
    paper_setting: str | None
    note: str


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One Table 1 figure where ours and the paper's differ by more than :data:`PAPER_TOLERANCE`.

    ``public`` is the public evaluator's figure on the same traces (None where it has none);
    ``at_setting`` is ours at the note's ``paper_setting`` (None where that was not replayed).
    """

    model: str
    benchmark: str
    label: str
    figure: str  # "accuracy" | "tokens"
    ours: float
    paper: float
    public: float | None = None
    note: PaperNote | None = None
    at_setting: float | None = None

    @property
    def index(self) -> int:
        """The figure's place in a (accuracy, kilo-tokens) pair."""
        return 0 if self.figure == "accuracy" else 1

    def describe(self) -> str:
        return f"{self.figure} {self.show(self.ours)} vs the paper's {self.show(self.paper, paper=True)} " \
               f"({self._gap()})"

    def show(self, value: float, *, paper: bool = False) -> str:
        """``value`` written as this figure is (the paper's accuracy has one decimal, ours two)."""
        if self.figure == "accuracy":
            return f"{value:.1f}%" if paper else f"{value:.2f}%"
        return f"{value:,.1f}k"

    def _gap(self) -> str:
        if self.figure == "accuracy":
            return f"{self.ours - self.paper:+.2f} points"
        return f"{self.ours / self.paper - 1:+.1%}"


def differs(ours: float, paper: float, figure: int) -> bool:
    """Whether figure ``figure`` (0: accuracy %, 1: kilo-tokens) of ours is beyond the paper's rounding."""
    accuracy_points, token_share = PAPER_TOLERANCE
    return abs(ours - paper) > accuracy_points if figure == 0 else abs(ours / paper - 1) > token_share


def compare_with_paper(
    ours: Figures, published: Figures, *, public: Figures | None = None,
    notes: Mapping[tuple[str, str, str], PaperNote] | None = None,
) -> list[Mismatch]:
    """Every (model, benchmark, method, figure) where ours and the paper's differ beyond the tolerance, with
    the public evaluator's figure and our note where given (and ours at the note's setting, if in ``ours``)."""
    out = []
    for key, figures in sorted(ours.items()):
        ref = published.get(key)
        if ref is None:
            continue
        model, benchmark, label = key
        evaluator = (public or {}).get(key)
        note = (notes or {}).get(key)
        at_setting = ours.get((model, benchmark, note.paper_setting)) if note and note.paper_setting else None
        for i, figure in ((0, "accuracy"), (1, "tokens")):
            if differs(figures[i], ref[i], i):
                out.append(Mismatch(model, benchmark, label, figure, figures[i], ref[i],
                                    evaluator[i] if evaluator else None, note,
                                    at_setting[i] if at_setting else None))
    return out


def explain_row(found: Sequence[Mismatch]) -> str:
    """Why one row's figures differ, as far as we know: whether ours are the public evaluator's figures on the
    same traces (if not, our replay is wrong), then our note, with the note's setting checked where replayed."""
    parts = []
    public = [(m, m.public) for m in found if m.public is not None]
    wrong = [f"{m.figure} {m.show(value)}" for m, value in public
             if abs(m.ours - value) > PUBLIC_TOLERANCE[m.index]]
    if wrong:
        parts.append(f"our replay differs from the public AutoTTS evaluator's ({', '.join(wrong)}): a bug on our side")
    elif public:
        parts.append("ours are the public AutoTTS evaluator's figures on the same traces")
    note = found[0].note
    if note is None:
        return "; ".join(parts)
    if note.paper_setting is None:
        return "; ".join([*parts, f"cause {note.cause}. {note.note}"])
    replayed = [(m, m.at_setting) for m in found if m.at_setting is not None]
    shown = " and ".join(m.show(value) for m, value in replayed)
    if not replayed:
        checked = "not replayed here (`autotts paper` replays it)"
    elif any(differs(value, m.paper, m.index) for m, value in replayed):
        checked = f"but replayed there ours are {shown}: the note no longer holds"
    else:
        checked = f"replayed there ours are {shown}, the paper's figures"
    return "; ".join([*parts, f"cause: the paper's setting, {note.paper_setting}, {checked}. {note.note}"])


def summarize_mismatches(mismatches: Sequence[Mismatch], *, lines: bool = False) -> str:
    """What a reader is told of the comparison: every figure that differs and why, or that none does; in one
    paragraph (a report), or with ``lines`` a row's figures on one line and its cause on the next (a terminal)."""
    if not mismatches:
        return "Every figure the paper reports agrees with ours to its rounding."
    rows: dict[tuple[str, str, str], list[Mismatch]] = {}
    for m in mismatches:
        rows.setdefault((m.model, m.benchmark, m.label), []).append(m)
    head = f"{len(mismatches)} figure(s) in {len(rows)} row(s) differ from the paper's beyond its rounding:"
    items = []
    for (model, benchmark, label), found in rows.items():
        figures = "; ".join(m.describe() for m in found)
        why = explain_row(found)
        items.append((f"{model} {label} on {benchmark}: {figures}", why))
    if lines:
        return "\n".join([head, *(f"  {row}" + (f"\n      {why}" if why else "") for row, why in items)])
    return " ".join([head, *(f"{row}." + (f" Why: {why.rstrip('.')}." if why else "") for row, why in items)])


def not_compared(seeds: Sequence[int]) -> str:
    """Why figures on other seed counts are not set against the paper's."""
    return (f"Not compared with the paper: these figures use {', '.join(map(str, seeds))} seed(s) per question; "
            f"the paper's use {PAPER_SEEDS}.")


def evaluate_paper_table(
    store: str | Path, *, seeds: int = DEFAULT_SEEDS, on_progress: OnProgress | None = None,
    on_ingest: Callable[[], object] | None = None,
) -> list[tuple[str, Evaluation]]:
    """Evaluate Table 1's methods (:data:`PAPER_TABLE1`) on every store and record them; ingest the bundled
    data first if the store has none (calling ``on_ingest`` before, so a user who mistyped the store hears
    of it). At the paper's seeds, the settings our notes name (:func:`paper_notes`) are replayed as well, on
    their stores, to check the notes. Returns (method label, evaluation) pairs: Table 1 store by store, then
    the notes' settings."""
    con = open_store(store)
    try:
        empty = not list_stores(con)
    finally:
        con.close()
    if empty:
        if on_ingest is not None:
            on_ingest()
        ingest_files(bundled_files(), store)
    matrices = load_matrices(store)
    settings = _note_settings(matrices) if seeds == PAPER_SEEDS else {}
    total = len(matrices) * len(PAPER_TABLE1) + sum(len(ms) for ms in settings.values())
    pairs = list(zip([method_label(c) for c in PAPER_TABLE1] * len(matrices),
                     evaluate_configs(matrices, PAPER_TABLE1, seeds=seeds,
                                      on_progress=shifted(on_progress, 0, total)), strict=True))
    for label, on in settings.items():
        done = len(pairs)
        pairs += [(label, ev) for ev in evaluate_configs(on, [parse_label(label)], seeds=seeds,
                                                          on_progress=shifted(on_progress, done, total))]
    record_evaluations(store, [ev for _, ev in pairs])
    return pairs


def _note_settings(matrices: Sequence[ReplayMatrix]) -> dict[str, list[ReplayMatrix]]:
    """The notes' settings (labels), each with the stores it must be replayed on."""
    wanted = {(model, benchmark, note.paper_setting) for (model, benchmark, _), note in paper_notes().items()
              if note.paper_setting}
    out: dict[str, list[ReplayMatrix]] = {}
    for label in sorted({label for _, _, label in wanted}):
        on = [m for m in matrices if (m.model, m.benchmark, label) in wanted]
        if on:
            out[label] = on
    return out


def published_table() -> dict[tuple[str, str, str], tuple[float, float]]:
    """(model, benchmark, method label) -> (accuracy, tokens in thousands), as published in the paper."""
    return {key: (float(r["accuracy"]), float(r["tokens_k"]))
            for key, r in _rows("paper_table1.csv", "benchmark").items()}


def public_table() -> dict[tuple[str, str, str], tuple[float, float]]:
    """(model, benchmark, method label) -> (accuracy, tokens in thousands), as the public AutoTTS evaluator
    gives them on the bundled traces."""
    return {key: (float(r["accuracy"]), float(r["avg_tokens"]) / 1000)
            for key, r in _rows("reference_semantics.csv", "dataset").items()}


def paper_notes() -> dict[tuple[str, str, str], PaperNote]:
    """(model, benchmark, method label) -> what we found about that row's difference from the paper."""
    return {key: PaperNote(r["cause"], r["paper_setting"] or None, r["note"])
            for key, r in _rows("paper_notes.csv", "benchmark").items()}


def _rows(name: str, benchmark_column: str) -> dict[tuple[str, str, str], dict[str, str]]:
    """A reference file's rows by (model, benchmark, our label of its method); none if the file is absent."""
    path = REFERENCE_DIR / name
    if not path.exists():
        return {}
    with path.open() as fh:
        return {(r["model"], r[benchmark_column], method_label(parse_label(r["method"]))): r
                for r in csv.DictReader(fh)}
