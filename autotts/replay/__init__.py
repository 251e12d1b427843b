"""The offline replay environment: arrays per store and the episode engine."""

from autotts.replay.episode import Episode, Observation, QuestionView, TraceEvent, live_view
from autotts.replay.matrix import QuestionTraces, ReplayMatrix, count_questions, list_stores, load_matrix

__all__ = [
    "Episode",
    "Observation",
    "QuestionTraces",
    "QuestionView",
    "ReplayMatrix",
    "TraceEvent",
    "count_questions",
    "list_stores",
    "live_view",
    "load_matrix",
]
