"""Which controller sources are autotts's own code, and so may run in this process.

A source is trusted when it is, byte for byte, what the mechanism template
renders from the variants and knob lines it declares, under a title of plain
words. The variants only name mechanisms from autotts's own table and the
knob lines are numbers; the title, the only free text, is kept to characters
that cannot end the docstring it sits in. So such a file contains no code
that autotts did not write. Anything else (an LLM's edit, a command's
output, a user's file) is untrusted and runs isolated. The check reads the
text with bounded regular expressions: it never parses or runs the source.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from autotts.controllers.base import Controller
from autotts.controllers.loading import load_controller_source
from autotts.errors import ControllerError

__all__ = ["is_template_source", "template_design", "trusted_controller"]

_TITLE = re.compile(r'"""([A-Za-z0-9 ,.:;()_+=/>-]{0,200})\n')
_KNOB_BLOCK = re.compile(r'^KNOB_LINES = \{\n((?:    "\w{1,40}": \([^()\n]{1,80}\),\n){1,200})\}$', re.MULTILINE)
_KNOB = re.compile(r'    "(\w+)": \(([^,()\n]+), ([^,()\n]+)\),\n')
_MECHANISM_BLOCK = re.compile(r"^MECHANISMS = Mechanisms\(\n((?:    \w{1,40}=\w{1,80},\n){1,100})\)$", re.MULTILINE)
_MECHANISM = re.compile(r"    (\w+)=(\w+),\n")


def template_design(source: str) -> tuple[dict[str, str], dict[str, tuple[float, float]]] | None:
    """``(variants, knob lines)`` if ``source`` is exactly the template's rendering of them, else ``None``."""
    from autotts.discover.proposers.template import SLOTS, Genome, render

    title, knobs, mechanisms = _TITLE.match(source), _KNOB_BLOCK.search(source), _MECHANISM_BLOCK.search(source)
    if title is None or knobs is None or mechanisms is None:
        return None
    try:
        lines = {name: (float(a), float(b)) for name, a, b in _KNOB.findall(knobs.group(1))}
        functions = dict(_MECHANISM.findall(mechanisms.group(1)))
        choice = {slot: next(v for v, fn in variants.items() if fn.__name__ == functions.get(slot))
                  for slot, variants in SLOTS.items()}
        genome = Genome.build(choice, lines)
    except (ValueError, StopIteration, KeyError, TypeError):
        return None
    return (genome.choice, genome.lines) if render(genome, title.group(1)) == source else None


def is_template_source(source: str) -> bool:
    """Whether ``source`` is exactly the template's rendering of the design it declares."""
    return template_design(source) is not None


def trusted_controller(source: str, filename: str, params: Mapping[str, Any]) -> Controller:
    """A template rendering built to run in this process, with the compiled genome kernel as its fast path
    (the file's own ``solve`` replays the traced seeds, and the two must agree)."""
    from autotts.discover.mechanisms.kernel import CompiledTemplate

    design = template_design(source)
    if design is None:
        raise ControllerError(f"{filename}: not a rendering of autotts's template; it runs isolated")
    readable = load_controller_source(source, filename, params)
    return CompiledTemplate(readable, *design, beta=readable.beta)  # type: ignore[attr-defined]
