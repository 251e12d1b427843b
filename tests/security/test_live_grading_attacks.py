"""A controller's answer that the live grader would compute for ever, or mistake for gold.

Live, an answer is graded with math-verify, which has no time limit there. A controller returns
text of its own choosing: ``9^{9^{9^{9}}}`` is a power tower sympy evaluates without end, and
``0=7`` is read as its right-hand side. Neither text was written by the model, so neither may reach
math-verify. The grading runs in a child process with a deadline, so a regression fails instead of
hanging the suite.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("math_verify")

CASES = {
    "9^{9^{9^{9}}}": False,  # a power tower: evaluated for ever
    "0=7": False,  # read as its right-hand side, gold, although the model never wrote it
    "7": True,  # gold's own text is right, revealed or not (as in replay)
    "\\frac{14}{2}": True,  # the model's way of writing gold, revealed: math-verify's judgement
}


def test_the_controller_s_own_text_never_reaches_math_verify() -> None:
    ran = subprocess.run([sys.executable, "-m", "tests.security.grade_live_answers", "\\frac{14}{2}", "7", *CASES],
                         capture_output=True, text=True, timeout=120, check=False)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert dict(zip(CASES, json.loads(ran.stdout), strict=True)) == CASES
