"""The report as one self-contained HTML page (styles inline, images as data URIs, no scripts, renders
offline) and as markdown (the same sections, for the Prefect UI and for reading in a repository)."""

from __future__ import annotations

import base64
import html
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from autotts.report.tables import Table, markdown_table, markdown_text

__all__ = ["Figure", "Section", "data_uri", "html_table", "render_markdown", "render_page"]

_MIME = {".png": "image/png", ".svg": "image/svg+xml"}
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1280px; padding: 0 1rem; color: #222;
       line-height: 1.45; }
h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
p { max-width: 75rem; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.8rem 0; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; }
th { background: #f3f3f3; font-weight: 600; }
tr.group td { border-top: 2px solid #888; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.best, span.best { font-weight: 700; background: #e3f4e1; }
td.flag, span.flag { background: #fde8c8; }
.legend { font-size: 0.8rem; color: #555; }
.legend span { padding: 0 0.3rem; }
figure { margin: 0.5rem 0 1rem; }
figcaption { font-size: 0.85rem; color: #444; max-width: 75rem; }
.figures { gap: 1rem; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); }
.figures img { width: 100%; border: 1px solid #eee; }
figure.wide img { max-width: 100%; width: 100%; }
pre { background: #f7f7f7; padding: 0.75rem; overflow-x: auto; font-size: 0.8rem; }
"""
_LEGEND = ("<p class='legend'><span class='best'>bold, green</span>: the best of its column "
           "(highest accuracy, fewest tokens){flag}</p>")
_FLAG = "; <span class='flag'>orange</span>: differs from the paper's figure (in parentheses) beyond its rounding"


@dataclass(frozen=True, slots=True)
class Figure:
    """An image file to inline and what it shows, in words."""

    path: Path
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    """A heading, paragraphs of prose, tables, figures (``wide``: one per row), and preformatted text."""

    title: str
    paragraphs: Sequence[str] = ()
    tables: Sequence[Table] = ()
    figures: Sequence[Figure] = ()
    wide: bool = False
    text: str = ""


def data_uri(path: Path) -> str:
    """The file's bytes as a ``data:`` URI, so the page needs no neighbouring files."""
    mime = _MIME.get(path.suffix)
    if mime is None:
        raise ValueError(f"{path}: no MIME type for {path.suffix!r} images")
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def html_table(table: Table) -> str:
    """The table; its label columns left-aligned, figures right-aligned, marked cells styled, a legend."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.header)

    def cell(r: int, c: int, text: str) -> str:
        classes = [name for name, on in (("num", c >= table.label_columns), ("best", (r, c) in table.best),
                                         ("flag", (r, c) in table.flagged)) if on]
        attr = f" class='{' '.join(classes)}'" if classes else ""
        return f"<td{attr}>{html.escape(text)}</td>"

    # rows share their first label (Table 1's model) in runs: each new run opens a group; a table whose first
    # labels never repeat (the mechanisms: one slot a row) has no groups, not a rule under every row
    grouped = table.label_columns > 1 and any(a[0] == b[0] for a, b in itertools.pairwise(table.rows))

    def starts_group(r: int) -> bool:
        return grouped and r > 0 and table.rows[r][0] != table.rows[r - 1][0]

    body = "".join(f"<tr{' class=group' if starts_group(r) else ''}>"
                   + "".join(cell(r, c, text) for c, text in enumerate(row)) + "</tr>"
                   for r, row in enumerate(table.rows))
    out = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if table.best or table.flagged:
        out += _LEGEND.format(flag=_FLAG if table.flagged else "")
    return out


def render_page(title: str, sections: Sequence[Section]) -> str:
    """The whole page as one string."""
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
             f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>"]
    for s in sections:
        parts.append(f"<section><h2>{html.escape(s.title)}</h2>")
        parts += [f"<p>{html.escape(p)}</p>" for p in s.paragraphs]
        parts += [html_table(t) for t in s.tables]
        figures = "".join(
            f"<figure{' class=wide' if s.wide else ''}><img src='{data_uri(f.path)}' alt='{html.escape(f.path.stem)}'"
            f" title='{html.escape(f.path.stem)}'>"
            + (f"<figcaption>{html.escape(f.caption)}</figcaption>" if f.caption else "") + "</figure>"
            for f in s.figures
        )
        if figures:
            parts.append(figures if s.wide else f"<div class='figures'>{figures}</div>")
        if s.text:
            parts.append(f"<pre>{html.escape(s.text)}</pre>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def render_markdown(title: str, sections: Sequence[Section]) -> str:
    """The same sections as markdown, figures left out (they travel as files or artifacts of their own)."""
    parts = [f"# {title}"]
    for s in sections:
        parts.append(f"## {s.title}")
        parts += [markdown_text(p) for p in s.paragraphs]
        parts += [markdown_table(t).rstrip("\n") for t in s.tables]
        if s.text:
            parts.append(f"```\n{s.text}\n```")
    return "\n\n".join(parts) + "\n"
