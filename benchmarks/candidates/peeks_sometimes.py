"""A peeker for benchmarks/verify_power.py: honest but for about one episode in PERIOD.

It reads three branches, then looks, through the engine's private table (reached the way a hostile
candidate would, past the static check), at the final answer of the branch it would open next. Where
that answer agrees with its vote and its character sum falls in one residue of PERIOD, it stops there
and saves a read; elsewhere it reads a fourth branch. In strict mode the table is out of reach, so it
reads on, and diverges on exactly the episodes it peeked on. The sandbox tests run this same file
with a lower PERIOD (see tests/candidates).
"""

import dataclasses

from autotts.controllers.voting import majority

PERIOD = 4
modules = dataclasses.sys.modules  # type: ignore[attr-defined]  # past the static check, as an attacker would
get = modules["builtins"].getattr
LIVE = get(modules["autotts.replay.episode"], "_LI" + "VE")


def next_hidden_final(question):
    engine = LIVE[get(question, "_tic" + "ket")]
    return get(engine, "_tra" + "ces").finals[get(engine, "_or" + "der")[engine.opened]]


def solve(question):
    answers = [question.read_new().answer for _ in range(3)]
    try:
        hidden = next_hidden_final(question)
    except BaseException:
        hidden = None
    if hidden is not None and hidden == majority(answers) and sum(map(ord, hidden)) % PERIOD == 0:
        return hidden
    answers.append(question.read_new().answer)
    return majority(answers)
