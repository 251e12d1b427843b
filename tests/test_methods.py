"""One label per method configuration, whichever file or stage it comes from."""

from __future__ import annotations

import pytest

from autotts.errors import ConfigError
from autotts.evaluate.parallel import EvalConfig
from autotts.methods import METHODS, PAPER_TABLE1, method_label, parse_label
from autotts.paper import published_table


@pytest.mark.parametrize(("written", "label"), [
    ("SC@64", "SC@64"), ("ASC", "ASC@64"), ("ParallelProbe@64", "Parallel-Probe@64"), ("esc@8", "ESC@8"),
    ("CMC(beta=1.0)", "CMC(beta=1)"), ("Discovered(beta=0.25)", "Discovered(beta=0.25)"),
])
def test_every_spelling_reads_back_to_one_label(written: str, label: str) -> None:
    assert method_label(parse_label(written)) == label
    assert method_label(parse_label(label)) == label


def test_a_budget_method_without_a_budget_is_labelled_with_its_controllers_default() -> None:
    assert method_label(EvalConfig("parallel-probe", {})) == "Parallel-Probe@64"


@pytest.mark.parametrize("bad", ["SC(beta=1)", "CMC@4", "CMC", "Foo@3", "SC@"])
def test_a_malformed_label_is_a_clear_error(bad: str) -> None:
    with pytest.raises(ConfigError, match="method label"):
        parse_label(bad)


def test_the_published_table_uses_our_labels_for_table1s_methods() -> None:
    ours = {method_label(c) for c in PAPER_TABLE1}
    published = {label for _, _, label in published_table()}
    assert published == ours
    assert {c.controller for c in PAPER_TABLE1} | {"discovered"} == {m.controller for m in METHODS}
