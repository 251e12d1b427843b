"""Assembling a self-contained controller file from the mechanisms' own source.

The file holds exactly the definitions the chosen variants need: the step
loop, the schedule, the branch state and the variants themselves, copied
from this package's modules with their docstrings, plus the imports they
use, the knob lines (``KNOB_LINES``) and the choice of variants
(``MECHANISMS``). A spliced design also holds the second design's
(``HIGH_KNOB_LINES``, ``HIGH_MECHANISMS``) and the beta from which it runs
(``SPLICE_BETA``). :func:`read_choice` reads them back from a file.
"""

from __future__ import annotations

import ast
import inspect
import sys
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from types import ModuleType

from autotts.discover.mechanisms import (
    answering,
    depth,
    episode,
    opening,
    pruning,
    schedule,
    settling,
    splitting,
    state,
    stopping,
    tally,
    widening,
)
from autotts.discover.mechanisms.slots import SLOTS

__all__ = ["read_choice", "render_file"]

# in the order their definitions appear in a rendered file: every name is defined before a module-level use
_MODULES: tuple[ModuleType, ...] = (schedule, state, opening, tally, depth, pruning, settling, stopping, widening,
                                    answering, splitting, episode)
_ROOTS = ("DiscoveredController",)
_PACKAGE = __name__.rpartition(".")[0]


@dataclass(frozen=True, slots=True)
class _Definition:
    name: str
    order: tuple[int, int]  # (module, line): where it comes in the file
    source: str
    uses: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Import:
    module: str
    name: str | None  # None for ``import module [as alias]``
    alias: str | None
    typing_only: bool  # imported under ``if TYPE_CHECKING:`` in its module

    @property
    def section(self) -> int:
        """isort's sections: standard library, third party, first party."""
        top = self.module.partition(".")[0]
        return 0 if top in sys.stdlib_module_names else 2 if top == "autotts" else 1

    def line(self, names: Sequence[_Import]) -> str:
        if self.name is None:
            return f"import {self.module}" + (f" as {self.alias}" if self.alias else "")
        return f"from {self.module} import " + ", ".join(sorted((i.name or "" for i in names), key=_isort_key))


def render_file(choice: Mapping[str, str], lines: Mapping[str, Sequence[float]], title: str,
                high: tuple[float, Mapping[str, str], Mapping[str, Sequence[float]]] | None = None) -> str:
    """The controller file for the variants ``choice`` (slot -> variant) and the knob ``lines``; with ``high``
    (splice beta, variants, lines), that second design runs from the splice beta on."""
    designs = [("", choice, lines)] + ([("HIGH_", high[1], high[2])] if high else [])
    definitions, imports = _package()
    chosen = [{slot: SLOTS[slot][c[slot]].__name__ for slot in SLOTS} for _, c, _ in designs]
    needed = _closure([*_ROOTS, *(fn for names in chosen for fn in names.values())], definitions)
    body = [definitions[n].source for n in sorted(needed, key=lambda n: definitions[n].order)]
    used = set().union(*(definitions[n].uses for n in needed)) | {"Mechanisms", "DiscoveredController"}
    knob_blocks = [f"{prefix}KNOB_LINES = {{\n" + ",\n".join(
        f'    "{name}": ({float(a)!r}, {float(b)!r})' for name, (a, b) in knobs.items()) + ",\n}"
        for prefix, _, knobs in designs]
    mechanism_blocks = [f"{prefix}MECHANISMS = Mechanisms(\n" + ",\n".join(
        f"    {slot}={fn}" for slot, fn in names.items()) + ",\n)"
        for (prefix, _, _), names in zip(designs, chosen, strict=True)]
    about = "Mechanisms: " + ", ".join(f"{slot} {variant}" for slot, variant in choice.items()) + ". "
    if high:
        about += (f"From beta {high[0]!r} on: " + ", ".join(f"{slot} {variant}" for slot, variant in high[1].items())
                  + " (``HIGH_KNOB_LINES``). ")
    about = textwrap.fill(about + "Every knob is a straight line in beta (``KNOB_LINES``), rounded and clamped: "
                          f"monotone, larger beta spending more. Assembled from {_PACKAGE}.", width=116)
    make = ("def make_controller(beta: float = 0.5) -> DiscoveredController:\n"
            "    return DiscoveredController(beta, KNOB_LINES, MECHANISMS)")
    if high:
        make = (f"SPLICE_BETA = {float(high[0])!r}\n\n\n"
                "def make_controller(beta: float = 0.5) -> DiscoveredController:\n"
                "    if beta >= SPLICE_BETA:\n"
                "        return DiscoveredController(beta, HIGH_KNOB_LINES, HIGH_MECHANISMS)\n"
                "    return DiscoveredController(beta, KNOB_LINES, MECHANISMS)")
    parts = [
        f'"""{title}\n\n{about}\n"""\n\n{_import_block(imports, used)}\n\n' + "\n\n\n".join(knob_blocks),
        *body, *mechanism_blocks, make,
    ]
    return "\n\n\n".join(parts) + "\n"


def read_choice(source: str) -> tuple[dict[str, str], dict[str, tuple[float, float]],
                                      tuple[float, dict[str, str], dict[str, tuple[float, float]]] | None] | None:
    """``(variants, knob lines, splice)`` of a rendered file, ``splice`` being ``(beta, variants, knob lines)``
    of the design that runs from that beta on, or ``None``; ``None`` for a file not made by :func:`render_file`."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    found: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            found[node.targets[0].id] = node.value
    low = _read_design(found, "")
    if low is None:
        return None
    if "SPLICE_BETA" not in found:
        return (*low, None)
    high = _read_design(found, "HIGH_")
    try:
        beta = float(ast.literal_eval(found["SPLICE_BETA"]))
    except (ValueError, TypeError):
        return None
    return None if high is None else (*low, (beta, *high))


def _read_design(found: Mapping[str, ast.expr], prefix: str
                 ) -> tuple[dict[str, str], dict[str, tuple[float, float]]] | None:
    call = found.get(f"{prefix}MECHANISMS")
    if f"{prefix}KNOB_LINES" not in found or not isinstance(call, ast.Call):
        return None
    try:
        lines = {str(k): (float(a), float(b)) for k, (a, b) in ast.literal_eval(found[f"{prefix}KNOB_LINES"]).items()}
    except (ValueError, TypeError):
        return None
    names = {kw.arg: kw.value.id for kw in call.keywords if isinstance(kw.value, ast.Name)}
    choice = {}
    for slot, variants in SLOTS.items():
        match = [v for v, fn in variants.items() if fn.__name__ == names.get(slot)]
        if not match:
            return None
        choice[slot] = match[0]
    return choice, lines


def _closure(roots: Sequence[str], definitions: Mapping[str, _Definition]) -> set[str]:
    needed: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.add(name)
        todo += [n for n in definitions[name].uses if n in definitions]
    return needed


@cache
def _package() -> tuple[dict[str, _Definition], dict[str, _Import]]:
    """Every top-level definition of the mechanisms' modules, and every name they import from outside."""
    definitions: dict[str, _Definition] = {}
    imports: dict[str, _Import] = {}
    for index, module in enumerate(_MODULES):
        text = inspect.getsource(module)
        lines = text.splitlines()
        for node in ast.parse(text).body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                _note_imports(node, imports, typing_only=False)
            elif isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
                for inner in node.body:
                    if isinstance(inner, (ast.Import, ast.ImportFrom)):
                        _note_imports(inner, imports, typing_only=True)
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Assign)):
                name = node.targets[0].id if isinstance(node, ast.Assign) else node.name  # type: ignore[attr-defined]
                if name == "__all__":
                    continue
                start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
                uses = frozenset(n.id for n in ast.walk(node) if isinstance(n, ast.Name))
                assert node.end_lineno is not None
                definitions[name] = _Definition(name, (index, start), "\n".join(lines[start - 1: node.end_lineno]),
                                                uses)
    return definitions, imports


def _note_imports(node: ast.Import | ast.ImportFrom, imports: dict[str, _Import], *, typing_only: bool) -> None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            imports[alias.asname or alias.name] = _Import(alias.name, None, alias.asname, typing_only)
        return
    module = node.module or ""
    if module == "__future__" or module.startswith(_PACKAGE):
        return
    for alias in node.names:
        imports[alias.asname or alias.name] = _Import(module, alias.name, alias.asname, typing_only)


def _import_block(imports: Mapping[str, _Import], used: set[str]) -> str:
    """``from __future__``, the runtime imports, then the typing-only ones, each in isort's sections and order."""
    typed = any(imp.typing_only for name, imp in imports.items() if name in used)
    wanted = [imp for name, imp in imports.items() if name in used or (typed and name == "TYPE_CHECKING")]
    block = "from __future__ import annotations\n\n" + _sections([i for i in wanted if not i.typing_only], "")
    typing_only = [i for i in wanted if i.typing_only]
    if typing_only:
        assert "TYPE_CHECKING" in imports, "typing-only imports need TYPE_CHECKING imported at runtime"
        block += "\n\nif TYPE_CHECKING:\n" + _sections(typing_only, "    ")
    return block


def _sections(items: list[_Import], indent: str) -> str:
    groups = []
    for section in (0, 1, 2):
        mine = [i for i in items if i.section == section]
        plain = sorted({i.line([i]) for i in mine if i.name is None})
        froms = sorted({i.module for i in mine if i.name is not None})
        lines = plain + [next(i for i in mine if i.module == m and i.name).line(
            [i for i in mine if i.module == m and i.name]) for m in froms]
        if lines:
            groups.append("\n".join(indent + line for line in lines))
    return "\n\n".join(groups)


def _isort_key(name: str) -> tuple[int, str]:
    """Constants, then classes, then the rest: ruff's default order of names in one import."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2), name
