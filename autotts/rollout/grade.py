"""Normalising and grading answers with math-verify, one question at a time.

The store compares answers by string equality (votes, accuracy), so each raw
answer becomes a canonical string: the gold answer's own text when math-verify
finds it equivalent to gold, otherwise the text of the first equivalent answer
seen for this question, and ``ERR`` when nothing can be parsed. ``1/2``,
``0.5`` and ``\\frac12`` therefore vote together.

math-verify bounds its own run time with ``signal.alarm``, which raises outside
the main thread (Prefect and Ray workers), so its timeouts are disabled here;
instead answers longer than :data:`MAX_ANSWER_CHARS` are not parsed at all.
"""

from __future__ import annotations

import logging
from typing import Any

from autotts.replay.episode import ERR

__all__ = ["ERR", "MAX_ANSWER_CHARS", "QuestionGrader"]

MAX_ANSWER_CHARS = 256

_TIMEOUT_NOTICE = "Timeout is disabled"


def _drop_timeout_notice(record: logging.LogRecord) -> bool:
    """math-verify warns on every call made without a timeout; we disable it on purpose."""
    return _TIMEOUT_NOTICE not in record.getMessage()


for _name in ("math_verify.parser", "math_verify.grader"):
    logging.getLogger(_name).addFilter(_drop_timeout_notice)


class QuestionGrader:
    """Canonical answer strings for one question, equivalent answers mapped to one string.

    Without a gold answer (a live question a controller works on, a proxied
    request) the first answer seen of each class represents it: the classes,
    and so the votes, are the same, and gold stays out of the controller's reach.
    """

    def __init__(self, gold: str | None) -> None:
        from math_verify import parse, verify  # an optional extra: imported only where grading happens

        self._parse = parse
        self._verify = verify
        self.gold = gold
        self._representatives: list[tuple[str, list[Any]]] = []
        self._cache: dict[str | None, str] = {}
        if gold is not None:
            gold_parsed = self._parsed(gold)
            if gold_parsed:
                self._representatives.append((gold, gold_parsed))
            self._cache[gold] = gold

    def canonical(self, raw: str | None) -> str:
        """``raw`` (an extracted answer, or None when none was found) as the string to store."""
        if raw in self._cache:
            return self._cache[raw]
        result = self._classify(raw)
        self._cache[raw] = result
        return result

    def is_correct(self, raw: str | None) -> bool:
        return self.gold is not None and self.canonical(raw) == self.gold

    def _classify(self, raw: str | None) -> str:
        if raw is None:
            return ERR
        parsed = self._parsed(raw)
        if not parsed:
            return ERR
        for text, rep in self._representatives:
            if self._verify(rep, parsed, timeout_seconds=None):
                return text
        text = parsed[-1] if isinstance(parsed[-1], str) and parsed[-1].strip() else raw.strip()
        self._representatives.append((text, parsed))
        return text

    def _parsed(self, raw: str) -> list[Any]:
        raw = raw.strip()
        if not raw or len(raw) > MAX_ANSWER_CHARS:
            return []
        # Boxing the answer makes math-verify read it as one expression, not hunt for numbers in it.
        return list(self._parse("\\boxed{" + raw + "}", parsing_timeout=None))
