"""An LLM proposer's words in the report's markdown (``reports/summary.md``, the Prefect artifacts).

The winner's line is told with text the model wrote: its reply's ``Idea:`` line and its file's docstring.
Pasted into markdown raw, they become markup of the report: raw HTML (an image fetched from the
attacker's server when the page is opened), links, and extra table cells that forge figures.
"""

from __future__ import annotations

import re
from pathlib import Path

from autotts.discover.history import CandidateRecord
from autotts.discover.proposers.base import Proposal
from autotts.discover.proposers.llm import extract_code, extract_idea
from autotts.report import Section, read_winner, render_markdown, winner_paragraphs
from autotts.report.matched import lineage_table
from stages.io import write_json

HOSTILE = "<img src=https://evil.example/x.png> [CMC is broken](https://evil.example) | 99.99 | **significant**"
REPLY = f"""Idea: {HOSTILE}

```python
\"\"\"{HOSTILE}\"\"\"

def make_controller(beta):
    return None
```
"""


def test_an_llms_idea_and_docstring_stay_text_in_the_reports_markdown(tmp_path: Path) -> None:
    proposal = Proposal(extract_code(REPLY), "openai", (), "prompt", REPLY, idea=extract_idea(REPLY))
    record = CandidateRecord("r00c00", 0, 0, proposal, "h", None, score=1.0)
    write_json(tmp_path / "candidates" / "r00c00" / "result.json", record.to_json())
    write_json(tmp_path / "summary.json", {"best_candidate": "r00c00", "objective": "accuracy", "verdict": "sure"})
    winner = read_winner(tmp_path)
    text = render_markdown("T", [Section("S", paragraphs=winner_paragraphs(winner), tables=[lineage_table(winner)])])
    assert HOSTILE.split(">")[0][1:] in text, text  # it is told, as text
    markup = re.findall(r"(?<!\\)(<[a-z]|\[|\*\*)", text)
    assert not markup, f"the model's words became markup of the report: {markup}\n{text}"
    row = next(line for line in text.splitlines() if line.startswith("| r00c00"))
    cells = re.split(r"(?<!\\)\|", row.strip().strip("|"))
    assert len(cells) == 5, f"the model's words added cells to the lineage table: {row}"
