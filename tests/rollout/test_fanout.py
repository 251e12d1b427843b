"""The Ray fan-out path, run against a stand-in ``ray`` module that executes actors in-process.

It checks what the code promises without a cluster: one backend per worker,
questions handed out across workers, results recorded in benchmark order.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from autotts.rollout import ProtocolConfig, RayOptions, fanout, run_rollout
from tests.rollout.fakes import FakeBackend

pytest.importorskip("math_verify")


class _Method:
    def __init__(self, bound: Callable[..., Any]) -> None:
        self.bound = bound

    def remote(self, *args: Any) -> Any:
        return self.bound(*args)  # the "object ref" is the result itself


class _Handle:
    def __init__(self, instance: Any) -> None:
        self.instance = instance

    def __getattr__(self, name: str) -> _Method:
        return _Method(getattr(self.instance, name))


class _ActorPool:
    def __init__(self, actors: list[_Handle]) -> None:
        self.actors = actors

    def map(self, fn: Callable[[Any, Any], Any], values: Iterable[Any]) -> Iterator[Any]:
        for i, value in enumerate(values):
            yield fn(self.actors[i % len(self.actors)], value)


@pytest.fixture
def fake_ray(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {"init": [], "num_gpus": [], "backends": []}
    ray = types.ModuleType("ray")
    util = types.ModuleType("ray.util")

    def remote(num_gpus: float) -> Callable[[type], Any]:
        seen["num_gpus"].append(num_gpus)
        return lambda cls: types.SimpleNamespace(remote=lambda: _Handle(cls()))

    ray.init = lambda address=None, ignore_reinit_error=False: seen["init"].append(address)  # type: ignore[attr-defined]
    ray.remote = remote  # type: ignore[attr-defined]
    util.ActorPool = _ActorPool  # type: ignore[attr-defined]
    ray.util = util  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ray", ray)
    monkeypatch.setitem(sys.modules, "ray.util", util)

    def load(name: str, model: str, options: dict[str, Any]) -> FakeBackend:
        seen["backends"].append((name, model, options))
        return FakeBackend()

    monkeypatch.setattr(fanout, "load_backend", load)
    return seen


def test_questions_fan_out_over_workers_and_land_in_order(tmp_path: Path, fake_ray: dict[str, Any]) -> None:
    bench = tmp_path / "toy.jsonl"
    bench.write_text("".join(f'{{"question": "q{i}", "answer": "{i}"}}\n' for i in range(5)))
    config = ProtocolConfig(samples=2, interval=10, max_tokens=40, max_probes=2, probe_tokens=6)
    ray = RayOptions(workers=2, gpus_per_worker=0.5, address="auto")
    summary = run_rollout(
        "m",
        bench,
        tmp_path / "s.duckdb",
        config=config,
        backend="vllm",
        backend_options={"tensor_parallel_size": 1},
        ray=ray,
    )
    assert summary.questions == 5
    assert fake_ray["init"] == ["auto"] and fake_ray["num_gpus"] == [0.5]
    assert fake_ray["backends"] == [("vllm", "m", {"tensor_parallel_size": 1})] * 2  # one backend per worker
    with duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True) as con:
        assert con.execute("SELECT question_idx, question FROM questions ORDER BY 1").fetchall() == [
            (i, f"q{i}") for i in range(5)
        ]


def test_ray_needs_a_backend_name_not_an_object(tmp_path: Path) -> None:
    from autotts.errors import RolloutError

    bench = tmp_path / "toy.jsonl"
    bench.write_text('{"question": "q", "answer": "1"}\n')
    with pytest.raises(RolloutError, match="give the backend by name"):
        run_rollout("m", bench, tmp_path / "s.duckdb", backend=FakeBackend(), ray=RayOptions(workers=2))
