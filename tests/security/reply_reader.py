"""Ask the OpenAI proposer for one candidate at the endpoint ``argv[1]``; print its idea's length.

Run as a child process by test_llm_reply_attacks.py, so a reply that stalls the reader can be timed out
(the regular expression engine holds the interpreter lock: no thread of the test could stop it).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from autotts.discover.proposers.base import ProposalContext
from autotts.discover.proposers.openai_proposer import OpenAIProposer

if __name__ == "__main__":
    os.environ["OPENAI_API_KEY"] = "test"
    work = Path(tempfile.mkdtemp())
    context = ProposalContext(round=0, count=1, seed=0, brief="BRIEF", feedback="", elites=[],
                              seen_sources=frozenset(), workdir=work / "r00", cache_dir=work / "cache",
                              spent=lambda: 0.0, max_cost=None)
    [proposal] = OpenAIProposer(model="m", base_url=sys.argv[1]).propose(context)
    print(proposal.source is not None, len(proposal.idea), proposal.idea[:1])
