"""Building a controller from a registered name or from a Python file.

A controller file may define, in order of preference:

1. ``make_controller(**params)`` returning an object with ``solve(question)``;
2. a class with a ``solve`` method, built with ``params`` as keyword arguments;
3. a function ``solve(question)`` (given ``beta=`` too if it accepts it).

The question object offers both the typed API and the AutoTTS release's API,
so a controller written for the release runs unchanged.
"""

from __future__ import annotations

import hashlib
import inspect
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from autotts.controllers.base import Controller, build_controller, registered
from autotts.errors import ConfigError, ControllerError
from autotts.replay.episode import QuestionView

__all__ = ["ControllerSpec", "load_controller_file", "load_controller_source", "resolve_controller", "source_hash"]


@dataclass(frozen=True, slots=True)
class ControllerSpec:
    """Everything needed to rebuild a controller: name or path, params, source hash."""

    name: str
    params: Mapping[str, Any]
    source_hash: str


class _FunctionController(Controller):
    """Adapts a plain ``solve(question)`` function to the controller interface."""

    def __init__(self, solve: Callable[..., str | None], params: Mapping[str, Any]) -> None:
        self._solve = solve
        self._params = dict(params)

    def solve(self, question: QuestionView) -> str | None:
        return self._solve(question, **self._params)


def resolve_controller(name_or_path: str, params: Mapping[str, Any]) -> tuple[Controller, ControllerSpec]:
    """Build a controller from a registered name or a ``.py`` file, with its spec."""
    if name_or_path in registered():
        controller = build_controller(name_or_path, params)
        module = sys.modules[type(controller).__module__]
        return controller, ControllerSpec(name_or_path, dict(params), source_hash(Path(str(module.__file__))))
    path = Path(name_or_path)
    if path.suffix == ".py" or path.exists():
        controller = load_controller_file(path, params)
        return controller, ControllerSpec(str(path), dict(params), source_hash(path))
    raise ConfigError(
        f"unknown controller {name_or_path!r}: not registered ({', '.join(sorted(registered()))}) and not a Python file"
    )


def source_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_controller_file(path: str | Path, params: Mapping[str, Any]) -> Controller:
    """Import ``path`` as a fresh module and build its controller with ``params`` (trusted code only:
    it runs in this process)."""
    path = Path(path)
    if not path.is_file():
        raise ControllerError(f"{path}: controller file not found")
    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ControllerError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return load_controller_source(source, str(path), params)


def load_controller_source(source: str, filename: str, params: Mapping[str, Any]) -> Controller:
    """Run ``source`` as a fresh module named after ``filename`` and build its controller with ``params``."""
    module = _import_source(source, filename)
    where = filename
    factory = getattr(module, "make_controller", None)
    if callable(factory):
        built = _call(factory, params, where=f"{where}: make_controller")
        if not callable(getattr(built, "solve", None)):
            raise ControllerError(f"{where}: make_controller() returned an object without solve()")
        return built if isinstance(built, Controller) else _FunctionController(built.solve, {})
    classes = [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj) and obj.__module__ == module.__name__ and callable(getattr(obj, "solve", None))
    ]
    if len(classes) > 1:
        names = ", ".join(c.__name__ for c in classes)
        raise ControllerError(f"{where}: several controller classes ({names}); define make_controller() to choose")
    if classes:
        built = _call(classes[0], params, where=f"{where}: {classes[0].__name__}")
        return built if isinstance(built, Controller) else _FunctionController(built.solve, {})
    solve = getattr(module, "solve", None)
    if callable(solve):
        accepted = inspect.signature(solve).parameters
        unknown = [k for k in params if k not in accepted]
        if unknown:
            raise ConfigError(f"{where}: solve() takes no parameter {unknown[0]!r}")
        return _FunctionController(solve, params)
    raise ControllerError(f"{where}: defines no make_controller(), controller class or solve() function")


def _import_source(source: str, filename: str) -> ModuleType:
    digest = hashlib.sha256(f"{filename}\0{source}".encode()).hexdigest()[:12]
    module = ModuleType(f"autotts_controller_{digest}")
    module.__file__ = filename
    # Registered before running, as a normal import is: dataclasses and postponed
    # annotations look the module up in sys.modules while the file executes.
    sys.modules[module.__name__] = module
    try:
        exec(compile(source, filename, "exec", dont_inherit=True), module.__dict__)
    except SyntaxError as exc:
        del sys.modules[module.__name__]
        raise ControllerError(f"{filename}:{exc.lineno}: syntax error: {exc.msg}") from exc
    except Exception as exc:  # the file's own code failed at import
        del sys.modules[module.__name__]
        raise ControllerError(f"{filename}: importing failed: {type(exc).__name__}: {exc}") from exc
    return module


def _call(factory: Callable[..., Any], params: Mapping[str, Any], *, where: str) -> Any:
    try:
        return factory(**params)
    except TypeError as exc:
        raise ConfigError(f"{where}: cannot be built with {dict(params)}: {exc}") from exc
