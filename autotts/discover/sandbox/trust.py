"""Which controller sources are autotts's own code, and so may run in this process.

A source is trusted when it is, byte for byte, what the mechanism template
renders from the genome it declares, under a title of plain words. The
genome only selects mechanism variants (named, from autotts's table) and
sets numbers, and the title is the only free text, kept to characters that
cannot end the docstring it sits in; so such a file contains no code that
autotts did not write. Anything else (an LLM's edit, a command's output, a
user's file) is untrusted and runs isolated. The check reads text only: it
never parses or runs the source.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from autotts.discover.proposers.template import Genome

__all__ = ["is_template_source"]

_TITLE = re.compile(r'"""([A-Za-z0-9 ,.:;()_+=/-]{0,200})\n')
_GENOME_LINE = "GENOME = "
_MAX_GENOME_CHARS = 10_000


def is_template_source(source: str) -> bool:
    """Whether ``source`` is exactly the template's rendering of its own genome."""
    from autotts.discover.proposers.template import render

    title = _TITLE.match(source)
    line = next((x for x in source.split("\n", 40)[:40] if x.startswith(_GENOME_LINE)), None)
    if title is None or line is None or len(line) > _MAX_GENOME_CHARS:
        return False
    try:
        genome = _genome(json.loads(line[len(_GENOME_LINE):]))
    except (ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError):
        return False
    return render(genome, title.group(1)) == source


def _genome(data: dict) -> Genome:
    """The genome as written (integers stay integers, so that it renders to the same text), checked:
    variants from the template's table, numbers that are plain ints or floats."""
    from autotts.discover.proposers.template import KNOBS, SLOTS, Genome

    mechanisms = tuple((slot, data["mechanisms"][slot]) for slot in SLOTS)
    knobs = tuple((k, *data["knobs"][k]) for k in KNOBS)
    if any(variant not in SLOTS[slot] for slot, variant in mechanisms):
        raise ValueError("unknown variant")
    if any(len(k) != 3 or type(v) not in (int, float) for k in knobs for v in k[1:]):
        raise ValueError("a knob is not a pair of numbers")
    return Genome(mechanisms, knobs)
