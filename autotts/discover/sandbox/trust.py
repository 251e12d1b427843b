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
from typing import TYPE_CHECKING, Any

from autotts.controllers.base import Controller
from autotts.controllers.loading import load_controller_source
from autotts.errors import ControllerError

if TYPE_CHECKING:
    from autotts.discover.proposers.template import Genome

__all__ = ["is_template_source", "template_design", "trusted_controller"]

_TITLE = re.compile(r'"""([A-Za-z0-9 ,.:;()_+=/>-]{0,200})\n')
_KNOB_BLOCK = re.compile(r'^(HIGH_)?KNOB_LINES = \{\n((?:    "\w{1,40}": \([^()\n]{1,80}\),\n){1,200})\}$',
                         re.MULTILINE)
_KNOB = re.compile(r'    "(\w+)": \(([^,()\n]+), ([^,()\n]+)\),\n')
_MECHANISM_BLOCK = re.compile(r"^(HIGH_)?MECHANISMS = Mechanisms\(\n((?:    \w{1,40}=\w{1,80},\n){1,100})\)$",
                              re.MULTILINE)
_SPLICE = re.compile(r"^SPLICE_BETA = ([0-9.]{1,20})$", re.MULTILINE)
_MECHANISM = re.compile(r"    (\w+)=(\w+),\n")


def template_design(source: str) -> Genome | None:
    """The genome ``source`` is exactly the template's rendering of, else ``None``."""
    from autotts.discover.proposers.template import SLOTS, Genome, render

    title = _TITLE.match(source)
    knobs = {m.group(1) or "": m.group(2) for m in _KNOB_BLOCK.finditer(source)}
    mechanisms = {m.group(1) or "": m.group(2) for m in _MECHANISM_BLOCK.finditer(source)}
    splice = _SPLICE.search(source)
    if title is None or "" not in knobs or "" not in mechanisms:
        return None
    try:
        designs = {}
        for prefix in knobs:
            lines = {name: (float(a), float(b)) for name, a, b in _KNOB.findall(knobs[prefix])}
            functions = dict(_MECHANISM.findall(mechanisms[prefix]))
            choice = {slot: next(v for v, fn in variants.items() if fn.__name__ == functions.get(slot))
                      for slot, variants in SLOTS.items()}
            designs[prefix] = Genome.build(choice, lines)
        genome = designs[""]
        if splice is not None:
            genome = genome.spliced(float(splice.group(1)), designs["HIGH_"])
    except (ValueError, StopIteration, KeyError, TypeError):
        return None
    return genome if render(genome, title.group(1)) == source else None


def is_template_source(source: str) -> bool:
    """Whether ``source`` is exactly the template's rendering of the design it declares."""
    return template_design(source) is not None


def trusted_controller(source: str, filename: str, params: Mapping[str, Any]) -> Controller:
    """A template rendering built to run in this process, with the compiled genome kernel as its fast path
    (the file's own ``solve`` replays the traced seeds, and the two must agree)."""
    design = template_design(source)
    if design is None:
        raise ControllerError(f"{filename}: not a rendering of autotts's template; it runs isolated")
    try:
        readable = load_controller_source(source, filename, params)
        return design.compiled(readable, readable.beta)  # type: ignore[attr-defined]
    except (ValueError, OverflowError) as exc:  # a knob line with no number at this beta: (1e308, -1e308)
        raise ControllerError(f"{filename}: its knob lines give no number at beta {params.get('beta')}: "
                              f"{exc}") from None
