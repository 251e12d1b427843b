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
import importlib.util
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

__all__ = ["ControllerSpec", "load_controller_file", "resolve_controller", "source_hash"]


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
    """Import ``path`` as a fresh module and build its controller with ``params``."""
    path = Path(path)
    module = _import_file(path)
    where = f"{path}"
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


def _import_file(path: Path) -> ModuleType:
    if not path.is_file():
        raise ControllerError(f"{path}: controller file not found")
    module_name = f"autotts_controller_{hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ControllerError(f"{path}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    # Registered before running, as a normal import is: dataclasses and postponed
    # annotations look the module up in sys.modules while the file executes.
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        del sys.modules[module_name]
        raise ControllerError(f"{path}:{exc.lineno}: syntax error: {exc.msg}") from exc
    except Exception as exc:  # the file's own code failed at import
        del sys.modules[module_name]
        raise ControllerError(f"{path}: importing failed: {type(exc).__name__}: {exc}") from exc
    return module


def _call(factory: Callable[..., Any], params: Mapping[str, Any], *, where: str) -> Any:
    try:
        return factory(**params)
    except TypeError as exc:
        raise ConfigError(f"{where}: cannot be built with {dict(params)}: {exc}") from exc
