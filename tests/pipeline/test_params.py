"""params files load into frozen dataclasses; anything unknown, missing or mistyped is an error."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from autotts.errors import ConfigError
from stages.params import Params, load_params

REPO = Path(__file__).resolve().parents[2]
SHIPPED = [REPO / "params.yaml", *sorted(Path(__file__).parent.glob("params*.yaml"))]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(REPO)))
def test_every_shipped_params_file_loads(path: Path) -> None:
    params = load_params(path)
    assert isinstance(params, Params)
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.discover.rounds = 99  # type: ignore[misc]


def _write(tmp_path: Path, edit) -> Path:
    raw = yaml.safe_load((REPO / "params.yaml").read_text())
    edit(raw)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_unknown_key_is_rejected_with_its_name(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda raw: raw["discover"].update(roudns=2))
    with pytest.raises(ConfigError, match=r"discover\.roudns: unknown key"):
        load_params(path)


def test_unknown_section_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda raw: raw.update(extras={}))
    with pytest.raises(ConfigError, match=r"params extras: unknown key"):
        load_params(path)


def test_missing_key_is_an_error_not_a_default(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda raw: raw["baselines"].pop("seeds"))
    with pytest.raises(ConfigError, match=r"baselines\.seeds: missing key"):
        load_params(path)


def test_wrong_type_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda raw: raw["discover"].update(rounds="three"))
    with pytest.raises(ConfigError, match=r"discover\.rounds: expected int"):
        load_params(path)


def test_search_benchmark_must_be_one_of_the_benchmarks(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda raw: raw["data"].update(search_benchmark="math500"))
    with pytest.raises(ConfigError, match="search_benchmark"):
        load_params(path)


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="params file not found"):
        load_params(tmp_path / "nope.yaml")


def test_heldout_benchmarks_are_the_others() -> None:
    data = load_params(REPO / "params.yaml").data
    assert data.heldout_benchmarks == ("aime25",)
    assert data.split("aime24") == "search" and data.split("aime25") == "heldout"
