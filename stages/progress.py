"""Progress for long stages: a tqdm bar on the terminal, progress lines in the Prefect UI.

Stages call :func:`track` and stay unaware of who runs them: under ``dvc
repro`` the bar shows on stderr; inside a Prefect task run the same steps are
also logged to the run, so the UI shows how far a stage got.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from tqdm import tqdm

__all__ = ["stage_logger", "track"]

T = TypeVar("T")


def stage_logger() -> logging.Logger:
    """The Prefect run logger inside a flow or task run, else the ``autotts.stages`` logger."""
    try:
        from prefect.context import FlowRunContext, TaskRunContext
        from prefect.logging import get_run_logger

        if TaskRunContext.get() or FlowRunContext.get():
            return get_run_logger()  # type: ignore[return-value]
    except ImportError:  # Prefect is optional for the DVC path
        pass
    return logging.getLogger("autotts.stages")


def track(
    items: Sequence[T] | Iterable[T], desc: str, *, unit: str = "eval", total: int | None = None
) -> Iterator[T]:
    """Yield ``items`` while showing a bar and logging each tenth of the way."""
    if total is None and isinstance(items, Sequence):
        total = len(items)
    logger = stage_logger()
    step = max(1, (total or 0) // 10)
    with tqdm(total=total, desc=desc, unit=unit, dynamic_ncols=True, leave=True) as bar:
        for done, item in enumerate(items, start=1):
            yield item
            bar.update()
            if total and (done % step == 0 or done == total):
                logger.info("%s: %d/%d", desc, done, total)
