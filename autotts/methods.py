"""Every method's name in tables, plots and files, from one table of :class:`MethodSpec`.

A configuration (an :class:`EvalConfig`) is labelled ``SC@64`` when its
method is set by a budget (SC, ASC, ESC read ``k`` branches; Parallel-Probe
opens ``n``) and ``CMC(beta=0.5)`` when it is set by beta. :func:`parse_label`
reads those labels back, and also the spellings of the published files
(``ASC`` for ASC at its default budget, ``ParallelProbe@64``, ``CMC(beta=1.0)``),
so figures from anywhere meet under one label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from autotts.errors import ConfigError
from autotts.evaluate.parallel import EvalConfig

__all__ = ["DISCOVERED", "METHODS", "PAPER_TABLE1", "MethodSpec", "method_label", "method_spec", "parse_label"]

DISCOVERED = "discovered"


@dataclass(frozen=True, slots=True)
class MethodSpec:
    """A method: the controller that runs it, its name in labels, and the parameter that sets its budget."""

    controller: str  # registered controller, or DISCOVERED for a discovery run's winner (a file)
    name: str
    budget_param: str | None  # None: the method is set by beta


METHODS: tuple[MethodSpec, ...] = (
    MethodSpec("sc", "SC", "k"),
    MethodSpec("asc", "ASC", "k"),
    MethodSpec("esc", "ESC", "k"),
    MethodSpec("parallel-probe", "Parallel-Probe", "n"),
    MethodSpec("cmc", "CMC", None),
    MethodSpec(DISCOVERED, "Discovered", None),
)

_BY_CONTROLLER = {m.controller: m for m in METHODS}
_BY_NAME = {re.sub(r"[^a-z0-9]", "", m.name.lower()): m for m in METHODS}
_LABEL = re.compile(r"^(?P<name>[A-Za-z][A-Za-z0-9-]*)(?:@(?P<budget>\d+)|\(beta=(?P<beta>[0-9.]+)\))?$")


def method_spec(controller: str) -> MethodSpec:
    """The method of a controller (or ``discovered``); a clear error for one without a label."""
    if controller not in _BY_CONTROLLER:
        raise ConfigError(f"{controller!r} is not a labelled method ({', '.join(_BY_CONTROLLER)})")
    return _BY_CONTROLLER[controller]


def method_label(config: EvalConfig) -> str:
    """``SC@64``, ``Parallel-Probe@8``, ``CMC(beta=0.5)``: the one label of a configuration."""
    spec = method_spec(config.controller)
    if spec.budget_param is not None:
        return f"{spec.name}@{_budget(spec, config)}"
    return spec.name if config.beta is None else f"{spec.name}(beta={config.beta:g})"


def parse_label(label: str) -> EvalConfig:
    """The configuration a label names, in ours or the published files' spelling."""
    match = _LABEL.match(label.strip())
    spec = _BY_NAME.get(re.sub(r"[^a-z0-9]", "", match["name"].lower())) if match else None
    if match is None or spec is None:
        raise ConfigError(f"method label {label!r}: expected NAME@BUDGET or NAME(beta=B) with NAME one of "
                          f"{', '.join(m.name for m in METHODS)}")
    if match["beta"] is not None:
        if spec.budget_param is not None:
            raise ConfigError(f"method label {label!r}: {spec.name} is set by a budget, not beta")
        return EvalConfig(spec.controller, {}, float(match["beta"]))
    if spec.budget_param is None:
        raise ConfigError(f"method label {label!r}: {spec.name} needs a beta, as in {spec.name}(beta=0.5)")
    budget = int(match["budget"]) if match["budget"] is not None else None
    return EvalConfig(spec.controller, {} if budget is None else {spec.budget_param: budget})


def _budget(spec: MethodSpec, config: EvalConfig) -> int:
    param = spec.budget_param or ""
    if param in config.params:
        return int(config.params[param])
    from autotts.controllers.base import build_controller  # the controller's own default budget

    return int(getattr(build_controller(spec.controller, {}), param))


PAPER_TABLE1: tuple[EvalConfig, ...] = tuple(
    parse_label(label) for label in ("SC@64", "ASC@64", "ESC@64", "Parallel-Probe@64", "CMC(beta=0.5)", "CMC(beta=1)")
)
"""The methods of the paper's Table 1, in its order (budget 64, 100 seeds)."""
