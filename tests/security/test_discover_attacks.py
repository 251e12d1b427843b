"""Hostile candidates fed to ``autotts discover`` through ``--proposer command``, many per run.

Each run evaluates a group of attacks next to honest candidates, as one round of a real discovery.
Per run: the parent finishes (status 0, a summary, an honest winner), its memory stays bounded, and
nothing outside the run directory changes. Per attack: it is rejected with its reason, or, where it
falls back to honest behaviour once its trick fails, its recorded score is exactly the honest one.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.security import harness as h

PEAK_RSS_MB = 1024  # the parent loads a tiny store: ~250 MB; a flood must not add to it


@dataclass
class GroupRun:
    """One discover run over a group of attacks, and what it left."""

    ran: h.Ran
    store: Path
    out: Path
    records: dict[str, dict[str, Any]]
    changes: list[str]
    strays: list[str]

    def record(self, name: str) -> dict[str, Any]:
        assert self.records.get(name), f"{name}: no readable result.json was recorded"
        return self.records[name]


def _strays() -> set[str]:
    """Files an attack could leave in shared temporary folders (all named autotts-redteam*)."""
    return {str(p) for folder in (Path("/tmp"), Path("/dev/shm")) for p in folder.glob("autotts-redteam*")}


def _lingering() -> list[int]:
    """Processes an attack left running (``sleep 97.25``, started in a session of its own)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if cmdline.read_bytes() == b"/bin/sleep\x0097.25\x00":
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


def _run_group(folder: Path, attacks: list[str], *, timeout: float = 600) -> GroupRun:
    """One discover run over ``attacks`` with a canary folder (and store) of its own."""
    store, out = h.build_vault(folder / "vault"), folder / "run"
    before, strays = h.snapshot(store.parent, store), _strays()
    try:
        ran = h.discover_attacks(store, out, attacks, timeout=timeout)
    except subprocess.TimeoutExpired:
        ran = h.Ran(-9, "", f"the discovery was still running after {timeout:g}s", 0.0)
    new = sorted(_strays() - strays)
    for path in new:
        Path(path).unlink()
    for pid in _lingering():
        os.kill(pid, signal.SIGKILL)
        new.append(f"process {pid} outlived the run")
    leftover = store.parent / "site-packages" / "zz_redteam.pth"
    if leftover.exists():  # show what the planted .pth does to the next Python start, then remove it
        proof = out.parent / "pth-ran"
        subprocess.run([sys.executable, "-c", f"import site; site.addsitedir({str(leftover.parent)!r})"],
                       env={"RT_PTH_PROOF": str(proof)}, check=False)
        new.append(f"planted .pth {'ran code' if proof.exists() else 'written'} at the next Python start")
    return GroupRun(ran, store, out, h.results(out, attacks), before.changes(h.snapshot(store.parent, store)), new)


def _honest_points(run: GroupRun, twin: str) -> list[tuple]:
    return _points(run.record(twin))


def _points(record: dict[str, Any]) -> list[tuple]:
    return sorted((p["model"], p["beta"], p["accuracy"], p["avg_tokens"], tuple(p["q_correct"]), tuple(p["q_tokens"]))
                  for p in record.get("points", []))


def _rejected(record: dict[str, Any], reason: str = ".", *, forbidden: str = "$^") -> str | None:
    """Why ``record`` is not a proper rejection matching ``reason`` (None when it is one)."""
    failure = record.get("failure")
    if not failure:
        return "accepted"
    if not re.search(reason, failure["reason"], re.I) or re.search(forbidden, failure["reason"], re.I):
        return f"rejected for the wrong reason: {failure['reason']}: {failure['message']}"
    return None


def _rejected_or_honest(run: GroupRun, name: str, twin: str) -> None:
    record = run.record(name)
    if _rejected(record) is None:
        return
    assert _points(record) == _honest_points(run, twin), (
        f"{name} was accepted with a score that is not the honest one of {twin}")


def _check_run(run: GroupRun, winners: set[str]) -> None:
    assert run.ran.returncode == 0, f"the discovery did not finish: {run.ran.returncode}\n{run.ran.stderr[-2000:]}"
    assert (run.out / "summary.json").is_file()
    best = (run.out / "best.py").read_bytes()
    assert any(best == (h.ATTACKS / w).read_bytes() for w in winners), "an attack became best.py"
    assert run.ran.peak_rss_mb < PEAK_RSS_MB, f"the parent grew to {run.ran.peak_rss_mb:.0f} MB"
    assert not run.changes, f"files outside the run directory changed: {run.changes}"
    assert not run.strays, f"files left in shared folders: {run.strays}"


# --------------------------------------------------------------------------------------------------
# Escapes: leaving the sandbox, reading what it must not, writing where it must not.

ESCAPES = ["honest.py", "honest_read_one.py", "escape_gold_via_store.py", "shell_via_fork_exec.py",
           "exec_runtime_strings.py", "utf7_coding_cookie.py", "symlinks_for_the_parents_writes.py",
           "leaves_files_behind.py", "orphan_process.py"]


@pytest.fixture(scope="module")
def escapes(tmp_path_factory: pytest.TempPathFactory) -> GroupRun:
    return _run_group(tmp_path_factory.mktemp("escapes"), ESCAPES)


def test_the_escape_round_finishes_with_an_honest_winner_and_nothing_outside_changed(escapes: GroupRun) -> None:
    _check_run(escapes, {"honest.py", "honest_read_one.py"})


def test_gold_read_from_the_store_scores_nothing(escapes: GroupRun) -> None:
    record = escapes.record("escape_gold_via_store.py")
    assert not h.trap_hits(record), f"answered trap questions right (read gold): {h.trap_hits(record)}"
    _rejected_or_honest(escapes, "escape_gold_via_store.py", "honest_read_one.py")


@pytest.mark.parametrize(("attack", "evidence"), [
    ("shell_via_fork_exec.py", "pwned-by-shell"),
    ("exec_runtime_strings.py", "pwned-by-exec"),
    ("utf7_coding_cookie.py", "pwned-by-utf7"),
])
def test_code_the_static_check_cannot_see_reaches_nothing(escapes: GroupRun, attack: str, evidence: str) -> None:
    assert not [c for c in escapes.changes if evidence in c], f"{attack} wrote beside the store: {escapes.changes}"
    _rejected_or_honest(escapes, attack, "honest.py")


def test_a_utf7_coding_cookie_is_refused_not_run(escapes: GroupRun) -> None:
    assert _rejected(escapes.record("utf7_coding_cookie.py")) is None


def test_links_planted_in_the_worker_folder_redirect_no_parent_write(escapes: GroupRun) -> None:
    wrong = [c for c in escapes.changes if "victim.txt" in c or "zz_redteam.pth" in c]
    assert not wrong, f"the parent wrote through planted links: {wrong} {escapes.strays}"
    folder = escapes.out / "candidates" / f"r00c{ESCAPES.index('symlinks_for_the_parents_writes.py'):02d}"
    assert not (folder / "result.json").is_symlink()
    _rejected_or_honest(escapes, "symlinks_for_the_parents_writes.py", "honest.py")


def test_nothing_is_left_in_shared_temporary_folders(escapes: GroupRun) -> None:
    assert not [s for s in escapes.strays if "autotts-redteam" in s], escapes.strays
    _rejected_or_honest(escapes, "leaves_files_behind.py", "honest.py")


def test_no_process_outlives_the_run(escapes: GroupRun) -> None:
    assert not [s for s in escapes.strays if "outlived" in s], escapes.strays
    _rejected_or_honest(escapes, "orphan_process.py", "honest.py")


# --------------------------------------------------------------------------------------------------
# Peeking: reading what the episode has not revealed yet, in memory or on disk, and hiding it from checks.

PEEKS = ["honest.py", "honest_read_one.py", "peek_via_method_globals.py", "peek_via_traceback_frames.py",
         "peek_detecting_the_audit.py", "replace_the_peek_audit.py", "peek_via_the_trace_file.py", "peek_via_gc.py",
         "peek_then_die_when_verified.py"]


@pytest.fixture(scope="module")
def peeks(tmp_path_factory: pytest.TempPathFactory) -> GroupRun:
    return _run_group(tmp_path_factory.mktemp("peeks"), PEEKS)


def test_the_peeking_round_finishes_with_an_honest_winner(peeks: GroupRun) -> None:
    _check_run(peeks, {"honest.py", "honest_read_one.py"})


@pytest.mark.parametrize("attack", ["peek_via_method_globals.py", "peek_via_traceback_frames.py",
                                    "peek_detecting_the_audit.py", "replace_the_peek_audit.py",
                                    "peek_via_the_trace_file.py", "peek_via_gc.py"])
def test_peeking_is_rejected_as_peeking_or_finds_nothing(peeks: GroupRun, attack: str) -> None:
    # Each one falls back to one honest read when its trick finds nothing: then it scores as that read.
    # Stopped before it could peek (static check, audit hook) is a right reason too.
    if _rejected(peeks.record(attack)) is not None:
        assert _points(peeks.record(attack)) == _honest_points(peeks, "honest_read_one.py"), (
            f"{attack} was accepted with a score that is not its honest read's: it peeked unseen")
    else:
        assert _rejected(peeks.record(attack), "peek|static|audit") is None


def test_a_candidate_that_dies_when_verified_is_rejected(peeks: GroupRun) -> None:
    assert _rejected(peeks.record("peek_then_die_when_verified.py")) is None


# --------------------------------------------------------------------------------------------------
# Accounting: what the candidate reports, prints or patches must not change a score.

ACCOUNTING = ["honest.py", "honest_read_one.py", "underreport_tokens.py", "reorder_branches.py",
              "forge_result_and_exit.py", "forge_after_the_result.py", "always_equal_answer.py", "huge_answers.py",
              "clock_seeded.py", "random_unseeded.py", "raises_base_exceptions.py", "blows_the_c_stack.py",
              "memory_across_episodes.py", "odd_answer_types.py", "huge_action_log.py"]


@pytest.fixture(scope="module")
def accounting(tmp_path_factory: pytest.TempPathFactory) -> GroupRun:
    return _run_group(tmp_path_factory.mktemp("accounting"), ACCOUNTING)


def test_the_accounting_round_finishes_with_an_honest_winner(accounting: GroupRun) -> None:
    _check_run(accounting, {"honest.py", "honest_read_one.py"})


def _search_totals(store: Path) -> list[float]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        rows = con.execute("SELECT question_idx, sum(branch_tokens) FROM branches WHERE benchmark = ? "
                           "GROUP BY 1 ORDER BY 1", [h.SEARCH]).fetchall()
    finally:
        con.close()
    return [float(t) for _, t in rows]


def test_tokens_are_charged_by_the_parent_not_the_patched_engine(accounting: GroupRun) -> None:
    record = accounting.record("underreport_tokens.py")
    if _rejected(record) is None:
        return
    totals = _search_totals(accounting.store)  # it reads every branch: honestly, every token of every branch
    assert all(list(p["q_tokens"]) == totals for p in record["points"]), (
        f"recorded {[p['q_tokens'] for p in record['points']]}, reading everything costs {totals}")


@pytest.mark.parametrize(("attack", "twin"), [
    ("reorder_branches.py", "honest_read_one.py"),
    ("forge_result_and_exit.py", "honest_read_one.py"),
    ("forge_after_the_result.py", "honest.py"),
    ("always_equal_answer.py", "honest_read_one.py"),
])
def test_patched_order_forged_results_and_flattering_answers_do_not_change_a_score(
    accounting: GroupRun, attack: str, twin: str
) -> None:
    record = accounting.record(attack)
    assert all(t >= h.PROBE_FREQ for p in record.get("points", []) for t in p["q_tokens"]), "impossible token counts"
    _rejected_or_honest(accounting, attack, twin)


def test_megabyte_answers_are_refused_or_kept_out_of_the_records(accounting: GroupRun) -> None:
    record = accounting.record("huge_answers.py")
    folder = accounting.out / "candidates" / f"r00c{ACCOUNTING.index('huge_answers.py'):02d}"
    if _rejected(record) is not None:
        size = (folder / "result.json").stat().st_size
        assert size < 1 << 20, f"result.json holds {size} bytes of answers"


def test_a_clock_seeded_candidate_is_rejected_as_nondeterministic(accounting: GroupRun) -> None:
    assert _rejected(accounting.record("clock_seeded.py"), "determin", forbidden="peek") is None


def test_a_random_candidate_is_rejected_but_not_as_peeking(accounting: GroupRun) -> None:
    assert _rejected(accounting.record("random_unseeded.py"), ".", forbidden="peek") is None


def test_an_episode_of_twelve_million_free_actions_is_refused_before_any_replay(accounting: GroupRun) -> None:
    # The round finishing within its time limit and the parent's memory bound is checked with the round.
    assert _rejected(accounting.record("huge_action_log.py"), "actions") is None


def test_answers_resting_on_other_episodes_tokens_are_rejected(accounting: GroupRun) -> None:
    assert _rejected(accounting.record("memory_across_episodes.py")) is None


@pytest.mark.parametrize("attack", ["raises_base_exceptions.py", "blows_the_c_stack.py", "odd_answer_types.py"])
def test_base_exceptions_crashes_and_odd_answers_are_one_rejected_candidate(accounting: GroupRun, attack: str) -> None:
    assert _rejected(accounting.record(attack)) is None


# --------------------------------------------------------------------------------------------------
# The parent itself: killed, flooded, fed bytes it cannot decode.

PARENT = ["honest.py", "honest_read_one.py", "kills_the_parent.py", "flood_stdout.py", "holds_the_store_lock.py",
          "garbage_on_every_descriptor.py", "failure_report_bomb.py"]


@pytest.fixture(scope="module")
def parent(tmp_path_factory: pytest.TempPathFactory) -> GroupRun:
    return _run_group(tmp_path_factory.mktemp("parent"), PARENT)


def test_the_parent_survives_a_kill_from_its_worker(parent: GroupRun) -> None:
    _check_run(parent, {"honest.py"})
    _rejected_or_honest(parent, "kills_the_parent.py", "honest.py")


def test_a_lock_held_on_the_store_does_not_stop_the_run(parent: GroupRun) -> None:
    assert parent.ran.returncode == 0, parent.ran.stderr[-2000:]
    _rejected_or_honest(parent, "holds_the_store_lock.py", "honest.py")


def test_a_flood_on_the_raw_descriptors_keeps_the_parent_small(parent: GroupRun) -> None:
    assert parent.ran.peak_rss_mb < PEAK_RSS_MB, f"the parent grew to {parent.ran.peak_rss_mb:.0f} MB"
    _rejected_or_honest(parent, "flood_stdout.py", "honest.py")


def test_a_failure_report_the_parser_would_inflate_is_refused_unparsed(parent: GroupRun) -> None:
    assert parent.ran.peak_rss_mb < PEAK_RSS_MB, f"the parent grew to {parent.ran.peak_rss_mb:.0f} MB"
    assert _rejected(parent.record("failure_report_bomb.py"), "output|protocol") is None


def test_garbage_on_the_protocol_pipe_is_one_rejected_candidate(parent: GroupRun) -> None:
    assert parent.ran.returncode == 0, parent.ran.stderr[-2000:]
    _rejected_or_honest(parent, "garbage_on_every_descriptor.py", "honest.py")


# --------------------------------------------------------------------------------------------------
# Sources the parent cannot read as text: proposals that must become rejections, not a crashed run.

SOURCES = ["honest.py", "not_utf8_source.py", "nul_byte_source.py"]


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> GroupRun:
    return _run_group(tmp_path_factory.mktemp("sources"), SOURCES)


@pytest.mark.parametrize(("attack", "why"), [("not_utf8_source.py", "utf-?8"), ("nul_byte_source.py", "nul|null")])
def test_undecodable_sources_are_one_rejected_candidate(sources: GroupRun, attack: str, why: str) -> None:
    _check_run(sources, {"honest.py"})
    failure = sources.record(attack).get("failure") or {}
    assert failure, f"{attack} was accepted"
    assert re.search(why, failure["message"] + failure["reason"], re.I), failure


def _spliced_source() -> str:
    from autotts.discover.proposers.template import CMC_GENOME, RACE_GENOME, render

    return render(CMC_GENOME.spliced(0.5, RACE_GENOME), "CMC, then the race.")


def _in_high(source: str, old: str, new: str) -> str:
    at = source.index("HIGH_KNOB_LINES = {")
    return source[:at] + source[at:].replace(old, new, 1)


# Edits to a spliced rendering's own parts, each meant to keep it trusted (run in-process) while it does more.
SPLICE_EDITS = {
    "an expression for the splice beta": lambda s: s.replace(
        "SPLICE_BETA = 0.5\n", "SPLICE_BETA = 0.5 if open('/etc/passwd') else 0.5\n"),
    "the splice beta written otherwise": lambda s: s.replace("SPLICE_BETA = 0.5\n", "SPLICE_BETA = 0.50\n"),
    "a splice beta outside (0, 1)": lambda s: s.replace("SPLICE_BETA = 0.5\n", "SPLICE_BETA = 1.0\n"),
    "a splice of a splice": lambda s: s.replace("SPLICE_BETA = 0.5\n", "SPLICE_BETA = 0.5\nSPLICE_BETA = 0.7\n"),
    "a high knob computed": lambda s: _in_high(s, '"n_init": (2.0, 12.0)',
                                               '"n_init": (__import__("os").getpid() * 0 + 2.0, 12.0)'),
    "a high knob as text": lambda s: _in_high(s, '"n_init": (2.0, 12.0)', '"n_init": ("2", 12.0)'),
    "a high mechanism not the template's": lambda s: _in_high(s, "    stop=stop_raw,", "    stop=print,"),
    "the splice compared otherwise": lambda s: s.replace("if beta >= SPLICE_BETA:", "if beta > SPLICE_BETA:"),
    "the low design above the splice": lambda s: s.replace("(beta, HIGH_KNOB_LINES, HIGH_MECHANISMS)",
                                                           "(beta, KNOB_LINES, MECHANISMS)"),
}


@pytest.mark.parametrize("edit", SPLICE_EDITS.values(), ids=SPLICE_EDITS.keys())
def test_an_edited_splice_is_no_longer_trusted(edit: Any) -> None:
    from autotts.discover.sandbox import is_template_source

    source = _spliced_source()
    edited = edit(source)
    assert is_template_source(source) and edited != source
    assert not is_template_source(edited)


def test_a_not_a_number_high_knob_is_trusted_as_a_rendering_but_cannot_load() -> None:
    from autotts.discover.sandbox import trusted_controller
    from autotts.errors import ControllerError

    with pytest.raises(ControllerError, match="NameError"):  # ``nan`` is no name the file defines
        trusted_controller(_in_high(_spliced_source(), '"n_init": (2.0, 12.0)', '"n_init": (nan, 12.0)'),
                           "candidate.py", {"beta": 0.75})
