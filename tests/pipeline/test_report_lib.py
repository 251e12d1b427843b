"""Table 1, the HTML page and stage outputs, on small literal data."""

from __future__ import annotations

import base64
from pathlib import Path

import polars as pl
import pytest

from autotts.files import atomic_dir
from autotts.report import Section, Table, data_uri, markdown_table, render_page, table1
from stages.io import EVAL_SCHEMA, write_json


def _rows(*rows: tuple[str, str, str, float, float]) -> pl.DataFrame:
    full = [{**{k: None for k in EVAL_SCHEMA}, "model": m, "benchmark": b, "label": label, "accuracy": acc,
             "avg_tokens": tok} for m, b, label, acc, tok in rows]
    return pl.DataFrame(full, schema=EVAL_SCHEMA)


def test_table1_puts_search_and_heldout_side_by_side_with_paper_figures() -> None:
    evals = _rows(("M", "a24", "SC@64", 80.0, 900_000), ("M", "a25", "SC@64", 76.0, 1_100_000),
                  ("M", "a24", "Discovered(beta=0.5)", 82.5, 250_000))
    table = table1(evals, {"a24": "search", "a25": "heldout"}, ["SC@64", "Discovered(beta=0.5)", "Missing"],
                   published={("M", "a24", "SC@64"): (80.2, 899.9)})
    assert table.header[2:4] == ("a24 (search) acc %", "a24 (search) tokens k")
    assert table.rows == (
        ("M", "SC@64", "80.00 (80.20)", "900.0 (899.9)", "76.00", "1100.0"),
        ("M", "Discovered(beta=0.5)", "82.50", "250.0", "-", "-"),
    )
    assert markdown_table(table).splitlines()[1] == "| --- | --- | ---: | ---: | ---: | ---: |"


def test_page_inlines_images_and_escapes_text(tmp_path: Path) -> None:
    png = tmp_path / "fig.png"
    png.write_bytes(b"\x89PNG fake")
    page = render_page("a <b>", [Section("s", text="x < y", table=Table(("h",), (("v",),)), images=[png])])
    assert "a &lt;b&gt;" in page and "x &lt; y" in page
    assert f"src='data:image/png;base64,{base64.b64encode(png.read_bytes()).decode()}'" in page
    with pytest.raises(ValueError, match="MIME"):
        data_uri(tmp_path / "fig.gif")


def test_atomic_dir_replaces_a_folder_whole_and_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with atomic_dir(target) as tmp:
        (tmp / "old.txt").write_text("old")
    with pytest.raises(RuntimeError), atomic_dir(target) as tmp:
        (tmp / "half.txt").write_text("half")
        raise RuntimeError("stage failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    with atomic_dir(target) as tmp:
        (tmp / "new.txt").write_text("new")
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    write_json(tmp_path / "m.json", {"b": 1, "a": 2})
    assert (tmp_path / "m.json").read_text() == '{\n  "a": 2,\n  "b": 1\n}\n'


def test_figures_of_dotted_model_names_do_not_overwrite_each_other(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from autotts.report.plots import save_figure

    written = []
    for bench in ("aime24", "aime25"):
        written += save_figure(plt.figure(), tmp_path / f"curves-Qwen3-0.6B-{bench}", ["png"])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "curves-Qwen3-0.6B-aime24.png", "curves-Qwen3-0.6B-aime25.png"
    ]
    assert len(set(written)) == 2
