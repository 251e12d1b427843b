"""Hostile controller files through ``autotts eval --controller FILE`` and the heldout stage's ``best.py``.

Both paths run a file that discovery or a user handed over. Each attack is scored next to its
honest twin (the same actions, no trick): the attack must be refused or score exactly as the twin,
and nothing outside the output may change.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.security import harness as h

SMALL_PARAMS = h.REPO / "tests" / "pipeline" / "params_small.yaml"


def _eval(store: Path, attack: str) -> tuple[h.Ran, list[dict]]:
    """``autotts eval`` of an attack file at betas 0 and 1 on seeds 0-1 (the heldout test's settings too)."""
    ran = h.run_cli("eval", "--store", str(store), "--controller", str(h.ATTACKS / attack), "--beta", "0",
                    "--beta", "1", "--seeds", "2", "--no-record", "--json", timeout=300)
    rows = [json.loads(line) for line in ran.stdout.splitlines() if line.startswith("{")]
    return ran, sorted(rows, key=lambda r: (r["benchmark"], r["beta"]))


@pytest.fixture(scope="module")
def twins(vault_store: Path) -> dict[str, list[dict]]:
    """The honest twins' figures, evaluated once."""
    out = {}
    for twin in ("honest.py", "honest_read_one.py"):
        ran, rows = _eval(vault_store, twin)
        assert ran.returncode == 0, ran.stderr[-2000:]
        out[twin] = rows
    return out


def _figures(rows: list[dict]) -> list[tuple]:
    return [(r["model"], r["benchmark"], r["beta"], r["accuracy"], r["avg_tokens"]) for r in rows]


@pytest.mark.parametrize("attack", ["gold_through_a_frame.py", "always_equal_answer.py", "shell_via_fork_exec.py",
                                    "holds_memory_outside_its_limit.py"])
def test_eval_of_a_controller_file_scores_it_as_its_honest_twin(
    vault_store: Path, twins: dict[str, list[dict]], attack: str
) -> None:
    twin = {"shell_via_fork_exec.py": "honest.py"}.get(attack, "honest_read_one.py")
    before = h.snapshot(vault_store.parent, vault_store)
    ran, rows = _eval(vault_store, attack)
    changes = before.changes(h.snapshot(vault_store.parent, vault_store))
    assert not changes, f"files beside the store changed: {changes}"
    assert ran.returncode == 0, ran.stderr[-2000:]
    honest = _figures(twins[twin])
    assert _figures(rows) == honest, f"{attack} scored {_figures(rows)}, honestly {honest}"


def test_a_failure_message_reaches_the_terminal_as_text_not_escapes(vault_store: Path) -> None:
    ran, _ = _eval(vault_store, "forges_the_eval_output.py")
    assert ran.returncode == 1 and "rejected (exception)" in ran.stderr, ran.stderr[-2000:]
    obeyed = sorted({repr(c) for c in ran.stderr if not c.isprintable() and c != "\n"})
    assert not obeyed, f"control characters of the candidate's reached the terminal: {obeyed}"


def test_eval_charges_every_token_whatever_the_file_patches(vault_store: Path) -> None:
    ran, rows = _eval(vault_store, "underreport_tokens.py")
    assert ran.returncode == 0, ran.stderr[-2000:]
    con = duckdb.connect(str(vault_store), read_only=True)
    try:  # it reads every branch of every question: the mean over questions of all their tokens
        expected = dict(con.execute("SELECT benchmark, avg(total) FROM (SELECT benchmark, question_idx, "
                                    "sum(branch_tokens) AS total FROM branches GROUP BY 1, 2) GROUP BY 1").fetchall())
    finally:
        con.close()
    assert {r["benchmark"]: round(r["avg_tokens"], 2) for r in rows} == {
        b: round(float(t), 2) for b, t in expected.items()}


def _heldout(store: Path, folder: Path, best: str) -> tuple[h.Ran, dict[tuple[str, str], dict]]:
    """The heldout stage on ``best`` as the discovered ``best.py`` (betas 0 and 1, seeds 0-1)."""
    params = yaml.safe_load(SMALL_PARAMS.read_text())
    params["data"] = {"models": [h.MODEL], "benchmarks": [h.SEARCH, h.HELDOUT], "search_benchmark": h.SEARCH}
    params["heldout"] = {"seeds": 2, "betas": [0.0, 1.0], "table_betas": [0.0, 1.0], "trajectory_beta": 0.0,
                         "trajectory_seeds": 1}
    folder.mkdir()
    (folder / "params.yaml").write_text(yaml.safe_dump(params))
    discovery = folder / "discover"
    discovery.mkdir()
    shutil.copyfile(h.ATTACKS / best, discovery / "best.py")
    (discovery / "summary.json").write_text(json.dumps({"rounds": []}))
    (folder / "baselines").mkdir()
    ran = h.run_stage("stages.heldout", "--params", str(folder / "params.yaml"), "--store", str(store),
                      "--discovery", str(discovery), "--baselines", str(folder / "baselines"),
                      "--out", str(folder / "heldout"), "--metrics", str(folder / "metrics"), timeout=300)
    # one JSON per (benchmark, method): metrics/<benchmark>-<split>/<method>.json
    metrics = {(f.parent.name.rsplit("-", 1)[0], f.stem): json.loads(f.read_text())
               for f in (folder / "metrics").glob("*/*.json")}
    return ran, metrics


def test_the_heldout_stage_scores_best_py_as_its_honest_twin(
    vault_store: Path, twins: dict[str, list[dict]], tmp_path: Path
) -> None:
    before = h.snapshot(vault_store.parent, vault_store)
    ran, metrics = _heldout(vault_store, tmp_path / "attack", "gold_through_a_frame.py")
    assert not before.changes(h.snapshot(vault_store.parent, vault_store))
    assert ran.returncode == 0, ran.stderr[-2000:]
    scored = {key: (v["accuracy"], v["tokens_k"]) for key, v in metrics.items()}
    honest = {(r["benchmark"], f"Discovered(beta={r['beta']:g})"): (round(r["accuracy"], 2),
                                                                     round(r["avg_tokens"] / 1000, 1))
              for r in twins["honest_read_one.py"]}
    assert scored == honest, f"best.py scored {scored}, its honest twin {honest}"


def _versus_cmc(store: Path, folder: Path, best: str) -> h.Ran:
    """``benchmarks/discovery_vs_cmc.py`` on a run folder whose ``best.py`` is ``best`` (seeds 0-1)."""
    folder.mkdir()
    shutil.copyfile(h.ATTACKS / best, folder / "best.py")
    return h.run_stage("benchmarks.discovery_vs_cmc", "--store", str(store), "--run", str(folder), "--benchmark",
                       h.SEARCH, "--seeds", "2", timeout=300)


def test_the_winner_vs_cmc_table_scores_best_py_as_its_honest_twin(vault_store: Path, tmp_path: Path) -> None:
    tables = {}
    for best in ("honest_read_one.py", "gold_through_a_frame.py"):
        ran = _versus_cmc(vault_store, tmp_path / best, best)
        assert ran.returncode == 0, ran.stderr[-2000:]
        tables[best] = [line for line in ran.stdout.splitlines() if not line.startswith("measured in")]
    assert tables["gold_through_a_frame.py"] == tables["honest_read_one.py"], (
        "best.py read gold in the benchmark's process:\n" + "\n".join(tables["gold_through_a_frame.py"]))


def test_a_rendering_with_overflowing_knob_lines_is_a_one_line_error(small_store: Path, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from autotts.cli import main
    from autotts.discover.proposers.template import CMC_GENOME, Genome, render

    lines = {**CMC_GENOME.lines, "n_init": (1e308, -1e308)}  # trusted as a rendering; n_init is -inf at beta 0.5
    controller = tmp_path / "big.py"
    controller.write_text(render(Genome.build(CMC_GENOME.choice, lines), "Big knobs"))
    assert main(["eval", "--controller", str(controller), "--store", str(small_store), "--beta", "0.5",
                 "--no-record"]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "big.py" in err and "knob lines" in err, err[-2000:]
