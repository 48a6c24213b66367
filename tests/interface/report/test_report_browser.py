"""The report in a real browser (headless Chromium over the DevTools protocol): no console error, no request off
the file, every chart drawn, the node filter narrowing the list, a datapoint's lineage opening; a screenshot kept
(pytest's tmp dir, and SEEDLESS_SCREENSHOT_DIR when set). SEEDLESS_REPORT_RUN renders that run instead of the
fake one (how docs/images/report-quickstart.png is made). Skipped, saying why, where no Chromium is installed."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[2]))
from browser import SKIP_REASON, Browser, find_chromium  # noqa: E402
from report_run import make_report_run  # noqa: E402

from seedless.engine.outputs.report_data import report_data  # noqa: E402
from seedless.interface.report.page import render_report  # noqa: E402

pytestmark = pytest.mark.skipif(find_chromium() is None, reason=SKIP_REASON)
pytest.importorskip("websocket", reason="websocket-client (the test extra) drives the browser")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    run = Path(os.environ["SEEDLESS_REPORT_RUN"]) if os.environ.get("SEEDLESS_REPORT_RUN") else make_report_run(root)
    path = root / "report.html"
    path.write_text(render_report(report_data(run)), encoding="utf-8")
    with Browser() as browser:
        browser.open(path)
        yield browser, root


def test_report_opens_with_no_console_error_and_no_request_off_the_file(page):
    browser, _ = page
    assert browser.js("window.seedlessReport && window.seedlessReport.ready") is True
    assert browser.errors == []
    assert [u for u in browser.requests if not u.startswith(("file:", "data:", "about:"))] == []


def test_every_chart_of_the_report_is_drawn(page):
    browser, _ = page
    charts = browser.js("Array.from(document.querySelectorAll('.chart')).map(d => [d.id, "
                        "!!d.querySelector('canvas, svg') && d.querySelector('canvas, svg').clientWidth > 0])")
    assert len(charts) >= 7
    assert [c for c in charts if not c[1]] == []


def test_the_node_filter_shows_only_datapoints_under_that_node_and_a_row_opens_its_lineage(page):
    browser, _ = page
    total = browser.js("document.querySelectorAll('#rows tbody tr').length")
    chosen = browser.js("""(() => { const D = JSON.parse(document.getElementById('report-data').textContent);
        const counts = D.node_paths.map((_, i) => D.rows.filter(r => r[1].includes(i)).length);
        const i = counts.findIndex(c => c > 0 && c < D.rows.length);
        const s = document.getElementById('filter-node'); s.value = String(i);
        s.dispatchEvent(new Event('change')); return [i, counts[i]]; })()""")
    index, expected = chosen
    shown = browser.js("Array.from(document.querySelectorAll('#rows tbody tr')).map(tr => tr.dataset.nodes)")
    assert 0 < len(shown) <= min(expected, 50) and len(shown) <= total
    assert all(str(index) in nodes.split(",") for nodes in shown)
    browser.js("document.querySelector('#rows tbody tr').click()")
    text = browser.js("document.getElementById('lineage').innerText")
    assert "Lineage of" in text and "Meta-prompt" in text and "Verdicts" in text and "Strategy and mix" in text
    browser.js("const s = document.getElementById('filter-node'); s.value = ''; s.dispatchEvent(new Event('change'))")
    assert browser.errors == []


def test_report_screenshot_is_kept_as_an_artifact(page):
    browser, root = page
    browser.js("document.getElementById('lineage').hidden = true; window.scrollTo(0, 0)")
    shot = browser.screenshot(root / "report.png")
    assert shot.stat().st_size > 20_000
    keep = os.environ.get("SEEDLESS_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / os.environ.get("SEEDLESS_SCREENSHOT_NAME", "report.png"))
