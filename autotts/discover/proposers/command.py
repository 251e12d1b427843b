"""``command``: an external coding agent edits a candidate file in a prepared workspace.

Each proposal gets a fresh folder with ``brief.md`` (the rules and API),
``history.md`` (the run so far) and ``candidate.py`` (a parent to start
from: an elite, or CMC on the mechanism template). The command line runs
there with a time limit, its whole process group killed on breach; then the
edited ``candidate.py`` is read back. ``{workspace}`` in the command is
replaced by the folder's path.

The command runs jailed (:mod:`autotts.discover.sandbox.agent`): it sees its
workspace, the system and what its command line names, never the store or
the run directory, unless the run says ``--unsafe-no-isolation``.
"""

from __future__ import annotations

import contextlib
import os
import select
import shlex
import shutil
import signal
import subprocess
import time
from pathlib import Path

from autotts.discover.proposers.base import Proposal, ProposalContext, Proposer, register_proposer
from autotts.discover.proposers.template import CMC_GENOME, render
from autotts.discover.sandbox.agent import jailed
from autotts.discover.sandbox.source import SourceRejected, read_source
from autotts.errors import DiscoveryError
from autotts.files import atomic_write

__all__ = ["CommandProposer"]

_OUTPUT_TAIL = 4000  # bytes of the agent's output kept to show


@register_proposer("command")
class CommandProposer(Proposer):
    def __init__(self, command: str = "", timeout: float = 900.0) -> None:
        if not command.strip():
            raise DiscoveryError("proposer 'command': give the agent's command line as proposer param command=")
        self.command = command
        self.timeout = float(timeout)

    def propose(self, context: ProposalContext) -> list[Proposal]:
        out = []
        for i in range(context.count):
            parent = context.elites[i % len(context.elites)] if context.elites else None
            start = parent[1] if parent else render(CMC_GENOME, "CMC on the mechanism template: a starting point.")
            workspace = context.workdir / f"workspace-{i:02d}"
            shutil.rmtree(workspace, ignore_errors=True)
            atomic_write(workspace / "brief.md", context.brief)
            atomic_write(workspace / "history.md", context.feedback)
            atomic_write(workspace / "candidate.py", start)
            line = self.command.replace("{workspace}", str(workspace))
            argv = shlex.split(line)
            if context.isolate_agents:
                argv = jailed(argv, workspace, context.run_dir or context.workdir)
            response, note = self._run(argv, workspace)
            edited, unreadable = _read_candidate(workspace / "candidate.py")
            note = note or unreadable
            if not note and edited.strip() == start.strip():
                note = "the command left candidate.py unchanged"
            parents = (parent[0],) if parent else ()
            out.append(Proposal(None if note else edited, self.name, parents, line, response, note))
        return out

    def _run(self, argv: list[str], workspace: os.PathLike[str]) -> tuple[str, str]:
        """Run the agent; the tail of its output, and a note if it failed.

        The output is read as it comes and only its tail kept: an agent can write without end, and what
        it writes must not grow this process (1.5 GB kept whole was 3 GB here while it was joined).
        """
        proc = subprocess.Popen(argv, cwd=workspace, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + self.timeout
        tail = bytearray()
        assert proc.stdout is not None
        with proc.stdout:
            while (remaining := deadline - time.monotonic()) > 0:
                if not select.select([proc.stdout], [], [], remaining)[0]:
                    continue
                chunk = os.read(proc.stdout.fileno(), 1 << 16)
                if not chunk:
                    break
                tail += chunk
                del tail[:-_OUTPUT_TAIL]
        text = tail.decode(errors="replace")
        try:
            code = proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return text, f"the command ran past {self.timeout:g}s and was killed"
        return text, "" if code == 0 else f"the command exited with status {code}"


def _read_candidate(path: Path) -> tuple[str, str]:
    """The edited file's text, or ``("", why it cannot be a candidate)``: a file that is not UTF-8 (or a
    symlink, or too large) becomes a note on the proposal, never an error that stops the run."""
    if not path.exists() and not path.is_symlink():
        return "", "the command removed candidate.py"
    try:
        return read_source(path), ""
    except SourceRejected as exc:
        return "", str(exc)
