"""Why a figure differs from the paper's: the public evaluator's figure and our notes, on literal data."""

from __future__ import annotations

from autotts.methods import parse_label
from autotts.paper import PaperNote, compare_with_paper, paper_notes, published_table, summarize_mismatches

KEY = ("M", "b", "ASC@64")
PAPER = {KEY: (80.1, 175.7)}
SETTING = PaperNote("setting", "ASC@40", "So the paper capped it at 40.")


def _why(ours: dict[tuple[str, str, str], tuple[float, float]], *, public: tuple[float, float] | None = None,
         note: PaperNote | None = None) -> str:
    found = compare_with_paper(ours, PAPER, public={KEY: public} if public else {},
                               notes={KEY: note} if note else {})
    return summarize_mismatches(found, lines=True).splitlines()[-1].strip()


def test_a_figure_the_public_evaluator_shares_is_not_blamed_on_our_replay_and_one_it_does_not_is() -> None:
    assert _why({KEY: (80.0, 214.2)}, public=(80.0, 214.2)).startswith(
        "ours are the public AutoTTS evaluator's figures on the same traces")
    assert _why({KEY: (80.0, 214.2)}, public=(80.0, 200.0)) == (
        "our replay differs from the public AutoTTS evaluator's (tokens 200.0k): a bug on our side")


def test_a_setting_note_is_checked_against_ours_at_that_setting_when_it_was_replayed() -> None:
    wrong = {KEY: (80.0, 214.2)}
    assert _why(wrong, note=SETTING) == ("cause: the paper's setting, ASC@40, not replayed here (`autotts paper` "
                                         "replays it). So the paper capped it at 40.")
    holds = _why({**wrong, ("M", "b", "ASC@40"): (80.07, 175.73)}, note=SETTING)
    assert holds.startswith("cause: the paper's setting, ASC@40, replayed there ours are 80.07% and 175.7k, "
                            "the paper's figures.")
    broken = _why({**wrong, ("M", "b", "ASC@40"): (80.07, 190.0)}, note=SETTING)
    assert "but replayed there ours are 80.07% and 190.0k: the note no longer holds" in broken


def test_a_report_reads_each_row_and_its_cause_as_sentences() -> None:
    found = compare_with_paper({KEY: (80.0, 214.2)}, PAPER, notes={KEY: PaperNote("unknown", None, "Not found.")})
    assert summarize_mismatches(found) == (
        "2 figure(s) in 1 row(s) differ from the paper's beyond its rounding: M ASC@64 on b: accuracy 80.00% "
        "vs the paper's 80.1% (-0.10 points); tokens 214.2k vs the paper's 175.7k (+21.9%). "
        "Why: cause unknown. Not found.")


def test_every_note_names_a_published_row_a_known_cause_and_a_setting_we_can_replay() -> None:
    notes = paper_notes()
    assert notes and set(notes) <= set(published_table())
    for (_, _, label), note in notes.items():
        assert note.cause in ("setting", "unknown") and note.note
        assert (note.paper_setting is not None) == (note.cause == "setting")
        if note.paper_setting is not None:  # the same method, at another setting
            assert parse_label(note.paper_setting).controller == parse_label(label).controller
