"""The trace store's tables, as DDL.

Every table is keyed by (model, benchmark) or by an evaluation id, so one SQL
query can join traces with the results of controllers that replayed them. The
README documents the same schema for users of the ``duckdb`` CLI.
"""

from __future__ import annotations

import re
from collections.abc import Collection

__all__ = ["DDL", "SCHEMA_VERSION", "TABLES", "TRACE_TABLES", "ddl_for"]

SCHEMA_VERSION = 1

_TRACE_TABLES = """
CREATE TABLE IF NOT EXISTS sources (
    model        VARCHAR NOT NULL,
    benchmark    VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,   -- the file (or rollout run) the traces came from
    sha256       VARCHAR NOT NULL,
    n_questions  INTEGER NOT NULL,
    PRIMARY KEY (model, benchmark)
);
-- Stores made before ingest became deterministic carried a timestamp here.
ALTER TABLE sources DROP COLUMN IF EXISTS ingested_at;
CREATE TABLE IF NOT EXISTS questions (
    model        VARCHAR NOT NULL,
    benchmark    VARCHAR NOT NULL,
    question_idx INTEGER NOT NULL,   -- position in the source file, from 0
    question     VARCHAR NOT NULL,
    gold_answer  VARCHAR NOT NULL,
    probe_freq   INTEGER NOT NULL,   -- tokens per probed interval
    PRIMARY KEY (model, benchmark, question_idx)
);
CREATE TABLE IF NOT EXISTS branches (
    model         VARCHAR NOT NULL,
    benchmark     VARCHAR NOT NULL,
    question_idx  INTEGER NOT NULL,
    branch_idx    INTEGER NOT NULL,  -- position in the stored order, from 0
    branch_tokens BIGINT NOT NULL,   -- length of the whole trace
    final_answer  VARCHAR NOT NULL,
    n_probes      INTEGER NOT NULL,
    PRIMARY KEY (model, benchmark, question_idx, branch_idx)
);
CREATE TABLE IF NOT EXISTS probes (
    model        VARCHAR NOT NULL,
    benchmark    VARCHAR NOT NULL,
    question_idx INTEGER NOT NULL,
    branch_idx   INTEGER NOT NULL,
    probe_idx    INTEGER NOT NULL,   -- the interval: answer after (probe_idx + 1) * probe_freq tokens
    answer       VARCHAR NOT NULL    -- 'ERR' where no answer could be extracted
);
"""

_RESULT_TABLES = """
CREATE TABLE IF NOT EXISTS evaluations (
    eval_id               VARCHAR PRIMARY KEY,  -- hash of everything below that defines the run
    model                 VARCHAR NOT NULL,
    benchmark             VARCHAR NOT NULL,
    controller            VARCHAR NOT NULL,     -- registered name, or file path
    controller_hash       VARCHAR NOT NULL,     -- sha256 of the controller's source
    params                VARCHAR NOT NULL,     -- JSON object of the controller's parameters
    beta                  DOUBLE,               -- NULL for controllers without one
    seeds                 INTEGER NOT NULL,
    accuracy              DOUBLE NOT NULL,      -- percent, mean over seeds
    avg_tokens            DOUBLE NOT NULL,
    avg_sequential_tokens DOUBLE NOT NULL,
    episodes              INTEGER NOT NULL,
    created_at            TIMESTAMP NOT NULL,
    origin                VARCHAR NOT NULL DEFAULT 'trusted'  -- trusted (built-in or template: in-process),
                                                              -- sandboxed, or unsafe-opt-out (no OS isolation)
);
-- stores made before the column existed get it, their rows marked trusted (all ran in-process then)
ALTER TABLE evaluations ADD COLUMN IF NOT EXISTS origin VARCHAR DEFAULT 'trusted';
CREATE TABLE IF NOT EXISTS episodes (
    eval_id           VARCHAR NOT NULL,
    seed              INTEGER NOT NULL,
    question_idx      INTEGER NOT NULL,
    answer            VARCHAR,              -- NULL when the controller returned None
    correct           BOOLEAN NOT NULL,
    tokens            BIGINT NOT NULL,
    sequential_tokens BIGINT NOT NULL,
    branches_opened   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS trace_events (
    eval_id      VARCHAR NOT NULL,
    seed         INTEGER NOT NULL,
    question_idx INTEGER NOT NULL,
    step         INTEGER NOT NULL,   -- order of the action within the episode
    action       VARCHAR NOT NULL,   -- branch | continue | read | prune
    branch       INTEGER NOT NULL,   -- index among opened branches
    depth        INTEGER NOT NULL,   -- probes revealed on that branch after the action
    answer       VARCHAR,
    finished     BOOLEAN NOT NULL,
    cost         BIGINT NOT NULL     -- tokens charged by this action
);
"""

_ROLLOUT_TABLES = """
CREATE TABLE IF NOT EXISTS rollout_runs (
    model             VARCHAR NOT NULL,
    benchmark         VARCHAR NOT NULL,
    model_path        VARCHAR NOT NULL,   -- the HF id or local path generation used
    model_revision    VARCHAR NOT NULL,   -- commit hash, or a hash of the local files
    backend           VARCHAR NOT NULL,   -- vllm | openai
    sampling          VARCHAR NOT NULL,   -- JSON: samples, interval, temperature, max_tokens, seed, probe settings
    benchmark_file    VARCHAR NOT NULL,
    benchmark_sha256  VARCHAR NOT NULL,
    n_questions       INTEGER NOT NULL,   -- questions in the benchmark file
    started_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (model, benchmark)
);
CREATE TABLE IF NOT EXISTS rollout_questions (
    model             VARCHAR NOT NULL,
    benchmark         VARCHAR NOT NULL,
    question_idx      INTEGER NOT NULL,   -- line order in the benchmark file, as in questions
    question_id       VARCHAR,            -- the benchmark's own id, when it has one
    prompt_tokens     INTEGER NOT NULL,   -- chat-templated question
    generated_tokens  BIGINT NOT NULL,    -- sum over the question's traces
    probe_tokens      BIGINT NOT NULL,    -- probe prompt tokens sent (before prefix caching)
    probe_cached_tokens BIGINT,           -- of those, served from the prefix cache (NULL if unknown)
    seconds           DOUBLE NOT NULL,
    completed_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (model, benchmark, question_idx)
);
CREATE TABLE IF NOT EXISTS rollout_traces (
    model             VARCHAR NOT NULL,
    benchmark         VARCHAR NOT NULL,
    question_idx      INTEGER NOT NULL,
    branch_idx        INTEGER NOT NULL,
    text              VARCHAR NOT NULL,   -- the raw generated trace
    tokens            BIGINT NOT NULL,    -- its length in tokens (= branches.branch_tokens)
    finish_reason     VARCHAR NOT NULL,   -- stop | length
    seed              BIGINT NOT NULL,    -- the sampling seed of this trace
    PRIMARY KEY (model, benchmark, question_idx, branch_idx)
);
"""

_DISCOVERY_TABLES = """
CREATE TABLE IF NOT EXISTS discovery_runs (
    run_id           VARCHAR PRIMARY KEY,  -- hash of the run directory and its settings
    out_dir          VARCHAR NOT NULL,
    search_benchmark VARCHAR NOT NULL,
    models           VARCHAR NOT NULL,     -- JSON list of search models
    proposer         VARCHAR NOT NULL,
    objective        VARCHAR NOT NULL,
    config           VARCHAR NOT NULL,     -- JSON of every setting of the run
    updated_at       TIMESTAMP NOT NULL,
    best_candidate   VARCHAR,              -- NULL until the run has finished
    summary          VARCHAR               -- JSON of summary.json
);
CREATE TABLE IF NOT EXISTS discovery_candidates (
    run_id       VARCHAR NOT NULL,
    candidate_id VARCHAR NOT NULL,         -- rNNcMM: round and index within the round
    round        INTEGER NOT NULL,
    idx          INTEGER NOT NULL,
    proposer     VARCHAR NOT NULL,
    parents      VARCHAR NOT NULL,         -- JSON list of candidate ids
    source       VARCHAR,                  -- NULL when the proposer produced no usable code
    source_hash  VARCHAR,
    prompt       VARCHAR NOT NULL,
    response     VARCHAR NOT NULL,
    status       VARCHAR NOT NULL,         -- ok | rejected
    reason       VARCHAR NOT NULL,         -- '' when ok; static, exception, timeout, memory, audit, peek, ...
    message      VARCHAR NOT NULL,
    excerpt      VARCHAR NOT NULL,
    score        DOUBLE,                   -- search objective; NULL when rejected
    tokens_in    BIGINT NOT NULL,          -- LLM usage of the proposal
    tokens_out   BIGINT NOT NULL,
    cost         DOUBLE NOT NULL,
    cached       BOOLEAN NOT NULL,
    PRIMARY KEY (run_id, candidate_id)
);
CREATE TABLE IF NOT EXISTS discovery_points (
    run_id       VARCHAR NOT NULL,
    candidate_id VARCHAR NOT NULL,
    stage        VARCHAR NOT NULL,         -- search | final
    model        VARCHAR NOT NULL,
    beta         DOUBLE NOT NULL,
    seeds        INTEGER NOT NULL,
    accuracy     DOUBLE NOT NULL,          -- percent
    avg_tokens   DOUBLE NOT NULL
);
CREATE TABLE IF NOT EXISTS discovery_traces (
    run_id          VARCHAR NOT NULL,
    candidate_id    VARCHAR NOT NULL,
    model           VARCHAR NOT NULL,
    beta            DOUBLE NOT NULL,
    seed            INTEGER NOT NULL,
    question_idx    INTEGER NOT NULL,
    branches_opened INTEGER NOT NULL,
    branches_pruned INTEGER NOT NULL,
    depth           INTEGER NOT NULL,      -- deepest probe reached
    tokens          BIGINT NOT NULL,
    stop_reason     VARCHAR NOT NULL,
    answer          VARCHAR,
    correct         BOOLEAN NOT NULL
);
"""

_LIVE_TABLES = """
CREATE TABLE IF NOT EXISTS live_runs (
    run_id           VARCHAR PRIMARY KEY,  -- random: live generation is not reproducible to the token
    model            VARCHAR NOT NULL,     -- the same names as rollouts and replay evaluations
    benchmark        VARCHAR NOT NULL,
    model_path       VARCHAR NOT NULL,
    model_revision   VARCHAR NOT NULL,
    backend          VARCHAR NOT NULL,     -- vllm | openai
    controller       VARCHAR NOT NULL,     -- registered name, or file path
    controller_hash  VARCHAR NOT NULL,
    params           VARCHAR NOT NULL,     -- JSON object, beta apart
    beta             DOUBLE,
    sampling         VARCHAR NOT NULL,     -- JSON protocol settings, as rollout_runs.sampling
    concurrency      INTEGER NOT NULL,     -- questions solved at once
    questions        INTEGER NOT NULL,
    accuracy         DOUBLE NOT NULL,      -- percent; a failed question counts as wrong
    avg_tokens       DOUBLE NOT NULL,      -- sampled tokens per question (the replay cost)
    avg_probe_tokens DOUBLE NOT NULL,
    tokens_per_s     DOUBLE NOT NULL,      -- sampled + probe tokens per wall-clock second
    latency_p50_s    DOUBLE NOT NULL,
    latency_p95_s    DOUBLE NOT NULL,
    seconds          DOUBLE NOT NULL,
    errors           INTEGER NOT NULL,     -- questions without an answer because something failed
    created_at       TIMESTAMP NOT NULL,
    origin           VARCHAR NOT NULL DEFAULT 'trusted',  -- as evaluations.origin: where the controller ran
    read_ahead       INTEGER NOT NULL DEFAULT 0   -- samples each READ started ahead (0: none)
);
ALTER TABLE live_runs ADD COLUMN IF NOT EXISTS origin VARCHAR DEFAULT 'trusted';
ALTER TABLE live_runs ADD COLUMN IF NOT EXISTS read_ahead INTEGER DEFAULT 0;
CREATE TABLE IF NOT EXISTS live_questions (
    run_id            VARCHAR NOT NULL,
    question_idx      INTEGER NOT NULL,
    question_id       VARCHAR,
    answer            VARCHAR,
    correct           BOOLEAN NOT NULL,
    tokens            BIGINT NOT NULL,     -- sampled tokens
    sequential_tokens BIGINT NOT NULL,     -- the longest sample
    probe_tokens      BIGINT NOT NULL,
    probes            INTEGER NOT NULL,
    prompt_tokens     BIGINT NOT NULL,     -- sent with every request
    cached_tokens     BIGINT,              -- of those, from the prefix cache (NULL if unknown)
    branches_opened   INTEGER NOT NULL,
    branches_pruned   INTEGER NOT NULL,
    seconds           DOUBLE NOT NULL,     -- wall-clock latency
    error             VARCHAR,             -- NULL when the controller answered
    speculative_tokens BIGINT NOT NULL DEFAULT 0,  -- read ahead for samples the controller never read
    PRIMARY KEY (run_id, question_idx)
);
ALTER TABLE live_questions ADD COLUMN IF NOT EXISTS speculative_tokens BIGINT DEFAULT 0;
CREATE TABLE IF NOT EXISTS live_events (   -- as trace_events, for live runs
    run_id       VARCHAR NOT NULL,
    question_idx INTEGER NOT NULL,
    step         INTEGER NOT NULL,
    action       VARCHAR NOT NULL,
    branch       INTEGER NOT NULL,
    depth        INTEGER NOT NULL,
    answer       VARCHAR,
    finished     BOOLEAN NOT NULL,
    cost         BIGINT NOT NULL
);
"""

DDL = _TRACE_TABLES + _RESULT_TABLES + _ROLLOUT_TABLES + _DISCOVERY_TABLES + _LIVE_TABLES

# DDL's statements in order: each ends with ";" at the end of its line, which no comment does.
_STATEMENTS = tuple(f"{s.strip()};" for s in DDL.split(";\n") if s.strip())
_CREATE = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+) \(")


def ddl_for(existing: Collection[str]) -> str:
    """:data:`DDL` less the ``CREATE TABLE IF NOT EXISTS`` of the tables in ``existing``.

    Those statements would do nothing, yet parsing them is most of DDL's cost (~0.015 CPU-s, spent on every
    write to a store); the migrations (``ALTER ...``) and the tables still missing run as DDL orders them.
    """
    return "\n".join(s for s in _STATEMENTS if (create := _CREATE.match(s)) is None or create[1] not in existing)


TRACE_TABLES = ("sources", "questions", "branches", "probes")  # a store's traces, as ingest writes them
TABLES = (
    *TRACE_TABLES,
    "evaluations",
    "episodes",
    "trace_events",
    "rollout_runs",
    "rollout_questions",
    "rollout_traces",
    "discovery_runs",
    "discovery_candidates",
    "discovery_points",
    "discovery_traces",
    "live_runs",
    "live_questions",
    "live_events",
)
