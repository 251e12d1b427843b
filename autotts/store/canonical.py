"""Give a freshly built store bytes that depend on its content only.

A store that one process wrote with one thread and closed is a function of
what was inserted, the file's name and DuckDB's version, except for one field:
the 16-byte database identifier DuckDB draws at random into the file's main
header (with a checksum over that header). :func:`stamp_identifier` replaces it
with a hash of the rest of the file and recomputes the checksum, so the same
inputs give a byte-identical store that DVC hashes the same on every build.
The file is reopened to check the result; a header of any other layout is left
exactly as DuckDB wrote it.
"""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path

import duckdb

__all__ = ["stamp_identifier"]

_HEADER_SIZE = 4096  # the main header block
_MAGIC = slice(8, 12)  # after the 8-byte checksum
_IDENTIFIER = slice(124, 140)
_MULTIPLIER = 0xBF58476D1CE4E5B9  # DuckDB's block checksum: xor over the block's 64-bit words, each times this
_MASK = (1 << 64) - 1


def _checksum(block: bytes | bytearray) -> int:
    result = 5381
    for (word,) in struct.iter_unpack("<Q", block):
        result ^= (word * _MULTIPLIER) & _MASK
    return result


def stamp_identifier(path: Path) -> bool:
    """Set the store's identifier from its content (the store must be closed); whether it was stamped."""
    with path.open("r+b") as fh:
        header = bytearray(fh.read(_HEADER_SIZE))
        if (len(header) != _HEADER_SIZE or header[_MAGIC] != b"DUCK"
                or struct.unpack_from("<Q", header)[0] != _checksum(header[8:])):
            return False
        body = hashlib.sha256()
        while chunk := fh.read(1 << 20):
            body.update(chunk)
        original = bytes(header)
        header[_IDENTIFIER] = body.digest()[:16]
        struct.pack_into("<Q", header, 0, _checksum(header[8:]))
        fh.seek(0)
        fh.write(header)
    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.Error:
        with path.open("r+b") as fh:
            fh.write(original)
        return False
    return True
