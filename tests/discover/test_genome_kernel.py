"""The compiled genome kernel replays template controllers exactly as their rendered files do."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autotts.controllers import build_controller
from autotts.controllers.loading import load_controller_file
from autotts.discover.mechanisms import SLOTS, Schedule
from autotts.discover.mechanisms.kernel import CODES, FLOAT_KNOBS, INT_KNOBS, CompiledTemplate
from autotts.discover.proposers.template import INT_KNOBS as TEMPLATE_INT_KNOBS
from autotts.discover.proposers.template import KNOBS, STARTS, Genome, parse_genome, render
from autotts.discover.sandbox import check_source
from autotts.evaluate.api import load_matrices
from autotts.evaluate.runner import run_episodes
from autotts.replay.matrix import ReplayMatrix


@pytest.fixture(scope="module")
def toy_matrices(toy_store: Path) -> list[ReplayMatrix]:
    return load_matrices(toy_store, benchmarks=["toy"])


def test_the_kernel_tables_name_every_variant_and_knob() -> None:
    assert {slot: set(v) for slot, v in CODES.items()} == {slot: set(v) for slot, v in SLOTS.items()}
    assert set(INT_KNOBS) == set(TEMPLATE_INT_KNOBS)
    assert set(FLOAT_KNOBS) == {f.name for f in dataclasses.fields(Schedule)} - set(INT_KNOBS)


@pytest.mark.parametrize("start", [*sorted(STARTS), "cmc spliced to parallel-probe"])
def test_every_start_s_rendered_file_agrees_with_the_kernel_on_every_traced_episode(
        start: str, toy_matrices: list[ReplayMatrix], tmp_path: Path) -> None:
    genome = STARTS[start] if start in STARTS else STARTS["cmc"].spliced(0.4, STARTS["parallel-probe"])
    path = tmp_path / "start.py"
    path.write_text(render(genome, f"{start} on the template."))
    assert parse_genome(path.read_text()) == genome
    for beta in (0.0, 0.4, 1.0):
        compiled = genome.compiled(load_controller_file(path, {"beta": beta}), beta)
        for matrix in toy_matrices:
            run_episodes(matrix, compiled, seeds=3, trace_seeds=3)  # raises where the two disagree
    if genome.splice:  # the file runs each side where the genome says: the kernel on the other side disagrees
        wrong = genome.at(0.0)
        compiled = CompiledTemplate(load_controller_file(path, {"beta": 1.0}), wrong.choice, wrong.lines, 1.0)
        with pytest.raises(RuntimeError):
            for matrix in toy_matrices:
                run_episodes(matrix, compiled, seeds=3, trace_seeds=3)


def _line(name: str) -> st.SearchStrategy[tuple[float, float]]:
    spec = KNOBS[name]
    high = min(spec.high, 24) if name in TEMPLATE_INT_KNOBS else spec.high
    value = (st.integers(int(spec.low), int(high)) if name in TEMPLATE_INT_KNOBS
             else st.floats(spec.low, spec.high, allow_nan=False))
    return st.tuples(value, value).map(lambda ab: (min(ab), max(ab)))


genomes = st.builds(
    Genome.build,
    st.fixed_dictionaries({slot: st.sampled_from(sorted(variants)) for slot, variants in SLOTS.items()}),
    st.fixed_dictionaries({name: _line(name) for name in KNOBS}),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(genome=genomes, beta=st.floats(0.0, 1.0))
def test_random_genomes_replay_the_same_through_the_kernel_and_the_readable_loop(
        genome: Genome, beta: float, toy_matrices: list[ReplayMatrix]) -> None:
    compiled = CompiledTemplate.of(genome.choice, genome.lines, beta)
    for matrix in toy_matrices:
        run_episodes(matrix, compiled, seeds=2, trace_seeds=2)


@pytest.mark.parametrize(("builtin", "params", "genome"), [
    ("sc", {"k": 5}, STARTS["sc"]),
    ("asc", {"k": 16}, STARTS["asc"]),
    ("esc", {"k": 16}, STARTS["esc"]),
])
def test_the_baselines_on_the_template_act_exactly_as_the_built_ins(
        builtin: str, params: dict[str, int], genome: Genome, toy_matrices: list[ReplayMatrix]) -> None:
    k = params["k"]
    budget = {name: (float(k), float(k)) for name in ("max_branches", "max_complete")}
    if builtin == "sc":
        budget |= {"n_init": (k, k), "min_complete": (k, k)}
    template = CompiledTemplate.of(genome.choice, {**genome.lines, **budget}, 0.5)
    for matrix in toy_matrices:
        ours = run_episodes(matrix, template, seeds=4, trace_seeds=1)
        theirs = run_episodes(matrix, build_controller(builtin, params), seeds=4, trace_seeds=0)
        assert np.array_equal(ours.answers, theirs.answers) and np.array_equal(ours.tokens, theirs.tokens)


def test_rendered_files_are_lint_clean_and_pass_the_static_check(tmp_path: Path) -> None:
    paths = []
    for name, genome in [*STARTS.items(), ("spliced", STARTS["cmc"].spliced(0.5, STARTS["race"]))]:
        source = render(genome, f"{name} on the template.")
        assert check_source(source) == []
        paths.append(tmp_path / f"{name.replace('-', '_')}.py")
        paths[-1].write_text(source)
    root = Path(__file__).resolve().parents[2]
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "--config", str(root / "pyproject.toml"), *paths],
                          capture_output=True, text=True, check=False, cwd=root)
    assert lint.returncode == 0, lint.stdout
