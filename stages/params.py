"""params.yaml as frozen dataclasses: every key checked.

The pipeline's behaviour is whatever params.yaml says, so a misspelt key must
stop the run instead of silently falling back to a default: sections reject
unknown keys, require every field that has no default, and check each value's
type. The ``discover`` section is :class:`DiscoverConfig` itself, whose
defaults are also the command line's: a key left out there means the same as
a flag left out of ``autotts discover``.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, Union

import yaml

from autotts.discover.config import DiscoverConfig
from autotts.errors import ConfigError, SettingError

__all__ = [
    "BaselinesParams",
    "DataParams",
    "HeldoutParams",
    "IngestParams",
    "Params",
    "PrefectParams",
    "ReportParams",
    "RolloutParams",
    "RolloutRun",
    "SchedulesParams",
    "load_params",
]

INGEST_SOURCES = ("autotts-json", "rollouts")
TASK_RUNNERS = ("process", "thread", "ray")
PLOT_FORMATS = ("png", "svg")


@dataclass(frozen=True, slots=True)
class DataParams:
    """Which stores the pipeline works on: models x benchmarks, one benchmark searched, the rest held out."""

    models: tuple[str, ...]
    benchmarks: tuple[str, ...]
    search_benchmark: str

    def __post_init__(self) -> None:
        if not self.models:
            raise ConfigError("params data.models: name at least one model")
        if self.search_benchmark not in self.benchmarks:
            raise ConfigError(f"params data.search_benchmark: {self.search_benchmark!r} is not in data.benchmarks")
        if len(self.benchmarks) < 2:
            raise ConfigError("params data.benchmarks: name a held-out benchmark besides the search one")

    @property
    def heldout_benchmarks(self) -> tuple[str, ...]:
        return tuple(b for b in self.benchmarks if b != self.search_benchmark)

    def split(self, benchmark: str) -> str:
        """``search`` or ``heldout``: which side of the split a benchmark is on."""
        return "search" if benchmark == self.search_benchmark else "heldout"


@dataclass(frozen=True, slots=True)
class IngestParams:
    """Where the replay traces come from: release-format files (the bundled data is some) or rollouts."""

    source: str
    path: str

    def __post_init__(self) -> None:
        _one_of("ingest.source", self.source, INGEST_SOURCES)


@dataclass(frozen=True, slots=True)
class BaselinesParams:
    """The paper's baselines at every budget, and CMC over its beta sweep."""

    seeds: int
    methods: tuple[str, ...]
    budgets: tuple[int, ...]
    cmc_betas: tuple[float, ...]

    def __post_init__(self) -> None:
        _positive("baselines.seeds", self.seeds)
        for b in self.budgets:
            _positive("baselines.budgets", b)
        _betas("baselines.cmc_betas", self.cmc_betas)


@dataclass(frozen=True, slots=True)
class HeldoutParams:
    """The discovered controller's beta sweep on every benchmark, and its per-round trajectory."""

    seeds: int
    betas: tuple[float, ...]
    table_betas: tuple[float, ...]
    trajectory_beta: float
    trajectory_seeds: int

    def __post_init__(self) -> None:
        _positive("heldout.seeds", self.seeds)
        _positive("heldout.trajectory_seeds", self.trajectory_seeds)
        _betas("heldout.betas", self.betas)
        _betas("heldout.table_betas", self.table_betas)
        _betas("heldout.trajectory_beta", (self.trajectory_beta,))
        missing = [b for b in self.table_betas if b not in self.betas]
        if missing:
            raise ConfigError(f"params heldout.table_betas: {missing[0]} is not in heldout.betas")


@dataclass(frozen=True, slots=True)
class RolloutRun:
    """One ``autotts rollout``: a model on a benchmark file, into its own store ``data/rollouts/NAME.duckdb``."""

    model: str
    benchmark_file: str
    model_name: str | None
    benchmark_name: str | None
    limit: int | None
    backend: str
    backend_options: Mapping[str, Any]
    protocol: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RolloutParams:
    """Rollouts to generate before ingest, by name; none by default (the bundled data needs none)."""

    runs: Mapping[str, RolloutRun]


@dataclass(frozen=True, slots=True)
class ReportParams:
    """What the report renders: the image formats of its figures (the page inlines the first)."""

    formats: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.formats:
            raise ConfigError("params report.formats: name at least one of png, svg")
        for f in self.formats:
            _one_of("report.formats", f, PLOT_FORMATS)


@dataclass(frozen=True, slots=True)
class SchedulesParams:
    """When the registered Prefect deployments run."""

    nightly_cron: str
    rollout_poll_seconds: int
    timezone: str

    def __post_init__(self) -> None:
        _positive("prefect.schedules.rollout_poll_seconds", self.rollout_poll_seconds)


@dataclass(frozen=True, slots=True)
class PrefectParams:
    """How the Prefect flows run: task runner, retries, and deployment schedules."""

    task_runner: str
    max_workers: int
    ray_address: str | None
    retries: int
    retry_delay_seconds: int
    schedules: SchedulesParams

    def __post_init__(self) -> None:
        _one_of("prefect.task_runner", self.task_runner, TASK_RUNNERS)
        _positive("prefect.max_workers", self.max_workers)
        if self.retries < 0:
            raise ConfigError(f"params prefect.retries: must be >= 0, got {self.retries}")


@dataclass(frozen=True, slots=True)
class Params:
    """The whole of params.yaml."""

    data: DataParams
    rollout: RolloutParams
    ingest: IngestParams
    baselines: BaselinesParams
    discover: DiscoverConfig  # a key left out takes the setting's default
    heldout: HeldoutParams
    report: ReportParams
    prefect: PrefectParams


T = TypeVar("T")


def load_params(path: str | Path = "params.yaml") -> Params:
    """Read and check a params file; any unknown, missing or mistyped key raises :class:`ConfigError`."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: params file not found")
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from exc
    try:
        return build(Params, raw, where="")
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def build(cls: type[T], raw: Any, *, where: str) -> T:
    """A dataclass from a mapping, requiring exactly its fields, converting each by its annotation."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"params {where or 'file'}: expected a mapping, got {type(raw).__name__}")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    unknown = [k for k in raw if k not in names]
    if unknown:
        raise ConfigError(f"params {_key(where, unknown[0])}: unknown key (expected: {', '.join(names)})")
    missing = [f.name for f in dataclasses.fields(cls) if f.name not in raw  # type: ignore[arg-type]
               and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    if missing:
        raise ConfigError(f"params {_key(where, missing[0])}: missing key")
    values = {n: _convert(hints[n], raw[n], where=_key(where, n)) for n in names if n in raw}
    try:
        return cls(**values)
    except SettingError as exc:
        raise ConfigError(f"params {_key(where, exc.setting)}: {exc.problem}") from None


def _convert(kind: Any, value: Any, *, where: str) -> Any:
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return build(kind, value, where=where)
    origin = typing.get_origin(kind)
    if origin in (Union, types.UnionType):
        options = typing.get_args(kind)
        if value is None and type(None) in options:
            return None
        (inner,) = [o for o in options if o is not type(None)]
        return _convert(inner, value, where=where)
    if origin is Mapping:
        value_kind = typing.get_args(kind)[1]
        if not isinstance(value, dict):
            raise ConfigError(f"params {where}: expected a mapping, got {value!r}")
        converted = {str(k): v if value_kind is Any else _convert(value_kind, v, where=f"{where}.{k}")
                     for k, v in value.items()}
        return types.MappingProxyType(converted)  # read-only, like the rest of the params
    if origin is tuple:
        item_kind = typing.get_args(kind)[0]
        if not isinstance(value, list):
            raise ConfigError(f"params {where}: expected a list, got {value!r}")
        return tuple(_convert(item_kind, v, where=f"{where}[{i}]") for i, v in enumerate(value))
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind in (int, str, bool) and type(value) is kind:
        return value
    raise ConfigError(f"params {where}: expected {getattr(kind, '__name__', kind)}, got {value!r}")


def _key(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _one_of(key: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"params {key}: {value!r} is not one of {', '.join(allowed)}")


def _positive(key: str, value: int) -> None:
    if value < 1:
        raise ConfigError(f"params {key}: must be at least 1, got {value}")


def _betas(key: str, betas: tuple[float, ...]) -> None:
    if not betas:
        raise ConfigError(f"params {key}: name at least one beta")
    for b in betas:
        if not 0.0 <= b <= 1.0:
            raise ConfigError(f"params {key}: beta {b} is outside [0, 1]")
