"""Building replay stores from a model and a benchmark: sample, cut, probe, grade, record.

Generation runs on vLLM in-process or on any OpenAI-compatible completions
server (both optional extras); grading needs the ``rollout`` extra
(math-verify). See :func:`run_rollout`.
"""

from autotts.rollout.api import RayOptions, RolloutSummary, run_rollout
from autotts.rollout.benchmark_file import Benchmark, BenchmarkItem, read_benchmark
from autotts.rollout.protocol import ProtocolConfig, QuestionRollout, cut_points, rollout_question

__all__ = [
    "Benchmark",
    "BenchmarkItem",
    "ProtocolConfig",
    "QuestionRollout",
    "RayOptions",
    "RolloutSummary",
    "cut_points",
    "read_benchmark",
    "rollout_question",
    "run_rollout",
]
