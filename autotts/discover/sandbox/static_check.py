"""The first gate for untrusted candidate code: an AST walk before anything runs.

Candidates may only import pure computation (and the controller API) and may
not reach files, the OS, processes, the network or the interpreter's insides.
Attribute names starting with ``_`` are refused outright: that covers the
dunder escapes (``__class__``, ``__globals__``, ...) and the engine's private
state behind a :class:`~autotts.replay.episode.QuestionView`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

__all__ = ["ALLOWED_MODULES", "StaticViolation", "check_source"]

ALLOWED_MODULES = frozenset({
    "__future__", "math", "collections", "collections.abc", "itertools", "heapq", "functools", "statistics",
    "dataclasses", "typing", "numpy",
    "autotts.controllers.base", "autotts.controllers.voting", "autotts.replay.episode",
})

_FORBIDDEN_NAMES = frozenset({
    "open", "exec", "eval", "compile", "__import__", "globals", "locals", "vars", "dir", "getattr", "setattr",
    "delattr", "hasattr", "breakpoint", "input", "help", "exit", "quit", "memoryview", "type", "__builtins__",
})

# Attributes that reach frames, code or the type graph without a leading underscore.
_FORBIDDEN_ATTRS = frozenset({
    "gi_frame", "gi_code", "cr_frame", "cr_code", "ag_frame", "ag_code", "f_globals", "f_locals", "f_back",
    "f_builtins", "f_code", "tb_frame", "tb_next", "co_code", "co_consts", "mro", "format", "format_map",
    "tofile", "fromfile", "load", "save", "ctypes", "lib", "memmap",
})


@dataclass(frozen=True, slots=True)
class StaticViolation:
    """Why a source was refused, and where."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def check_source(source: str) -> list[StaticViolation]:
    """Every violation in ``source`` (empty when it may run); a syntax error is one violation."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return [StaticViolation(exc.lineno or 0, f"syntax error: {exc.msg}")]
    found: list[StaticViolation] = []
    for node in ast.walk(tree):
        message = _violation(node)
        if message:
            found.append(StaticViolation(getattr(node, "lineno", 0), message))
    return found


def _violation(node: ast.AST) -> str | None:
    if isinstance(node, ast.Import):
        bad = [a.name for a in node.names if not _allowed_module(a.name)]
        return f"import of {bad[0]!r} is not allowed" if bad else None
    if isinstance(node, ast.ImportFrom):
        module = node.module or ""
        if node.level or not _allowed_module(module):
            return f"import from {'.' * node.level + module!r} is not allowed"
        private = [a.name for a in node.names if a.name.startswith("_") or a.name == "*"]
        return f"import of private name {private[0]!r} from {module!r}" if private else None
    if isinstance(node, ast.Attribute):
        if node.attr.startswith("_"):
            kind = "dunder" if node.attr.startswith("__") else "private"
            return f"{kind} attribute access {node.attr!r}"
        if node.attr in _FORBIDDEN_ATTRS:
            return f"attribute {node.attr!r} is not allowed"
    if isinstance(node, ast.Name) and node.id in _FORBIDDEN_NAMES:
        return f"use of {node.id!r} is not allowed"
    if isinstance(node, ast.Name) and node.id.startswith("__") and node.id != "__name__":
        return f"dunder name {node.id!r}"
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and "__" in node.value:
        return "string constants containing '__' are not allowed"
    if isinstance(node, ast.Global | ast.Nonlocal) and any(n.startswith("__") for n in node.names):
        return "dunder name in global/nonlocal"
    return None


def _allowed_module(name: str) -> bool:
    return name in ALLOWED_MODULES
