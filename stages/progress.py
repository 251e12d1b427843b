"""Progress for long stages: a tqdm bar on a terminal, a few summary lines in the Prefect UI.

Stages call :func:`track` and stay unaware of who runs them: under ``dvc
repro`` in a terminal the bar shows on stderr; inside a Prefect task run the
run's log gets one line when the step is done (and one a minute while it runs),
never a line per item: a log is read afterwards, not watched.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from tqdm import tqdm

__all__ = ["stage_logger", "track"]

T = TypeVar("T")

LOG_EVERY_SECONDS = 60.0


def stage_logger() -> logging.Logger:
    """The Prefect run logger inside a flow or task run, else the ``autotts.stages`` logger.

    A process that has not imported Prefect is in no run (``dvc repro``, or Prefect not installed), so
    Prefect is not imported just to ask: that import costs ~2.7 CPU-s in every stage process DVC starts.
    """
    if "prefect" in sys.modules:
        from prefect.context import FlowRunContext, TaskRunContext
        from prefect.logging import get_run_logger

        if TaskRunContext.get() or FlowRunContext.get():
            return get_run_logger()  # type: ignore[return-value]
    return logging.getLogger("autotts.stages")


def track(
    items: Sequence[T] | Iterable[T], desc: str, *, unit: str = "eval", total: int | None = None
) -> Iterator[T]:
    """Yield ``items`` while showing a bar (terminals only) and logging how long they took."""
    if total is None and isinstance(items, Sequence):
        total = len(items)
    logger = stage_logger()
    started = last_log = time.monotonic()
    done = 0
    # disable=None: no bar when stderr is not a terminal (a Prefect worker, a CI log).
    with tqdm(total=total, desc=desc, unit=unit, dynamic_ncols=True, leave=True, disable=None) as bar:
        for done, item in enumerate(items, start=1):
            yield item
            bar.update()
            now = time.monotonic()
            if now - last_log >= LOG_EVERY_SECONDS and done != total:
                logger.info("%s: %d/%s %ss so far (%.0f s)", desc, done, total or "?", unit, now - started)
                last_log = now
    logger.info("%s: %d %ss in %.1f s", desc, done, unit, time.monotonic() - started)
