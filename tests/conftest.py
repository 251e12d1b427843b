"""Shared fixtures: the bundled store, built once per session."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import ExitStack
from pathlib import Path

import pytest

from autotts.bundled import bundled_files
from autotts.store.ingest import ingest_files


@pytest.fixture(scope="session")
def bundled_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding all bundled replay data (built once per test session)."""
    store = tmp_path_factory.mktemp("bundled") / "traces.duckdb"
    ingest_files(bundled_files(), store)
    return store


class _Cluster:
    """The session's Ray cluster: started for the first test that asks for it, stopped after the last one.

    An idle cluster keeps a few processes busy, so it must not outlive its tests: they run back to back
    (see :func:`pytest_collection_modifyitems`) and the cluster stops once the next test does not need it.
    """

    def __init__(self) -> None:
        self._stack = ExitStack()
        self.address: str | None = None

    def start(self) -> str:
        if self.address is None:
            from tests.ray_cluster import local_cluster

            self.address = self._stack.enter_context(local_cluster())
        return self.address

    def stop(self) -> None:
        self._stack.close()
        self.address = None


_CLUSTER = _Cluster()


@pytest.fixture
def ray_cluster() -> str:
    """A real two-node Ray cluster on 127.0.0.1, shared by the tests that ask for it (~10-15 s to start)."""
    pytest.importorskip("ray")
    return _CLUSTER.start()


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    if nextitem is None or "ray_cluster" not in getattr(nextitem, "fixturenames", ()):
        _CLUSTER.stop()


# Tests on the session's services (the Ray cluster, then the Prefect test server) run first and back to back,
# so that each service lives only while its tests run. Under pytest-xdist (.ci/run: `-n 2 --dist loadgroup
# --no-loadscope-reorder`) the tests on each service form one group, named after the first service they use, so
# the two largest groups start at once on the two workers (one Ray cluster; a second Prefect server, ~15 CPU-s,
# for the one Ray test that also runs a flow); every other module is a group of its own, so its module- and
# session-scoped fixtures are built on one worker only.
# xdist's own grouping (an `xdist_group` mark) no longer works with pytest 9.2's node ids, so each worker writes
# the groups to a file that the scheduler below, in the controlling process, reads.
SERVICES = ("ray_cluster", "prefect_server")
GROUPS = "AUTOTTS_TEST_GROUPS"  # where workers write {node id: group}


def _place(item: pytest.Item) -> tuple[str, int]:
    """The item's group, and its rank among the services (the ones it uses first come first)."""
    names = set(getattr(item, "fixturenames", ()))
    for rank, service in enumerate(SERVICES):
        if service in names:
            return service, rank
    return item.nodeid.split("::")[0], len(SERVICES)


def pytest_configure(config: pytest.Config) -> None:
    if GROUPS not in os.environ and config.getoption("dist", "no") == "loadgroup":  # the controller
        os.environ[GROUPS] = str(Path(tempfile.mkdtemp(prefix="autotts-groups-")) / "groups.json")


def pytest_unconfigure(config: pytest.Config) -> None:
    if GROUPS in os.environ and "PYTEST_XDIST_WORKER" not in os.environ:
        shutil.rmtree(Path(os.environ.pop(GROUPS)).parent, ignore_errors=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    first_seen = {group: i for i, group in enumerate(dict.fromkeys(_place(item)[0] for item in items))}
    items.sort(key=lambda item: (_place(item)[1], first_seen[_place(item)[0]]))
    if GROUPS in os.environ and "PYTEST_XDIST_WORKER" in os.environ:
        groups = Path(os.environ[GROUPS])
        partial = groups.with_suffix(f".{os.environ['PYTEST_XDIST_WORKER']}")
        partial.write_text(json.dumps({item.nodeid: _place(item)[0] for item in items}))
        partial.replace(groups)  # every worker collects the same tests, so any complete copy will do


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    if config.getoption("dist", "no") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        """xdist's scheduling by scope, where a test's scope is the group its worker wrote down."""

        def _split_scope(self, nodeid: str) -> str:
            if not hasattr(self, "_groups"):
                self._groups = json.loads(Path(os.environ[GROUPS]).read_text())
            return self._groups[nodeid]

    return GroupScheduling(config, log)
