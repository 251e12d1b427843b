"""A one-line live progress bar on stderr, redrawn in place; silent when disabled."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    def __init__(self, enabled: bool = True, stream: TextIO | None = None, width: int = 24) -> None:
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.monotonic()

    def show(self, label: str, done: int, total: int, note: str = "") -> None:
        """Redraw the bar: ``label [####....] done/total elapsed note``."""
        if not self.enabled:
            return
        filled = self.width * done // max(total, 1)
        elapsed = time.monotonic() - self.started
        line = f"\r{label} [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} {elapsed:6.0f}s {note}"
        self.stream.write(line[:160].ljust(100))
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
