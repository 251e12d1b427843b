"""Peak memory of ``autotts ingest`` fed hostile release files at the real size cap.

Usage, from the repository root: python -m benchmarks.ingest_memory [--mib 32] [--shape NAME ...] [--files N]

Each shape of ``tests/security/ingest_bombs.py`` is built just under the cap (so it is parsed whole),
plus a gzip bomb of nested lists eight times past it, plus the bundled release files repeated up to the
cap (what a large honest file costs). A fresh process ingests each (``--files N``: N copies in one call,
as N models, to meet the bound on the rows one call holds) into a copy of a store that already holds
data. The table gives that process's peak RSS above its RSS after imports, the same per byte of one
file's JSON, the error it printed, and whether the store's bytes changed (a refused file must not).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autotts.bundled import bundled_files
from autotts.store.autotts_json import MAX_JSON_BYTES
from tests.security.ingest_bombs import SHAPES, nested_lists, ship


def _release(size: int) -> bytes:
    """The largest bundled file's questions, repeated up to ``size`` bytes: an honest file at the cap."""
    questions = json.loads(gzip.decompress(max(bundled_files(), key=lambda p: p.stat().st_size).read_bytes()))
    one = len(json.dumps(questions).encode())
    return json.dumps(questions * max(1, size // one)).encode()


def _peak_rss_kib() -> int:
    """This process's peak RSS (Linux). Not ``ru_maxrss``: that one keeps the parent's peak across exec."""
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))


def _one(store: str, *paths: str) -> None:
    """Child mode: ingest ``paths`` into ``store``; print RSS after imports, peak RSS and the error line."""
    import duckdb  # noqa: F401  (imported by the ingest; counted in the baseline, not in the peak)
    import polars  # noqa: F401

    from autotts.errors import IngestError
    from autotts.store.ingest import ingest_files

    base = _peak_rss_kib()
    error = ""
    try:
        ingest_files(paths, store)
    except IngestError as exc:
        error = str(exc)
    peak = _peak_rss_kib()
    print(json.dumps({"base_kib": base, "peak_kib": peak, "error": error}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=float, default=MAX_JSON_BYTES / 2**20, help="size of each file's JSON")
    parser.add_argument("--shape", action="append", choices=[*SHAPES, "release", "bomb"], help="default: all")
    parser.add_argument("--files", type=int, default=1, help="copies of each file ingested in one call")
    parser.add_argument("--one", nargs="+", metavar="STORE FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        _one(*args.one)
        return
    size = int(args.mib * 2**20) - 4096
    builders = {**SHAPES, "release": _release, "bomb": lambda n: nested_lists(8 * MAX_JSON_BYTES)}
    with tempfile.TemporaryDirectory(prefix="ingest-memory-") as tmp:
        good = Path(tmp) / "good.duckdb"
        from autotts.store.ingest import ingest_files

        ingest_files(bundled_files()[:1], good)
        print(f"{args.files} file(s) a call")
        print(f"{'shape':14} {'gz KiB':>8} {'JSON MiB':>9} {'peak MB':>8} {'per byte':>8}  store    error")
        for name in args.shape or builders:
            data = builders[name](size)
            paths = [ship(Path(tmp) / "attacker" / f"m{i}" / f"{name}.json.gz", data) for i in range(args.files)]
            store = Path(tmp) / "store.duckdb"
            shutil.copyfile(good, store)
            before = hashlib.sha256(store.read_bytes()).hexdigest()
            child = [sys.executable, "-m", "benchmarks.ingest_memory", "--one", str(store), *map(str, paths)]
            ran = subprocess.run(child, capture_output=True, text=True, check=True)
            got = json.loads(ran.stdout.splitlines()[-1])
            grown = (got["peak_kib"] - got["base_kib"]) * 1024
            same = hashlib.sha256(store.read_bytes()).hexdigest() == before
            status = "same" if same else "written" if not got["error"] else "CHANGED"
            print(f"{name:14} {paths[0].stat().st_size / 1024:8.0f} {len(data) / 2**20:9.1f} {grown / 1e6:8.0f} "
                  f"{grown / len(data):8.1f}  {status:8} {got['error'][-90:]}")


if __name__ == "__main__":
    main()
