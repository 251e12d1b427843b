"""Where a pipeline run's files live under a root: the same relative paths as dvc.yaml uses.

``dvc repro`` works in the repository; a Prefect flow may work anywhere (a
test's temporary folder, a scratch disk), so the flow builds every path from
one root. A test checks these against dvc.yaml's outs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from stages.report import ReportOutputs

__all__ = ["Layout"]


@dataclass(frozen=True, slots=True)
class Layout:
    """Every stage output below ``root``."""

    root: Path

    def rollout_store(self, run: str) -> Path:
        return self.root / "data/rollouts" / f"{run}.duckdb"

    @property
    def store(self) -> Path:
        return self.root / "data/pipeline/traces.duckdb"

    @property
    def baselines(self) -> Path:
        return self.root / "data/pipeline/baselines"

    def baseline_table(self, model: str, benchmark: str) -> Path:
        return self.baselines / f"{model}-{benchmark}.parquet"

    @property
    def discovery(self) -> Path:
        return self.root / "data/pipeline/discovery"

    @property
    def discover_metrics(self) -> Path:
        return self.root / "data/pipeline/metrics/discover.json"

    @property
    def heldout(self) -> Path:
        return self.root / "data/pipeline/heldout"

    @property
    def heldout_metrics(self) -> Path:
        return self.root / "data/pipeline/metrics/heldout"

    @property
    def report(self) -> ReportOutputs:
        reports = self.root / "reports"
        return ReportOutputs(
            table=reports / "table1.md",
            html=reports / "index.html",
            figures=reports / "figures",
            curves=reports / "curves",
            trajectory=reports / "trajectory.csv",
            summary=reports / "summary.md",
        )
