"""``python -m autotts.cli``: the command line, as the ``autotts`` script runs it (``python -m autotts`` too)."""

from autotts.cli import main

raise SystemExit(main())
