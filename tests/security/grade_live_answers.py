"""Grades controller answers as a live run does, in a process of its own (tests/security/test_live_grading_attacks.py).

Usage: ``python -m tests.security.grade_live_answers REVEALED GOLD ANSWER...``: each answer is graded for a
question whose one read revealed REVEALED; prints the verdicts as a JSON list. The test runs it as a child
with a deadline, so an answer the grader would compute for ever fails the test instead of hanging the suite.
"""

import json
import sys

from autotts.live.solve import SolvedQuestion, answered_gold
from autotts.replay.episode import TraceEvent

revealed, gold, answers = sys.argv[1], sys.argv[2], sys.argv[3:]
events = (TraceEvent("read", 0, 1, revealed, True, 100),)
solved = [SolvedQuestion(0, a, 100, 100, 0, 0, 10, None, 1, 0, 0.1, events=events) for a in answers]
print(json.dumps([answered_gold(s, gold) for s in solved]))
