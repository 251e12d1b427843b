"""DiscoverConfig is the one source of the discovery settings: flags, params.yaml and run.json read it."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import pytest
import yaml

from autotts.cli import build_parser
from autotts.cli.discover_cmd import config_from_args
from autotts.discover import discover
from autotts.discover.config import DiscoverConfig, settings
from autotts.errors import ConfigError, DiscoveryError, SettingError
from stages.params import load_params

REPO = Path(__file__).resolve().parents[2]
REQUIRED = ["discover", "--search-benchmark", "b", "--out", "o"]


def _cli(*flags: str) -> DiscoverConfig:
    args = build_parser().parse_args([*REQUIRED, *flags])
    return config_from_args(args)


def test_the_command_line_defaults_are_the_config_defaults() -> None:
    assert _cli() == DiscoverConfig()


def test_every_setting_has_a_flag_with_help_that_reaches_the_config() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    discover_parser = sub.choices["discover"]
    flags = {a.dest: a for a in discover_parser._actions}
    for field in settings():
        assert field.name in flags, field.name
        assert flags[field.name].help and field.metadata["help"] in flags[field.name].help
    changed = _cli("--rounds", "3", "--betas", "1,0.5", "--proposer-param", "temperature=0.2", "--max-cost", "1.5",
                   "--jobs", "1", "--proposer", "openai")
    assert changed == DiscoverConfig(rounds=3, betas=(0.5, 1.0), proposer_params={"temperature": 0.2},
                                     max_cost=1.5, jobs=1, proposer="openai")


@pytest.mark.parametrize(("flags", "message"), [
    (["--rounds", "0"], "--rounds: must be at least 1, got 0"),
    (["--betas", "0,2"], r"--betas: must be values in \[0, 1\]"),
    (["--betas", "0,x"], "--betas '0,x': expected comma-separated numbers"),
    (["--max-cost", "-1"], "--max-cost: must be at least 0"),
])
def test_a_bad_flag_is_named_in_the_error(flags: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _cli(*flags)


def test_params_discover_is_the_config_and_an_omitted_key_takes_its_default(tmp_path: Path) -> None:
    raw = yaml.safe_load((REPO / "params.yaml").read_text())
    shipped = load_params(REPO / "params.yaml").discover
    assert isinstance(shipped, DiscoverConfig)
    assert {k: v for k, v in dataclasses.asdict(shipped).items() if k in raw["discover"]} == {
        k: (tuple(v) if isinstance(v, list) else v) for k, v in raw["discover"].items()}
    raw["discover"] = {"rounds": 2}
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    assert load_params(path).discover == DiscoverConfig(rounds=2)


def test_a_bad_params_value_names_its_key(tmp_path: Path) -> None:
    raw = yaml.safe_load((REPO / "params.yaml").read_text())
    raw["discover"]["finalists"] = 0
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match=r"params discover\.finalists: must be at least 1, got 0"):
        load_params(path)


def test_unknown_settings_are_refused_by_name() -> None:
    with pytest.raises(SettingError, match="roundz: not a discovery setting"):
        DiscoverConfig().replace(roundz=2)


def test_the_config_copies_mappings_and_sorts_betas() -> None:
    options = {"model": "m"}
    config = DiscoverConfig(proposer_params=options, betas=(1, 0.25, 1))
    options["model"] = "changed"
    assert config.proposer_params == {"model": "m"}
    assert config.betas == (0.25, 1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.rounds = 2  # type: ignore[misc]


def test_run_json_records_every_setting_that_decides_the_result(toy_store: Path, tmp_path: Path) -> None:
    """A resumed run may change ``jobs`` (speed) but nothing that changes what it computes."""
    config = DiscoverConfig(rounds=1, candidates=1, search_seeds=1, seeds=1, finalists=1, jobs=1, betas=(0.5,),
                            generations=1, population=2)
    discover(toy_store, search_benchmark="toy", out=tmp_path, config=config, progress=False, record=False)
    run = json.loads((tmp_path / "run.json").read_text())
    identity = {f.name for f in settings() if not f.metadata["resumable"]}
    assert identity <= set(run) and "jobs" not in run
    assert {k: run[k] for k in identity} == config.identity()
    discover(toy_store, search_benchmark="toy", out=tmp_path, config=config.replace(jobs=2), progress=False,
             record=False)
    with pytest.raises(DiscoveryError, match=r"other settings \(finalists"):
        discover(toy_store, search_benchmark="toy", out=tmp_path, config=config, finalists=2, progress=False,
                 record=False)


def test_an_unknown_proposer_is_refused_before_the_run_folder_is_claimed(toy_store: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nope"):
        discover(toy_store, search_benchmark="toy", out=tmp_path / "run", proposer="nope", progress=False)
    assert not (tmp_path / "run").exists()
    with pytest.raises(SystemExit):
        _cli("--proposer", "nope")
