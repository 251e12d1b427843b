"""Strict mode, the parent's side: a worker that holds no traces asks for every action over the pipe.

:func:`serve_episode` starts one episode in a strict-mode worker and answers
each ``ACT`` frame from ``engine``, a
:class:`~autotts.replay.episode.QuestionEngine`: the replay engine here, a
live model elsewhere. The engine's refusals go back as refusals, which the worker
raises as ``ValueError`` into the controller, exactly as a local engine
would. The episode ends with the worker's ``ANS`` frame.

Protocol, after the ``JOB`` and ``SRC`` frames with ``mode: strict``:

- parent -> worker ``EPIS`` ``{"group": g, "pool": branches}``; the worker
  solves with the controller of job group ``g``;
- worker -> parent ``ACT`` int32 action code (see :mod:`protocol`);
  parent -> worker ``RESP`` (ok or refused, finished, tokens so far, the
  revealed answer or the refusal's message); repeated per action;
- worker -> parent ``ANS`` the controller's answer;
- parent -> worker ``END`` when there are no more episodes; the worker
  replies ``DONE``.
"""

from __future__ import annotations

from autotts.discover.sandbox import protocol
from autotts.discover.sandbox.accounting import apply_action
from autotts.discover.sandbox.process import Worker
from autotts.replay.episode import QuestionEngine

__all__ = ["serve_episode"]

_CODE_BYTES = 4
# The action bound where the question's branches are not known ahead (a live engine generating them).
OPEN_QUESTION_ACTIONS = 20_000


def serve_episode(worker: Worker, group: int, pool: int, engine: QuestionEngine, answer_limit: int, *,
                  max_actions: int = OPEN_QUESTION_ACTIONS) -> tuple[list[int], str | None]:
    """Run one episode in ``worker``; the actions ``engine`` accepted, and the controller's answer.

    An action past ``max_actions`` (:func:`protocol.action_bound` of the question) fails the worker, so a
    log of endless free repeats costs at most that many round trips.
    """
    worker.send(protocol.EPISODE, protocol.encode_json({"group": group, "pool": pool}))
    log: list[int] = []
    while True:
        kind, payload = worker.receive(protocol.ACTION, protocol.ANSWER)
        if kind == protocol.ANSWER:
            try:
                return log, protocol.decode_answer(payload, answer_limit)
            except protocol.ProtocolError as exc:
                worker.fail("protocol", str(exc))
        if len(payload) != _CODE_BYTES:
            worker.fail("protocol", "an action frame is not one int32")
        if len(log) >= max_actions:
            worker.fail("actions", f"more than {max_actions} actions in one episode, the most its branches allow")
        code = int.from_bytes(payload, "little", signed=True)
        try:
            answer, finished = apply_action(engine, code)
        except ValueError as exc:
            worker.send(protocol.RESPONSE, protocol.encode_response(engine.total, refused=str(exc) or "refused"))
            continue
        log.append(code)
        worker.send(protocol.RESPONSE, protocol.encode_response(engine.total, answer, finished))
