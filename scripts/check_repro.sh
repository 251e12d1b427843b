#!/usr/bin/env bash
# A fresh clone's `dvc repro` leaves `git status` clean: what it writes reproduces the dvc.lock it finds.
#
# The whole pipeline takes ~11 minutes on 2 cores (the default discovery is most of it), past CI's
# budget, so this runs the stage whose bytes used to vary on every build: ingest (the DuckDB store,
# which every later stage hashes; adding the baselines, ~1 CPU-minute, took CI past 15 minutes). When
# the committed dvc.lock is current for it, one fresh clone must reproduce it. When it is stale (any code
# change makes it so until someone runs the full `dvc repro`; this is printed, not failed), a first
# clone records its dvc.lock and a second must reproduce that. The later stages' outputs are checked
# in tests/pipeline/test_repro.py (a small `dvc repro`, then a Prefect flow that must leave
# `dvc status` and `git status` clean).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$repo/.venv/bin:$PATH"  # dvc, and the `python` dvc.yaml's commands call
stages=(ingest)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$repo" "$work/first"
(cd "$work/first" && dvc repro -q "${stages[@]}" >/dev/null)
checked="$work/first"
if git -C "$work/first" diff --quiet -- dvc.lock; then
    echo "check_repro: the committed dvc.lock is current for: ${stages[*]}"
else
    echo "check_repro: note: the committed dvc.lock is stale for: ${stages[*]} (run dvc repro and commit it)"
    checked="$work/second"
    git clone -q "$repo" "$checked"
    cp "$work/first/dvc.lock" "$checked/dvc.lock"
    git -C "$checked" -c user.name=ci -c user.email=ci@localhost commit -qm "dvc.lock of the first clone" dvc.lock
    (cd "$checked" && dvc repro -q "${stages[@]}" >/dev/null)
fi
dirty=$(git -C "$checked" status --porcelain)
if [ -n "$dirty" ]; then
    echo "check_repro: a fresh clone's dvc repro changed tracked files:"
    echo "$dirty"
    git -C "$checked" diff --stat
    exit 1
fi
echo "check_repro: a fresh clone's dvc repro (${stages[*]}) reproduced dvc.lock; git status clean"
