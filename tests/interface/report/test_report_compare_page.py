"""The comparison page (`render_comparison`): offline, its table, and in headless Chromium every figure drawn
(grouped coverage bars, diversity bars, overlaid complexity histograms, box plots) with no console error; a
screenshot kept (SEEDLESS_SCREENSHOT_DIR when set). SEEDLESS_COMPARE_JSON renders that compare.json instead of
the made-up comparison (the docs' screenshot). The browser part skips, saying why, without Chromium."""

from __future__ import annotations

import os
import random
import re
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[2]))
from browser import SKIP_REASON, Browser, find_chromium  # noqa: E402

from seedless.core.measures.comparison import Comparison, histogram, shared_edges  # noqa: E402
from seedless.core.measures.elo import rating_summary  # noqa: E402
from seedless.interface.report.compare_page import render_comparison  # noqa: E402

NAMES = ("baseline", "local", "global", "local_global", "full")


def _comparison() -> Comparison:
    rng = random.Random(0)
    ratings = {name: [rng.gauss(1400 + 50 * i, 60) for _ in range(40)] for i, name in enumerate(NAMES)}
    edges = shared_edges([r for rs in ratings.values() for r in rs], 12)
    datasets = []
    for i, name in enumerate(NAMES):
        levels = [{"level": 1, "nodes": 4, "hit": min(4, 2 + i), "ratio": min(1.0, (2 + i) / 4), "uncovered": []},
                  {"level": 2, "nodes": 12, "hit": 2 + 2 * i, "ratio": (2 + 2 * i) / 12, "uncovered": []}]
        datasets.append({
            "name": name, "source": f"/runs/{name}", "items": 40,
            "coverage": {"mode": "model", "assignments": {},
                         "taxonomies": [{"factor": "Topic", "levels": levels, "hits": [], "unassigned": 0,
                                         "failures": []}]},
            "diversity": {"embedder": "minilm", "k": 10, "global": 0.40 + 0.02 * i, "local": 0.30 + 0.03 * i},
            "complexity": {"items": 40, "summary": rating_summary(ratings[name]).__dict__,
                           "histogram": histogram(ratings[name], edges),
                           "ratings": {f"{name}-{j}": round(r, 2) for j, r in enumerate(ratings[name])}}})
    return Comparison.model_validate({
        "taxonomy": "/runs/compare/taxonomy.yaml", "taxonomy_description": "the union of the runs' taxonomies",
        "levels": 2, "embedder": "minilm", "judge": "rater=fake",
        "settings": {"metrics": ["coverage", "diversity", "complexity"], "fields": [], "max_chars": 800,
                     "coverage_mode": "model", "coverage_assignment": "auto", "neighbours": 10,
                     "complexity_items": 40, "complexity_batch": 5, "complexity_per_item": 5, "histogram_bins": 12,
                     "seed": 0},
        "pool": {"method": "bradley-terry", "items": 200, "batches": 200, "mixed_batches": 190, "comparisons": 2000,
                 "summary": rating_summary([r for rs in ratings.values() for r in rs]).__dict__, "edges": edges,
                 "failures": []},
        "datasets": datasets})


def test_comparison_page_is_offline_and_holds_the_table():
    html = render_comparison(_comparison())
    assert not re.search(r'<(script|link|img)[^>]+(src|href)=["\']?https?:', html)
    assert all(name in html for name in NAMES) and "cov. L2" in html


@pytest.mark.skipif(find_chromium() is None, reason=SKIP_REASON)
def test_comparison_page_draws_every_figure_in_a_browser(tmp_path):
    pytest.importorskip("websocket", reason="websocket-client (the test extra) drives the browser")
    given = os.environ.get("SEEDLESS_COMPARE_JSON")
    comparison = Comparison.model_validate_json(Path(given).read_text()) if given else _comparison()
    page = tmp_path / "compare.html"
    page.write_text(render_comparison(comparison), encoding="utf-8")
    shown = len(comparison.datasets)
    with Browser() as browser:
        browser.open(page)
        assert browser.js("window.seedlessReport.ready && window.seedlessReport.datasets") == shown
        charts = browser.js("Array.from(document.querySelectorAll('.chart')).map(d => [d.id, "
                            "!!d.querySelector('canvas') && d.querySelector('canvas').clientWidth > 0])")
        assert len(charts) == 4 and all(drawn for _, drawn in charts), charts
        assert browser.js("document.querySelectorAll('#compare-table tr').length") == shown + 1
        assert browser.errors == []
        assert [u for u in browser.requests if not u.startswith(("file:", "data:", "about:"))] == []
        shot = browser.screenshot(tmp_path / "compare.png")
    keep = os.environ.get("SEEDLESS_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / os.environ.get("SEEDLESS_COMPARE_SCREENSHOT_NAME", "compare.png"))
