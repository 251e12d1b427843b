"""autotts: automatic discovery of test-time-scaling controllers by replay.

The public entry points live in the subpackages: :mod:`autotts.store` (the
DuckDB trace store), :mod:`autotts.replay` (the replay environment),
:mod:`autotts.controllers` (built-in controllers and loading) and
:mod:`autotts.evaluate` (the seeds protocol and evaluation).
"""

__version__ = "0.1.0"
