"""One self-contained HTML page: styles inline, images as data URIs, no scripts, renders offline."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from autotts.report.tables import Table

__all__ = ["Section", "data_uri", "html_table", "render_page"]

_MIME = {".png": "image/png", ".svg": "image/svg+xml"}
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f3f3f3; }
.figures { display: flex; flex-wrap: wrap; gap: 1rem; }
.figures img { max-width: 580px; width: 100%; border: 1px solid #eee; }
pre { background: #f7f7f7; padding: 0.75rem; overflow-x: auto; }
"""


@dataclass(frozen=True, slots=True)
class Section:
    """A heading, some preformatted text or a table, and images (files to inline)."""

    title: str
    text: str = ""
    table: Table | None = None
    images: Sequence[Path] = ()


def data_uri(path: Path) -> str:
    """The file's bytes as a ``data:`` URI, so the page needs no neighbouring files."""
    mime = _MIME.get(path.suffix)
    if mime is None:
        raise ValueError(f"{path}: no MIME type for {path.suffix!r} images")
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def html_table(table: Table) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.header)
    # The first two columns name the row (model, method); the rest are figures, right-aligned.
    body = "".join(
        "<tr>" + "".join(f"<td{' class=num' if i >= 2 else ''}>{html.escape(c)}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in table.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_page(title: str, sections: Sequence[Section]) -> str:
    """The whole page as one string."""
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
             f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>"]
    for s in sections:
        parts.append(f"<section><h2>{html.escape(s.title)}</h2>")
        if s.text:
            parts.append(f"<pre>{html.escape(s.text)}</pre>")
        if s.table is not None:
            parts.append(html_table(s.table))
        if s.images:
            imgs = "".join(
                f"<img src='{data_uri(p)}' alt='{html.escape(p.stem)}' title='{html.escape(p.stem)}'>" for p in s.images
            )
            parts.append(f"<div class='figures'>{imgs}</div>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)
