"""Release files an attacker writes to exhaust ``autotts ingest``'s memory, each as ``size`` bytes of JSON.

Every shape is what makes Python's JSON parser hold the most objects per byte of text, and each ships
gzip-compressed, so a few hundred KiB on disk decompress to the cap. The tests build them small;
``python -m benchmarks.ingest_memory`` builds them at the real cap and measures peak RSS.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

__all__ = ["SHAPES", "ship"]


def _repeated(unit: bytes, size: int) -> bytes:
    """A JSON list of copies of ``unit``, ``size`` bytes or just under."""
    return b"[" + b",".join([unit] * max(1, (size - 2) // (len(unit) + 1))) + b"]"


def nested_lists(size: int) -> bytes:
    """Lists 50 deep, side by side: every two bytes are a list object (the worst shape measured)."""
    return _repeated(b"[" * 50 + b"]" * 50, size)


def nested_objects(size: int) -> bytes:
    """Objects 50 deep: five bytes per dict."""
    return _repeated(b'{"":' * 50 + b"0" + b"}" * 50, size)


def tiny_objects(size: int) -> bytes:
    """Millions of empty objects."""
    return _repeated(b"{}", size)


def deep(size: int) -> bytes:
    """One list nested as deep as the file is long."""
    return b"[" * size


def huge_string(size: int) -> bytes:
    """A release file whose one question is the whole file."""
    text = "x" * (size - 120)
    return json.dumps([{"question": text, "gold_answer": "1", "probe_freq": 1, "each_branch": [[[], 1, "1"]]}]).encode()


def empty_probes(size: int) -> bytes:
    """A valid release file of empty probe answers: three bytes a stored row, so it reaches the store's rows."""
    branch = b'[[' + b",".join([b'""'] * 1000) + b'],1,""]'
    per_question = 300
    head = b'{"question":"q","gold_answer":"1","probe_freq":1,"each_branch":['
    unit = head + b",".join([branch] * per_question) + b"]}"
    return _repeated(unit, size)


def empty_branches(size: int) -> bytes:
    """A valid release file of branches with no probes: ten bytes a stored row of the keyed ``branches`` table."""
    head = b'{"question":"q","gold_answer":"1","probe_freq":1,"each_branch":['
    return _repeated(head + b",".join([b'[[],1,""]'] * 10_000) + b"]}", size)


SHAPES: dict[str, Callable[[int], bytes]] = {
    f.__name__: f
    for f in (nested_lists, nested_objects, tiny_objects, deep, huge_string, empty_probes, empty_branches)
}


def ship(path: Path, data: bytes) -> Path:
    """Write ``data`` gzip-compressed at ``path`` (which should end ``.json.gz``), as an attacker ships it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, compresslevel=9))
    return path
