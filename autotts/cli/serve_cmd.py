"""``autotts serve``: register the pipeline's Prefect deployments (schedules from params.yaml) and run them."""

from __future__ import annotations

import argparse
from pathlib import Path

from autotts.errors import ConfigError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Register the pipeline's deployments (schedules from params.yaml) on the Prefect server "
        "PREFECT_API_URL names, then execute their scheduled and triggered runs in this process. Stopping it "
        "(Ctrl-C) pauses their schedules on the server; serving or registering again resumes them."
    )
    parser.add_argument("--project", type=Path, default=Path("."),
                        help="the pipeline's root folder: params.yaml, data/ and reports/ (default: here)")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"), help="params file, relative to --project")
    parser.add_argument("--register-only", action="store_true",
                        help="record the deployments on the server and exit (runs then need `prefect worker` or serve)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    project = args.project.resolve()
    params = project / args.params
    if not params.is_file():
        raise ConfigError(f"{params}: params file not found (run from the autotts checkout or pass --project)")
    from flows.deployments import build_deployments, describe, register, serve  # Prefect loads only when serving

    summary = "\n".join(describe(build_deployments(params, project)))
    if args.register_only:
        register(params, project)
        print(f"registered (schedules from {params}):\n{summary}")
        print("runs execute only while `autotts serve` (or a `prefect worker`) is running")
        return 0
    print(f"serving (schedules from {params}):\n{summary}")
    print("scheduled and triggered runs execute in this process; Ctrl-C stops it and pauses the schedules")
    serve(params, project)
    return 0
