"""DuckDB's compiled engine, loaded without the Python layer of the ``duckdb`` package.

Since DuckDB 2.0 the ``duckdb`` package is two parts: the compiled engine ``_duckdb`` (connections, ``execute``,
results as tuples and NumPy arrays, registering NumPy columns, the exception classes) and, in Python on top of it,
the relational API (``con.sql``, expressions), scans of Arrow and polars objects, and a version lookup through
``importlib.metadata``. Importing that layer costs ~0.1 CPU-s, a fifth of a one-store ``autotts eval``, which uses
none of it. So the store's hot path (open, list, load, record) imports the engine from here, and code that needs
the layer calls :func:`with_python_layer` first; modules off that path may import ``duckdb`` as usual. Both name
the very same classes: a connection made here gains the layer's methods once ``duckdb`` is imported anywhere.
"""

from __future__ import annotations

import _duckdb as duckdb

__all__ = ["duckdb", "with_python_layer"]


def with_python_layer() -> None:
    """Make the ``duckdb`` package's Python layer available to every connection (``con.sql``, ``.pl()``, and
    registering polars frames or Arrow tables); a no-op once it is loaded."""
    import duckdb as _package  # noqa: F401  (importing it installs the layer on the engine's classes)
