"""A real two-node Ray cluster on 127.0.0.1 (``ray start --head`` plus a worker node), for the fan-out tests.

Both nodes run ``ray start --block`` in sessions of their own, so stopping
them kills exactly the processes they started (never ``ray stop``, which
would stop every Ray instance on a shared machine). Every port is chosen free
and the session directory is private, so two clusters on one machine do not
meet. Worker processes import autotts (and ``tests``) from this checkout.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# ``ray start`` with the minimal dashboard agent (see tests/ray_start.py)
RAY_START = [sys.executable, str(REPO / "tests" / "ray_start.py"), "start"]
# Ray turns token authentication on by itself once any cluster has left ~/.ray/auth_token behind; the
# timeouts are raised for a loaded machine.
HERMETIC = {"RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0", "RAY_agent_register_timeout_ms": "180000",
            "RAY_raylet_start_wait_time_s": "300", "RAY_worker_register_timeout_seconds": "300"}
START_TIMEOUT = 180.0  # seconds per node and try; a cluster starts in ~10-15 s on an idle 2-core machine
NODE_ATTEMPTS = 4


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _node_ports() -> list[str]:
    names = ("--node-manager-port", "--object-manager-port", "--dashboard-agent-listen-port",
             "--dashboard-agent-grpc-port", "--runtime-env-agent-port", "--metrics-export-port")
    return [f"{name}={port}" for name, port in zip(names, _free_ports(len(names)), strict=True)]


@contextmanager
def _node(args: list[str], log: Path, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        # at a raised CPU priority where the machine allows it (``nice`` goes on without it where it does not):
        # a raylet gives up on its agents after ~15 s, which other jobs on a loaded machine can starve them past
        proc = subprocess.Popen(["nice", "-n", "-10", *RAY_START, "--block", *args], stdout=out,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        yield proc
    finally:
        # ``ray start --block`` stops its node on SIGTERM; raylets and workers can outlive it by a moment,
        # so the whole session's group goes down after it
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            proc.wait(15)
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _start_node(stack: ExitStack, args: list[str], log: Path, env: dict[str, str], address: str,
                alive: int) -> None:
    """Start a node and wait until the cluster has ``alive`` live nodes; a node that dies while starting
    (a loaded machine can starve its agents past what its raylet waits for) is started again."""
    for attempt in range(1, NODE_ATTEMPTS + 1):
        proc = stack.enter_context(_node(args, log.with_suffix(f".{attempt}.log"), env))
        deadline = time.monotonic() + START_TIMEOUT
        while proc.poll() is None and time.monotonic() < deadline:
            if _alive_nodes(address) >= alive:
                _normal_priority(proc.pid)
                return
            time.sleep(1.0)
    tails = "\n".join(f"--- {f.name}\n{f.read_text()[-1500:]}" for f in sorted(log.parent.glob(f"{log.stem}.*.log")))
    raise RuntimeError(f"local Ray cluster: {log.stem} node did not come up in {NODE_ATTEMPTS} tries\n{tails}")


def _normal_priority(pid: int) -> None:
    """Once the node is up, it and everything it started go back to the normal priority (new workers follow)."""
    import psutil

    with suppress(psutil.Error):
        root = psutil.Process(pid)
        for proc in [root, *root.children(recursive=True)]:
            with suppress(psutil.Error):
                proc.nice(0)


def _alive_nodes(address: str) -> int:
    from ray._raylet import GcsClient
    from ray.core.generated.gcs_pb2 import GcsNodeInfo

    try:
        nodes = GcsClient(address=address).get_all_node_info(timeout=5)
    except Exception:  # the GCS is not up yet
        return 0
    return sum(info.state == GcsNodeInfo.ALIVE for info in nodes.values())


@contextmanager
def local_cluster(cpus_per_node: int = 1) -> Iterator[str]:
    """A head node and a worker node on 127.0.0.1; yields the address to ``ray.init`` with."""
    import ray

    gcs_port, client_port, dashboard_port = _free_ports(3)
    address = f"127.0.0.1:{gcs_port}"
    temp = Path(tempfile.mkdtemp(prefix="ray-", dir="/tmp"))  # short: Ray's socket paths must stay < 108 bytes
    env = {**os.environ, **HERMETIC, "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH"))
                                                                if p)}
    common = ["--node-ip-address=127.0.0.1", f"--num-cpus={cpus_per_node}", "--num-gpus=0",
              "--object-store-memory=200000000", "--disable-usage-stats"]
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, temp, True)
        driver_env = {name: os.environ.get(name) for name in HERMETIC}
        stack.callback(_restore, driver_env)
        os.environ.update(HERMETIC)  # the driver (this process) must agree with the nodes
        _start_node(stack, ["--head", f"--port={gcs_port}", f"--ray-client-server-port={client_port}",
                            f"--dashboard-port={dashboard_port}", "--include-dashboard=false", f"--temp-dir={temp}",
                            *common, *_node_ports()], temp / "head.log", env, address, alive=1)
        _start_node(stack, [f"--address={address}", *common, *_node_ports()], temp / "worker.log", env, address,
                    alive=2)
        ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False)
        stack.callback(ray.shutdown)
        yield address


def _restore(saved: dict[str, str | None]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


