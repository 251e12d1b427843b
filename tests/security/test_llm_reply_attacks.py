"""Replies an LLM proposer (or whatever answers at its endpoint) sends to stall the discovery.

The reply is read with regular expressions. One whose ``Idea:`` line is a long run of blanks between two
words made the idea pattern backtrack quadratically: 20,000 blanks took 3 CPU-s, 200,000 (a few thousand
whitespace tokens, well inside ``max_tokens``) about five minutes, a megabyte hours, all of it in the
discovery's own process while every worker waited.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.openai_server import scripted_server

STALL = "Idea: a" + " " * 1_000_000 + "b\n```python\ndef make_controller(beta):\n    return None\n```\n"
READER = Path(__file__).with_name("reply_reader.py")


def _reply(path: str, body: dict) -> dict[str, Any]:
    message = {"role": "assistant", "content": STALL}
    return {"id": "c", "object": "chat.completion", "created": 0, "model": body["model"],
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 8000, "total_tokens": 8010}}


def test_a_reply_built_to_backtrack_is_read_at_once() -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    with scripted_server(_reply) as server:
        try:  # the fixed reader takes well under a second of CPU; the quadratic one hours
            ran = subprocess.run([sys.executable, str(READER), server.url], env=env, capture_output=True,
                                 text=True, timeout=60)
        except subprocess.TimeoutExpired:
            raise AssertionError("the proposer was still reading one LLM reply after a minute") from None
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert ran.stdout.split() == ["True", "160", "a"], ran.stdout  # read, its idea cut to 160 characters
