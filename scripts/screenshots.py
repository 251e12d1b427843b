"""Screenshots of the report and of the Prefect UI, taken in headless Chromium.

Usage:
    python scripts/screenshots.py [--params tests/pipeline/params_small.yaml] [--out build/screenshots]
                                  [--root DIR] [--port 4311]

Starts ``prefect server start`` on 127.0.0.1 (with a PREFECT_HOME of its own),
runs the pipeline flow once on PARAMS against it (outputs under ROOT, a
temporary folder by default), then drives headless Chromium through its
DevTools protocol and writes, under OUT:

  report.png              the report page (reports/index.html), whole
  flow-run.png            the flow run's page: its task runs on the timeline, its logs
  flow-run-artifacts.png  the same page's Artifacts tab: Table 1, the summary, the figures
  artifact-summary.png    the summary artifact as the UI renders it
  artifact-trajectory.png the trajectory figure artifact

Needs the pipeline extra and Debian's ``chromium``; reaches nothing beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from websockets.sync.client import connect
from websockets.sync.connection import Connection

REPO = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars"]
WIDTH = 1440
SETTLE_SECONDS = 4.0


class Browser:
    """One Chromium tab, driven over the DevTools protocol: navigate, wait for a condition, click, capture."""

    def __init__(self, socket: Connection) -> None:
        self.socket = socket
        self.next_id = 0

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:  # events arrive in between; the answer carries our id
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return result.get("result", {}).get("value")

    def open(self, url: str, ready: str, timeout: float = 90) -> None:
        """Load ``url`` and wait until the JavaScript condition ``ready`` holds and the page has settled."""
        self.call("Page.navigate", url=url)
        self.wait(ready, timeout)

    def wait(self, condition: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while not self.evaluate(f"Boolean({condition})"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout:.0f} s for {condition}")
            time.sleep(0.5)
        time.sleep(SETTLE_SECONDS)  # lists, charts and images render after the data arrives

    def resize(self, height: int) -> None:
        self.call("Emulation.setDeviceMetricsOverride", width=WIDTH, height=height, deviceScaleFactor=1, mobile=False)

    def click_text(self, text: str) -> None:
        """Click the button, link or tab (Prefect's are ``li`` items of a tab list) reading exactly ``text``."""
        found = self.evaluate(
            "(() => { const e = [...document.querySelectorAll('button, a, [role=tab], [role=tablist] > li')]"
            f".find(e => e.textContent.trim() === {json.dumps(text)}); if (e) e.click(); return Boolean(e); }})()")
        if not found:
            raise RuntimeError(f"nothing to click reads {text!r}")

    def capture(self, path: Path, height: int | None = None) -> None:
        """The page as PNG: the whole document, or a window ``height`` pixels tall (the Prefect UI scrolls
        inside its own panels, so its pages are shown a window at a time)."""
        shown = height or int(self.evaluate("Math.ceil(document.documentElement.scrollHeight)"))
        self.resize(shown)
        time.sleep(SETTLE_SECONDS)  # the layout follows the new height: lists re-render, charts redraw
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": WIDTH, "height": shown, "scale": 1})["data"]
        path.write_bytes(base64.b64decode(data))
        self.resize(1000)
        print(f"{path} ({WIDTH}x{shown})")


@contextmanager
def chromium(profile: Path) -> Iterator[Browser]:
    binary = shutil.which("chromium") or "/usr/bin/chromium"
    process = subprocess.Popen([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
                                f"--window-size={WIDTH},1000", "about:blank"],
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        port = None
        for line in process.stderr:  # Chromium names the port it picked
            if match := re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line):
                port = int(match.group(1))
                break
        if port is None:
            raise RuntimeError("chromium did not start its DevTools endpoint")
        pages = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10).read())
        url = next(p["webSocketDebuggerUrl"] for p in pages if p["type"] == "page")
        with connect(url, max_size=None, open_timeout=30) as socket:
            browser = Browser(socket)
            browser.call("Page.enable")
            browser.resize(1000)  # the window's own size does not reach the page under remote debugging
            yield browser
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def prefect_server(port: int, home: Path) -> Iterator[str]:
    """``prefect server start`` on 127.0.0.1:``port``; yields its API URL once it answers."""
    api = f"http://127.0.0.1:{port}/api"
    # The UI asks the server where the API is: tell it this port, not the default one.
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_UI_API_URL": api}
    process = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                                "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while not _healthy(api):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"prefect server on port {port} did not come up")
            time.sleep(2)
        yield api
    finally:
        process.terminate()
        process.wait(timeout=60)


def _healthy(api: str) -> bool:
    try:
        return urllib.request.urlopen(f"{api}/health", timeout=5).read().strip() == b"true"
    except OSError:
        return False


def _post(api: str, path: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(f"{api}{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(request, timeout=30).read())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", type=Path, default=REPO / "tests/pipeline/params_small.yaml")
    parser.add_argument("--out", type=Path, default=REPO / "build/screenshots")
    parser.add_argument("--root", type=Path, help="where the pipeline writes (default: a temporary folder)")
    parser.add_argument("--port", type=int, default=4311, help="the Prefect server's port")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="autotts-shots-") as scratch:
        work = Path(scratch)
        root = args.root or work / "run"
        params = _local_params(args.params.resolve(), work)
        with prefect_server(args.port, work / "prefect") as api:
            env = {**os.environ, "PREFECT_API_URL": api, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
            subprocess.run([sys.executable, "-m", "flows.pipeline", "--params", str(params), "--root", str(root)],
                           cwd=REPO, env=env, check=True)
            (run,) = _post(api, "/flow_runs/filter", {"flows": {"name": {"any_": ["autotts-pipeline"]}},
                                                       "sort": "START_TIME_DESC", "limit": 1})
            artifacts = {a["key"]: a["id"] for a in _post(api, "/artifacts/filter", {
                "flow_runs": {"id": {"any_": [run["id"]]}}})}
            with chromium(work / "profile") as browser:
                capture(browser, args.out, (root / "reports/index.html").as_uri(), f"{api.removesuffix('/api')}",
                        run["id"], artifacts)
    return 0


def capture(browser: Browser, out: Path, report: str, ui: str, run: str, artifacts: dict[str, str]) -> None:
    """The report page, the flow run's page and its Artifacts tab, and two artifacts, as PNG files in ``out``."""
    browser.open(report, "document.images.length > 0 && [...document.images].every(i => i.complete)")
    browser.capture(out / "report.png")
    # the timeline is drawn on a canvas: wait for the header's task count and the first logs
    browser.open(f"{ui}/runs/flow-run/{run}", "document.body.innerText.includes('Task runs') && "
                 "document.body.innerText.includes('Finished in state')")
    browser.capture(out / "flow-run.png", height=1400)
    browser.click_text("Artifacts")
    browser.wait("document.body.innerText.includes('autotts-summary')")
    browser.capture(out / "flow-run-artifacts.png", height=1400)
    # an artifact's page is ready once the app's frame (its menu, the run's details) and the artifact's own
    # body are drawn: on a busy machine the key shows seconds before the markdown or the image does
    frame = "document.body.innerText.includes('Dashboard') && document.body.innerText.includes('Flow Run')"
    bodies = {
        "autotts-summary": "document.body.innerText.includes('The discovered controller')",
        "autotts-trajectory": "[...document.images].some(i => i.src.startsWith('data:image') && i.complete "
                              "&& i.naturalWidth > 0)",
    }
    for key, height in (("autotts-summary", 1800), ("autotts-trajectory", 900)):
        browser.open(f"{ui}/artifacts/artifact/{artifacts[key]}", f"{frame} && {bodies[key]}")
        browser.capture(out / f"artifact-{key.removeprefix('autotts-')}.png", height=height)


def _local_params(params: Path, folder: Path) -> Path:
    """``params`` with ``ingest.path`` made absolute, so the flow can run under any root."""
    raw = yaml.safe_load(params.read_text())
    raw["ingest"]["path"] = str((REPO / raw["ingest"]["path"]).resolve())
    out = folder / "params.yaml"
    out.write_text(yaml.safe_dump(raw))
    return out


if __name__ == "__main__":
    raise SystemExit(main())
