"""Controllers: the interface, the registry, the paper's baselines and CMC, file loading."""

from autotts.controllers.base import Controller, build_controller, register, registered
from autotts.controllers.cmc import CMC, CMCSchedule
from autotts.controllers.loading import ControllerSpec, load_controller_file, resolve_controller
from autotts.controllers.parallel_probe import ParallelProbe
from autotts.controllers.self_consistency import (
    AdaptiveConsistency,
    EarlyStoppingConsistency,
    SelfConsistency,
)
from autotts.controllers.voting import beta_conf, majority, vote_stats

__all__ = [
    "CMC",
    "AdaptiveConsistency",
    "CMCSchedule",
    "Controller",
    "ControllerSpec",
    "EarlyStoppingConsistency",
    "ParallelProbe",
    "SelfConsistency",
    "beta_conf",
    "build_controller",
    "load_controller_file",
    "majority",
    "register",
    "registered",
    "resolve_controller",
    "vote_stats",
]
