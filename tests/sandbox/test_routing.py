"""Which code runs where, as a user meets it: ``autotts eval`` and the stores' ``origin`` column."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from autotts.cli import main
from autotts.discover.proposers.template import CMC_GENOME, render
from autotts.discover.sandbox import isolation, isolation_problem
from tests import candidates


def _eval(store: Path, controller: Path, *extra: str) -> int:
    return main(
        [
            "eval",
            "--store",
            str(store),
            "--controller",
            str(controller),
            "--model",
            "toy-a",
            "--benchmark",
            "toy",
            "--seeds",
            "2",
            "--json",
            *extra,
        ]
    )


@pytest.mark.skipif(isolation_problem() is not None, reason=f"no OS isolation: {isolation_problem()}")
@pytest.mark.parametrize(("flags", "origin"), [((), "sandboxed"), (("--unsafe-no-isolation",), "unsafe-opt-out")])
def test_a_file_autotts_did_not_write_is_isolated_and_recorded_so(
    toy_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: tuple[str, ...], origin: str
) -> None:
    path = tmp_path / "mine.py"
    path.write_text(candidates.source("majority_of_k"))
    assert _eval(toy_store, path, "--param", "k=5", *flags) == 0
    assert json.loads(capsys.readouterr().out)["origin"] == origin
    con = duckdb.connect(str(toy_store), read_only=True)
    recorded = con.execute("SELECT origin FROM evaluations WHERE controller = ?", [str(path)]).fetchall()
    con.close()
    assert recorded == [(origin,)]


def test_a_template_rendering_runs_in_process(
    toy_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "best.py"
    path.write_text(render(CMC_GENOME, "A discovered controller."))
    assert _eval(toy_store, path, "--beta", "0.5", "--no-record") == 0
    assert json.loads(capsys.readouterr().out)["origin"] == "trusted"


def test_without_isolation_an_untrusted_file_is_refused_in_one_line(
    toy_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(isolation, "isolation_problem", lambda: "bubblewrap is not installed (apt-get install it)")
    path = tmp_path / "mine.py"
    path.write_text(candidates.source("majority_of_k"))
    assert _eval(toy_store, path, "--no-record") == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "bubblewrap is not installed" in err and "--unsafe-no-isolation" in err


@pytest.mark.skipif(isolation_problem() is not None, reason=f"no OS isolation: {isolation_problem()}")
def test_a_peeking_file_is_rejected_by_eval_in_one_line(
    toy_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "peeks.py"
    path.write_text(candidates.source(candidates.PEEKS_SOMETIMES, PERIOD=1))
    assert _eval(toy_store, path, "--no-record") == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "rejected (peeked)" in err


def test_a_renamed_evaluation_is_the_one_its_new_name_would_have_given(
    toy_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """How the heldout stage keeps its tables independent of how best.py's path was spelled."""
    from autotts.evaluate.api import evaluate_matrix, load_matrices, renamed

    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "best.py").write_text(render(CMC_GENOME, "A discovered controller.") + "\n")
    matrix = load_matrices(toy_store, ["toy-a"], ["toy"])[0]
    monkeypatch.chdir(tmp_path)
    relative = evaluate_matrix(matrix, "run/best.py", {}, beta=0.5, seeds=1)
    absolute = evaluate_matrix(matrix, str(tmp_path / "." / "run" / "best.py"), {}, beta=0.5, seeds=1)
    assert relative.eval_id != absolute.eval_id
    again = renamed(absolute, "run/best.py")
    assert (again.controller, again.eval_id) == (relative.controller, relative.eval_id)
    assert renamed(relative, "run/best.py").eval_id == relative.eval_id
