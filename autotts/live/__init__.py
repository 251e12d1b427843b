"""Controllers run live: the replay API answered by a model generating for real.

A :class:`LiveQuestion` gives a controller the same question view as replay;
:func:`run_live` solves many questions at once so the engine batches them;
:func:`solve_benchmark` records a run in the store beside replay evaluations;
:class:`ProxyServer` serves a controller as an OpenAI-compatible endpoint.
Generation needs the ``vllm`` or ``openai`` extra; grading needs ``rollout``.
"""

from autotts.live.api import solve_benchmark
from autotts.live.generators import EngineLoop, Generator, ServerGenerator, load_generator
from autotts.live.proxy import ProxyServer, ProxySettings
from autotts.live.question import GenerationFailed, LiveQuestion, OutOfTime
from autotts.live.solve import LiveRun, SolvedQuestion, run_live, solve_question

__all__ = [
    "EngineLoop",
    "GenerationFailed",
    "Generator",
    "LiveQuestion",
    "LiveRun",
    "OutOfTime",
    "ProxyServer",
    "ProxySettings",
    "ServerGenerator",
    "SolvedQuestion",
    "load_generator",
    "run_live",
    "solve_benchmark",
    "solve_question",
]
