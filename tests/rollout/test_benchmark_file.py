"""Benchmark files: JSONL with question and answer; bad lines are named by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from autotts.cli import main
from autotts.errors import RolloutError
from autotts.rollout.benchmark_file import read_benchmark


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "bench.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_reads_questions_answers_and_ids_in_order(tmp_path: Path) -> None:
    bench = read_benchmark(
        write(tmp_path, '{"question": "1+1?", "answer": "2", "id": "q1"}', "", '{"question": "Half?", "answer": 0.5}')
    )
    assert [(i.question, i.answer, i.id) for i in bench.items] == [("1+1?", "2", "q1"), ("Half?", "0.5", None)]
    assert bench.name == "bench"
    assert len(bench.sha256) == 64


def test_integer_answers_become_their_text(tmp_path: Path) -> None:
    assert read_benchmark(write(tmp_path, '{"question": "q", "answer": 204, "id": 7}')).items[0].answer == "204"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"question": "q", "answer": ', "not valid JSON"),
        ('["q", "a"]', "expected a JSON object"),
        ('{"answer": "2"}', "missing key 'question'"),
        ('{"question": "q"}', "missing key 'answer'"),
        ('{"question": "", "answer": "2"}', "'question' should be a non-empty string"),
        ('{"question": "q", "answer": [2]}', "'answer' should be a string or a number"),
        ('{"question": "q", "answer": true}', "'answer' should be a string or a number"),
        ('{"question": "q", "answer": "  "}', "'answer' is empty"),
    ],
)
def test_a_malformed_line_is_named_by_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = write(tmp_path, '{"question": "ok", "answer": "1"}', line)
    with pytest.raises(RolloutError) as err:
        read_benchmark(path)
    assert str(err.value).startswith(f"{path}:2: ")
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_empty_and_missing_files_are_errors(tmp_path: Path) -> None:
    with pytest.raises(RolloutError, match="no questions"):
        read_benchmark(write(tmp_path, ""))
    with pytest.raises(RolloutError, match="cannot read"):
        read_benchmark(tmp_path / "absent.jsonl")


def test_cli_reports_a_bad_line_in_one_line_and_exits_nonzero(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = write(tmp_path, '{"question": "ok", "answer": "1"}', '{"question": "q"}')
    code = main(["rollout", "--model", "m", "--benchmark", str(path), "--store", str(tmp_path / "s.duckdb")])
    err = capsys.readouterr().err
    assert code == 1
    assert err == f"autotts rollout: error: {path}:2: missing key 'answer'\n"
    assert not (tmp_path / "s.duckdb").exists()  # nothing was created before the file was validated
