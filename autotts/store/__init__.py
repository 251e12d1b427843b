"""The DuckDB trace store: schema, connection helpers, ingest, export and result recording.

This package is the only writer of SQL in the project. Import from the module
that holds a name (``autotts.store.connection``, ``autotts.store.ingest``, ...):
this package file loads nothing, so a command that only opens the store does
not load the release-format reader and polars with it.
"""
