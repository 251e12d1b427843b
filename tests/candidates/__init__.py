"""Candidate controllers the tests run, kept as real files so that ruff and a reader see them as code.

Each file says what it does and which test needs it. The tests never import them (a hostile one acts as
soon as it is imported): they read the source and hand it to the runner, the evaluator or the CLI, as a
user's file would be handed over. Where a test needs a variant (a period, a path of this machine), the file
holds a module constant and the test sets it with :func:`source`, so test and file cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).parent

# The security suite's honest controller (the majority of 2 to 8 whole reads, by beta): a rule-abiding candidate.
HONEST = FOLDER.parent / "security" / "attacks" / "honest.py"
# The benchmark's peeker (benchmarks/verify_power.py), caught by the sandbox tests at other periods.
PEEKS_SOMETIMES = FOLDER.parents[1] / "benchmarks" / "candidates" / "peeks_sometimes.py"


def path(name: str) -> Path:
    """The file of the candidate ``name`` (its file name in this folder, without ``.py``)."""
    found = FOLDER / f"{name}.py"
    if not found.is_file():
        raise FileNotFoundError(f"no candidate {name!r} in {FOLDER}")
    return found


def source(candidate: str | Path, **constants: object) -> str:
    """The source of ``candidate`` (a name in this folder, or a file's path), each of ``constants`` set.

    A constant is a top-level line ``NAME = value``; it becomes ``NAME = repr(new value)``. A name that does
    not start exactly one line is an error, so a renamed constant cannot leave a test running the default.
    """
    file = candidate if isinstance(candidate, Path) else path(candidate)
    lines = file.read_text().splitlines(keepends=True)
    for name, value in constants.items():
        at = [i for i, line in enumerate(lines) if line.startswith(f"{name} = ")]
        if len(at) != 1:
            raise ValueError(f"{file}: {len(at)} top-level lines assign {name}, expected 1")
        lines[at[0]] = f"{name} = {value!r}\n"
    return "".join(lines)
