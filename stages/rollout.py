"""Stage ``rollout`` (optional): generate one named run's traces into its own store.

dvc.yaml makes one stage per entry of ``rollout.runs`` (none by default); the
``ingest`` stage then reads every store under ``data/rollouts`` when
``ingest.source`` is ``rollouts``.
"""

from __future__ import annotations

from pathlib import Path

from autotts.errors import ConfigError
from autotts.files import atomic_path
from stages.cli import run_stage_main, stage_parser
from stages.params import RolloutRun, load_params

__all__ = ["rollout"]


def rollout(run: RolloutRun, out: str | Path) -> str:
    """Roll ``run`` out into a fresh store at ``out``; a one-line account of what it generated."""
    from autotts.rollout.api import run_rollout  # its backends' imports only when a rollout runs
    from autotts.rollout.protocol import ProtocolConfig

    try:
        config = ProtocolConfig(**run.protocol)
    except TypeError as exc:
        raise ConfigError(f"params rollout protocol: {exc}") from exc
    with atomic_path(out) as tmp:
        s = run_rollout(
            run.model, run.benchmark_file, tmp, config=config, backend=run.backend,
            backend_options=dict(run.backend_options), model_name=run.model_name,
            benchmark_name=run.benchmark_name, limit=run.limit,
        )
    return f"{s.model}/{s.benchmark}: {s.questions} questions, {s.generated_tokens} tokens in {s.seconds:.0f}s"


def main(argv: list[str] | None = None) -> int:
    parser = stage_parser("rollout", __doc__)
    parser.add_argument("--run", required=True, help="the name of the run in params rollout.runs")
    parser.add_argument("--out", type=Path, required=True, help="the store to write")
    args = parser.parse_args(argv)

    def body() -> None:
        runs = load_params(args.params).rollout.runs
        if args.run not in runs:
            raise ConfigError(f"params rollout.runs: no run {args.run!r}")
        print(f"rollout {args.run}: {rollout(runs[args.run], args.out)}")

    return run_stage_main("rollout", body)


if __name__ == "__main__":
    raise SystemExit(main())
