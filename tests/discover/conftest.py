"""A toy store for discovery tests: two models, a search and a held-out benchmark, a few questions."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from autotts.discover.evaluation import CandidateEvaluator, EvalSettings
from autotts.discover.proposers.template import CMC_GENOME, render
from autotts.discover.sandbox import SandboxLimits
from autotts.evaluate.api import load_matrices
from autotts.store.ingest import ingest_files
from tests.builders import branch, question, write_release

TOY_MODELS = ("toy-a", "toy-b")


def _questions(rng: random.Random, n: int, width: int) -> list[dict]:
    out = []
    for q in range(n):
        gold = str(q)
        rows = []
        for _ in range(width):
            final = gold if rng.random() < 0.6 else str(q + rng.randint(1, 3))
            depth = rng.randint(2, 10)
            probes = [final if j > depth // 2 or rng.random() < 0.5 else "ERR" for j in range(depth)]
            rows.append(branch(probes, 500 * depth + rng.randint(0, 400), final))
        out.append(question(rows, gold=gold))
    return out


@pytest.fixture(scope="session")
def toy_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Search benchmark ``toy``, held-out ``heldout``: 4 questions x 24 branches per model."""
    folder = tmp_path_factory.mktemp("toy")
    rng = random.Random(7)
    files = []
    for model in TOY_MODELS:
        for bench in ("toy", "heldout"):
            files.append(write_release(folder / model / f"{bench}.json", _questions(rng, 4, 24)))
    store = folder / "toy.duckdb"
    ingest_files(files, store)
    return store


@pytest.fixture
def fast_limits() -> SandboxLimits:
    return SandboxLimits(cpu_seconds=20, wall_seconds=8.0, memory_mb=1536)


@pytest.fixture
def evaluator(toy_store: Path, fast_limits: SandboxLimits) -> CandidateEvaluator:
    matrices = load_matrices(toy_store, benchmarks=["toy"])
    return CandidateEvaluator(matrices, EvalSettings((0.0, 0.5, 1.0), jobs=2, limits=fast_limits))


@pytest.fixture
def cmc_source() -> str:
    return render(CMC_GENOME, "CMC on the template.")
