"""One store, many processes: writers wait for readers (naming them), and nothing computed is lost or doubled."""

from __future__ import annotations

from pathlib import Path

from tests.store.conftest import autotts, finish, long_read, rows, wait_for_line

EVAL = ("eval", "--controller", "sc", "--param", "k=4", "--seeds", "3")
DUPLICATES = "SELECT eval_id, seed, question_idx FROM episodes GROUP BY ALL HAVING count(*) > 1"


def test_two_evals_recording_during_a_long_read_wait_for_it_and_both_land(toy_store: Path) -> None:
    with long_read(toy_store) as reader:
        evals = [autotts(*EVAL, "--param", f"k={k}", "--store", str(toy_store)) for k in (2, 8)]
        for proc in evals:
            # Each names whoever holds the lock when it looks: the reader (or, for a moment, the other eval).
            line = wait_for_line(proc, f"is in use by `autotts sql` (PID {reader})")
            assert line.startswith(f"autotts eval: {toy_store} is in use") and "--lock-timeout" in line
    for proc in evals:
        code, out, err = finish(proc)
        assert code == 0, err
        assert "toy-model" in out
    assert rows(toy_store, "SELECT params FROM evaluations ORDER BY params") == [('{"k": 2}',), ('{"k": 8}',)]
    assert rows(toy_store, "SELECT count(*) FROM episodes") == [(2 * 3 * 6,)]
    assert rows(toy_store, DUPLICATES) == []


def test_an_eval_past_its_lock_timeout_saves_its_results_and_the_named_command_records_them(
    toy_store: Path,
) -> None:
    with long_read(toy_store) as reader:
        code, out, err = finish(autotts(*EVAL, "--store", str(toy_store), "--lock-timeout", "1"))
        assert code == 1
        assert rows(toy_store, "SELECT count(*) FROM evaluations") == [(0,)]
    error = err.strip().splitlines()[-1]
    assert error.startswith("autotts eval: error: ") and f"`autotts sql` (PID {reader})" in error
    assert f"autotts ingest pending --store {toy_store}" in error
    (saved,) = toy_store.with_name("traces.duckdb.pending").glob("*.duckdb")
    assert str(saved) in error

    code, out, err = finish(autotts("ingest", "pending", "--store", str(toy_store)))
    assert code == 0, err
    assert f"recorded 1 evaluation from {saved}" in out and not saved.exists()
    assert rows(toy_store, "SELECT params, seeds FROM evaluations") == [('{"k": 4}', 3)]
    assert rows(toy_store, "SELECT count(*) FROM episodes") == [(3 * 6,)]
    # Recording the same results again replaces them: still one of each.
    code, out, _ = finish(autotts(*EVAL, "--store", str(toy_store)))
    assert code == 0
    assert rows(toy_store, "SELECT count(*) FROM evaluations") == [(1,)]
    assert rows(toy_store, DUPLICATES) == []


def test_discover_during_a_long_read_keeps_going_and_every_record_lands(toy_store: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    args = ("discover", "--store", str(toy_store), "--search-benchmark", "toy", "--out", str(run), "--generations", "1",
            "--population", "2", "--search-seeds", "1", "--seeds", "2", "--finalists", "1", "--betas", "0.5",
            "--jobs", "1", "--no-progress", "--lock-timeout", "1")
    with long_read(toy_store) as reader:
        code, _out, err = finish(autotts(*args))
        assert code == 0, err
        assert (run / "best.py").exists()
    busy = [line for line in err.splitlines() if "still in use by" in line]
    assert busy and all(f"`autotts sql` (PID {reader})" in line for line in busy)

    code, _out, err = finish(autotts("ingest", "pending", "--store", str(toy_store)))
    assert code == 0, err
    assert rows(toy_store, "SELECT count(*) FROM discovery_candidates") == [(2,)]
    assert rows(toy_store, "SELECT best_candidate IS NOT NULL FROM discovery_runs") == [(True,)]
    assert rows(toy_store, "SELECT candidate_id, stage, model, beta FROM discovery_points GROUP BY ALL "
                           "HAVING count(*) > 1") == []
    assert rows(toy_store, "SELECT count(DISTINCT stage) FROM discovery_points") == [(2,)]
