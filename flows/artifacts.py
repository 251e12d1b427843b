"""The report as Prefect artifacts on the pipeline's flow run: the summary, Table 1 and every figure.

Attached by the flow itself (not by a task), so they sit on the run a person
opens in the UI. Keys are stable, so each run adds a version of the same
artifacts and the UI's artifact pages show their history.
"""

from __future__ import annotations

import re
from pathlib import Path

from prefect.artifacts import create_image_artifact, create_markdown_artifact

from autotts.report import data_uri
from stages.report import ReportOutputs

__all__ = ["artifact_key", "publish_report"]


def publish_report(out: ReportOutputs) -> None:
    """The report's markdown, Table 1 and figures (PNG where written, else SVG) as artifacts of this run."""
    create_markdown_artifact(key="autotts-summary", markdown=out.summary.read_text(),
                             description="The report: winner, budget against CMC and SC, Table 1 summary")
    create_markdown_artifact(key="autotts-table1", markdown=out.table.read_text(),
                             description="Table 1: accuracy and tokens per model and method, search vs held-out")
    for figure in _figures(out.figures):
        create_image_artifact(image_url=data_uri(figure), key=artifact_key(figure.stem),
                              description=_describe(figure.stem))


def artifact_key(name: str) -> str:
    """``autotts-`` and ``name`` in the only characters Prefect allows in a key: lowercase letters, digits, dashes."""
    return "autotts-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _describe(stem: str) -> str:
    """What a figure of the report shows, from its file name (``curves-<model>-<benchmark>``, ``trajectory``)."""
    if stem.startswith("curves-"):
        model, _, benchmark = stem.removeprefix("curves-").rpartition("-")
        return f"Accuracy against tokens, every method: {model} on {benchmark}"
    return {"trajectory": "Discovery round by round: the best candidate so far"}.get(stem, stem)


def _figures(folder: Path) -> list[Path]:
    by_stem: dict[str, Path] = {}
    for path in [*sorted(folder.glob("*.png")), *sorted(folder.glob("*.svg"))]:
        by_stem.setdefault(path.stem, path)  # a PNG when there is one
    return list(by_stem.values())
