"""``autotts discover``: search for a controller by offline replay; resumable.

Its search flags are :class:`DiscoverConfig`'s settings, made here one per field: ``--rounds`` for
``rounds``, a repeatable ``--proposer-param KEY=VALUE`` for the mapping ``proposer_params``,
comma-separated numbers for ``betas``; defaults and help come from the field.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autotts.cli.common import add_store_option, parse_params
from autotts.discover.config import DiscoverConfig, settings
from autotts.discover.proposers import registered_proposers
from autotts.discover.selection import registered_objectives
from autotts.errors import ConfigError, SettingError

# Settings that name a registered plugin: the command line lists (and checks) the names.
_CHOICES: dict[str, Callable[[], list[str]]] = {"proposer": registered_proposers, "objective": registered_objectives}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_store_option(parser)
    parser.add_argument("--search-benchmark", required=True, help="the only benchmark the search may read")
    parser.add_argument("--model", action="append", default=[], help="search model (repeatable; default all)")
    for field in settings():
        _add_setting(parser, field)
    parser.add_argument("--no-progress", action="store_true", help="print no progress lines")
    parser.add_argument("--out", type=Path, required=True, help="run directory (best.py, summary.json, history)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from autotts.discover.api import discover

    result = discover(args.store, search_benchmark=args.search_benchmark, models=args.model, out=args.out,
                      config=config_from_args(args), progress=not args.no_progress and sys.stderr.isatty())
    print(result.report)
    print(f"best controller: {result.best_path}")
    return 0


def config_from_args(args: argparse.Namespace) -> DiscoverConfig:
    """The :class:`DiscoverConfig` the flags describe; a bad value names its flag."""
    values = {field.name: _parse(field, getattr(args, field.name)) for field in settings()}
    try:
        return DiscoverConfig(**values)
    except SettingError as exc:
        raise ConfigError(f"{_flag(exc.setting)}: {exc.problem}") from None


def _add_setting(parser: argparse.ArgumentParser, field: dataclasses.Field[Any]) -> None:
    kind = _kind(field)
    default: Any = None if field.default is dataclasses.MISSING else field.default  # mappings: a factory
    meta = field.metadata
    if kind is dict:
        parser.add_argument(_flag(field.name), dest=field.name, action="append", default=[], metavar="KEY=VALUE",
                            help=f"{meta['help']} (repeatable)")
    elif kind is bool:
        parser.add_argument(_flag(field.name), dest=field.name, action="store_true", help=meta["help"])
    elif kind is tuple:
        parser.add_argument(_flag(field.name), dest=field.name, default=default, metavar="B,B,...",
                            help=f"{meta['help']}, comma-separated (default {','.join(f'{b:g}' for b in default)})")
    else:
        shown = "none" if default is None else default
        choices = _CHOICES[field.name]() if field.name in _CHOICES else None
        parser.add_argument(_flag(field.name), dest=field.name, type=kind, default=default, choices=choices,
                            help=f"{meta['help']} (default {shown})")


def _parse(field: dataclasses.Field[Any], raw: Any) -> Any:
    """A flag's value as the setting's type (argparse has converted the plain ones already)."""
    kind = _kind(field)
    if kind is dict:
        return parse_params(raw, _flag(field.name))
    if kind is not tuple or isinstance(raw, tuple):
        return raw
    try:
        return tuple(float(b) for b in raw.split(",") if b.strip())
    except ValueError:
        raise ConfigError(f"{_flag(field.name)} {raw!r}: expected comma-separated numbers") from None


def _kind(field: dataclasses.Field[Any]) -> type:
    """The argparse type of a setting: its annotation, with ``X | None`` read as ``X``."""
    hint = typing.get_type_hints(DiscoverConfig)[field.name]
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        (hint,) = [a for a in typing.get_args(hint) if a is not type(None)]
        origin = typing.get_origin(hint)
    if origin is tuple:
        return tuple
    if origin is not None:  # Mapping[...]
        return dict
    return hint


def _flag(name: str) -> str:
    flag = "--" + name.replace("_", "-")
    return flag.removesuffix("s") if name.endswith("_params") else flag
