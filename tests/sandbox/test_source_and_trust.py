"""What the parent reads of a candidate (text only, one way), and which sources run in-process."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from autotts.discover.proposers.base import ProposalContext
from autotts.discover.proposers.evolve import EvolveProposer
from autotts.discover.proposers.template import CMC_GENOME, RACE_GENOME, render
from autotts.discover.sandbox import SourceRejected, check_text, is_template_source, read_source
from autotts.discover.sandbox.source import MAX_SOURCE_BYTES


@pytest.mark.parametrize(("data", "message"), [
    (b"# -*- coding: utf-7 -*-\nx = 1\n", "coding cookie"),
    (b"#!/usr/bin/env python\n# vim: set fileencoding=latin-1 :\nx = 1\n", "coding cookie"),
    (b"x = '\xe9'\n", "not valid UTF-8"),
    (b"x = 1\x00\n", "NUL byte"),
    (b"#" * (MAX_SOURCE_BYTES + 1), "larger than"),
])
def test_sources_that_read_differently_or_badly_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(SourceRejected, match=message):
        check_text(data, "candidate.py")


def test_a_cookie_after_line_two_is_just_a_comment() -> None:
    assert check_text(b"x = 1\ny = 2\n# coding: utf-7\n", "c.py").endswith("utf-7\n")


def test_a_symlinked_candidate_is_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("gold")
    (tmp_path / "candidate.py").symlink_to(secret)
    with pytest.raises(SourceRejected, match="symbolic link"):
        read_source(tmp_path / "candidate.py")


def test_the_template_s_renderings_are_trusted() -> None:
    assert is_template_source(render(CMC_GENOME, "CMC on the mechanism template: a starting point."))
    assert is_template_source(render(RACE_GENOME, "The race start."))
    spliced = render(CMC_GENOME.spliced(0.5, RACE_GENOME), "CMC, then the race.")
    assert is_template_source(spliced)
    assert not is_template_source(spliced.replace("SPLICE_BETA = 0.5", "SPLICE_BETA = 0.25"))
    assert not is_template_source(spliced.replace("HIGH_KNOB_LINES", "KNOB_LINES"))


def test_every_candidate_evolve_proposes_is_trusted(tmp_path: Path) -> None:
    context = ProposalContext(round=0, count=6, seed=3, brief="", feedback="", elites=[], seen_sources=frozenset(),
                              workdir=tmp_path, cache_dir=tmp_path, spent=lambda: 0.0)
    first = EvolveProposer().propose(context)
    elites = [(f"r00c{i:02d}", p.source or "", float(i)) for i, p in enumerate(first)]
    later = EvolveProposer().propose(ProposalContext(**{**context.__dict__, "round": 1, "elites": elites}))
    assert all(is_template_source(p.source or "") for p in [*first, *later])


@pytest.mark.parametrize("edit", [
    lambda s: s + "\nimport os\n",  # one more line
    lambda s: s.replace("return ", "return  ", 1),  # one more space
    lambda s: s.replace('"n_init": (2.0, 8.0)', '"n_init": (2, 8.0)'),  # a number written otherwise
    lambda s: s.replace('"n_init": (2.0, 8.0)', '"n_init": ("2", 8.0)'),  # a knob that is not a number
    lambda s: s.replace("    stop=stop_ema,", "    stop=print,"),  # a mechanism the template does not have
])
def test_any_edit_makes_a_source_untrusted(edit) -> None:  # type: ignore[no-untyped-def]
    source = render(CMC_GENOME, "CMC.")
    assert is_template_source(source)
    assert not is_template_source(edit(source))


def test_a_title_that_could_end_its_docstring_is_untrusted() -> None:
    assert not is_template_source(render(CMC_GENOME, 'x"""\nimport os\n"""'))
    assert not is_template_source(render(CMC_GENOME, "x\\"))


def test_random_text_is_untrusted() -> None:
    rng = random.Random(0)
    alphabet = 'KNOB_LINES = {}()"\n MECHANISMS=Mechanisms,'
    assert not any(is_template_source("".join(rng.choices(alphabet, k=300))) for _ in range(200))


def test_a_non_utf8_file_from_the_command_proposer_becomes_a_note(tmp_path: Path) -> None:
    from autotts.discover.proposers import build_proposer

    write = "from pathlib import Path; Path('candidate.py').write_bytes(b'x = 1  # caf\\xe9\\n')"
    context = ProposalContext(round=0, count=1, seed=0, brief="", feedback="", elites=[], seen_sources=frozenset(),
                              workdir=tmp_path, cache_dir=tmp_path, spent=lambda: 0.0)
    [proposal] = build_proposer("command", {"command": f'{sys.executable} -c "{write}"'}).propose(context)
    assert proposal.source is None and "not valid UTF-8" in proposal.note


def test_a_trusted_rendering_runs_with_the_compiled_kernel_and_others_cannot() -> None:
    from autotts.discover.mechanisms.kernel import CompiledTemplate
    from autotts.discover.sandbox import trusted_controller
    from autotts.errors import ControllerError

    source = render(CMC_GENOME, "CMC.")
    built = trusted_controller(source, "best.py", {"beta": 0.25})
    assert isinstance(built, CompiledTemplate) and built.readable.beta == 0.25  # type: ignore[attr-defined]
    spliced = render(CMC_GENOME.spliced(0.5, RACE_GENOME), "CMC, then the race.")
    for beta, design in ((0.25, CMC_GENOME), (0.5, RACE_GENOME)):  # the kernel runs the side the file runs
        built = trusted_controller(spliced, "best.py", {"beta": beta})
        assert isinstance(built, CompiledTemplate) and built.choice == design.choice
    with pytest.raises(ControllerError, match="runs isolated"):
        trusted_controller(source + "#\n", "best.py", {"beta": 0.25})
