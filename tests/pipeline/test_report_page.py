"""The report page is self-contained: opened offline in headless Chromium, every image loads."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from flows.layout import Layout

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # kept out of git by its .gitignore
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Appended to a copy of the page: counts images decoded with a real size into the title.
PROBE = ("<script>document.title = 'loaded ' + [...document.images].filter(i => i.complete && i.naturalWidth > 0)"
         ".length + ' of ' + document.images.length;</script>")


def test_page_has_no_external_references(pipeline_run) -> None:
    run, _ = pipeline_run
    page = run.html.read_text()
    assert "<script" not in page
    assert not re.search(r"""(src|href)=['"](?!data:)""", page)
    assert page.count("src='data:image/png;base64,") == 3  # 2 curves (1 model x 2 benchmarks) + trajectory


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium not installed (apt-get install chromium)")
def test_page_renders_offline_with_every_image_loaded(pipeline_run, tmp_path: Path) -> None:
    run, _ = pipeline_run
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    profile = [f"--user-data-dir={tmp_path / 'profile'}"]
    subprocess.run([CHROMIUM, *FLAGS, *profile, "--window-size=1280,2400", f"--screenshot={shot}",
                    run.html.as_uri()], check=True, capture_output=True, timeout=120)
    print(f"screenshot: {shot}")
    assert shot.stat().st_size > 50_000  # a page of figures, not a blank one

    probed = tmp_path / "probe.html"
    probed.write_text(run.html.read_text().replace("</body>", PROBE + "</body>"))
    dom = subprocess.run([CHROMIUM, *FLAGS, *profile, "--virtual-time-budget=5000", "--dump-dom", probed.as_uri()],
                         check=True, capture_output=True, text=True, timeout=120).stdout
    assert "<title>loaded 3 of 3</title>" in dom
    assert Layout(run.root).report.figures.is_dir()
