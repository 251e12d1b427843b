"""Reading a candidate's source the one way the interpreter will read it too.

A source must be UTF-8 without a coding declaration: a cookie such as
``# -*- coding: utf-7 -*-`` makes the interpreter decode the bytes
differently from every tool that reads them as UTF-8 (the static check,
people, the trust check), so it is refused rather than honoured. Files are
opened without following a symbolic link, and only up to a size cap. These
checks are text checks: the parent never parses or compiles untrusted code.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

__all__ = ["MAX_SOURCE_BYTES", "SourceRejected", "check_text", "read_source"]

MAX_SOURCE_BYTES = 512 * 1024
# PEP 263: a comment on line 1 or 2 matching this pattern sets the file's encoding.
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.MULTILINE)


class SourceRejected(ValueError):
    """The source cannot be accepted; the message is one line saying why."""


def read_source(path: Path) -> str:
    """The text of the candidate file at ``path`` (not through a symlink), or :class:`SourceRejected`."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        reason = "is a symbolic link" if exc.errno == errno.ELOOP else f"cannot be read ({exc.strerror})"
        raise SourceRejected(f"{path}: {reason}") from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise SourceRejected(f"{path}: not a regular file")
        data = fh.read(MAX_SOURCE_BYTES + 1)
    return check_text(data, str(path))


def check_text(data: bytes, where: str) -> str:
    """``data`` decoded, if it is acceptable candidate source; else :class:`SourceRejected`."""
    if len(data) > MAX_SOURCE_BYTES:
        raise SourceRejected(f"{where}: larger than {MAX_SOURCE_BYTES} bytes")
    head = b"\n".join(data.split(b"\n", 2)[:2])
    if _COOKIE.search(head):
        raise SourceRejected(f"{where}: declares a source encoding (coding cookie); write plain UTF-8 without one")
    if b"\x00" in data:
        raise SourceRejected(f"{where}: contains a NUL byte")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceRejected(f"{where}: not valid UTF-8 (byte {exc.start})") from None
