"""``autotts serve``: register the pipeline's Prefect deployments (schedules from params.yaml) and run them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autotts.errors import ConfigError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="register the pipeline's Prefect deployments and run them")
    parser.add_argument("--project", type=Path, default=Path("."),
                        help="the checkout holding flows/, stages/ and params.yaml (default: here)")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"), help="params file, relative to --project")
    parser.add_argument("--register-only", action="store_true",
                        help="record the deployments on the server and exit (runs then need `prefect worker` or serve)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    project = args.project.resolve()
    if not (project / "flows" / "deployments.py").is_file():
        raise ConfigError(f"{project}: no flows/deployments.py here (run from the autotts checkout or pass --project)")
    # flows/ and stages/ are project folders, not part of the installed package.
    sys.path.insert(0, str(project))
    from flows.deployments import register, serve

    params = project / args.params
    if args.register_only:
        for deployment_id in register(params, project):
            print(f"registered deployment {deployment_id}")
        return 0
    serve(params, project)
    return 0
