"""``ray start`` with the dashboard's optional dependencies hidden, so that each node starts the minimal
dashboard agent.

The tests need no dashboard, and the full agent (which ray[default], pulled in by prefect-ray, enables)
starts slower on a loaded machine than a raylet waits for it (~15 s), killing the node.
tests/ray_cluster.py runs it as ``python tests/ray_start.py start ARGS``.
"""

import sys

sys.modules["ray.dashboard.optional_deps"] = None  # type: ignore[assignment]  # hidden: an import of it fails

from ray.scripts.scripts import main  # noqa: E402  # after the hiding, or the full agent is chosen

sys.exit(main())
