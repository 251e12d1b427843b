"""The project's source files a pipeline stage can run: the import closure of ``stages/<name>.py``.

A stage is stale when any code it may execute changes, so dvc.yaml's deps must
cover this closure (``tests/pipeline/test_dvc_yaml.py`` checks that they do)
and the flows' cache keys hash it (``flows/caching.py``). The closure is read
from the source, never by importing it:

- every ``import`` and ``from ... import`` counts, at module level or inside a
  function (a stage imports its heavy parts lazily, and they still run), but
  not under ``if TYPE_CHECKING:``;
- importing ``a.b.c`` runs ``a/__init__.py`` and ``a/b/__init__.py`` too;
- a package's module-level ``__getattr__`` (a lazy re-export) counts only for
  an importer that takes a name from the package which is not a submodule,
  or imports the package itself.

Only modules of this project count: third-party code is pinned by the
environment, not tracked per stage.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["PROJECT_DIR", "import_closure", "stage_closure"]

PROJECT_DIR = Path(__file__).resolve().parent.parent
PACKAGES = ("autotts", "stages", "flows")


@dataclass(frozen=True, slots=True)
class _Import:
    module: str  # absolute dotted name
    names: tuple[str, ...]  # for ``from module import names``; empty for ``import module``


@dataclass(frozen=True, slots=True)
class _Imports:
    always: tuple[_Import, ...]  # what running (any part of) the module may import
    lazy: tuple[_Import, ...]  # what the package's module-level __getattr__ imports


def stage_closure(stage: str, root: Path = PROJECT_DIR) -> tuple[Path, ...]:
    """Source files (relative to ``root``) that ``python -m stages.<stage>`` may execute, sorted."""
    return import_closure(f"stages.{stage}", root)


@cache
def import_closure(module: str, root: Path = PROJECT_DIR) -> tuple[Path, ...]:
    """Source files (relative to ``root``) of ``module`` and of every project module it may import, sorted."""
    seen: set[str] = set()
    seen_lazy: set[str] = set()
    todo = [_Import(module, ())]
    while todo:
        for name, lazy in _modules_run(todo.pop(), root):
            path = _source(name, root)
            if path is None:
                continue
            imports = _parse(path, name)
            if name not in seen:
                seen.add(name)
                todo.extend(imports.always)
            if lazy and name not in seen_lazy:
                seen_lazy.add(name)
                todo.extend(imports.lazy)
    return tuple(sorted({p.relative_to(root) for n in seen if (p := _source(n, root)) is not None}))


def _modules_run(item: _Import, root: Path) -> Iterator[tuple[str, bool]]:
    """``(module, its lazy re-exports run too)`` for each module an import statement executes."""
    parts = item.module.split(".")
    for i in range(1, len(parts)):
        yield ".".join(parts[:i]), False
    attribute_taken = not item.names or any(_source(f"{item.module}.{n}", root) is None for n in item.names)
    yield item.module, attribute_taken
    for n in item.names:
        if _source(f"{item.module}.{n}", root) is not None:
            yield f"{item.module}.{n}", False


@cache
def _source(module: str, root: Path) -> Path | None:
    """The project file of a dotted module name, or ``None`` for modules outside the project."""
    if module.split(".")[0] not in PACKAGES:
        return None
    base = root.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


@cache
def _parse(path: Path, module: str) -> _Imports:
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    always: list[_Import] = []
    lazy: list[_Import] = []
    for node in tree.body:
        target = lazy if isinstance(node, ast.FunctionDef) and node.name == "__getattr__" else always
        target.extend(_imports_in(node, package))
    return _Imports(tuple(always), tuple(lazy))


def _imports_in(node: ast.AST, package: str) -> Iterator[_Import]:
    if isinstance(node, ast.If) and _is_type_checking(node.test):
        yield from (i for child in node.orelse for i in _imports_in(child, package))
        return
    if isinstance(node, ast.Import):
        yield from (_Import(alias.name, ()) for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
        module = ".".join([*base, *([node.module] if node.module else [])])
        yield _Import(module, tuple(alias.name for alias in node.names))
    for child in ast.iter_child_nodes(node):
        yield from _imports_in(child, package)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )
