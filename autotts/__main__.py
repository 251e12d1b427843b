"""``python -m autotts``: the command line, as the ``autotts`` script runs it."""

from autotts.cli import main

raise SystemExit(main())
