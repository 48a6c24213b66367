"""The report page without a browser: self-contained (no external URL), the data embedded as JSON that cannot
close its script tag, and `seedless report` writing RUN_DIR/report.html."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parents[2]))
from report_run import make_report_run  # noqa: E402

from seedless.engine.outputs.report_data import report_data  # noqa: E402
from seedless.interface.cli import main  # noqa: E402
from seedless.interface.report.page import embed_json, render_report  # noqa: E402


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return make_report_run(tmp_path_factory.mktemp("page"))


def _embedded(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1))


def test_report_page_loads_nothing_from_the_network(run):
    html = render_report(report_data(run))
    assert not re.search(r'<(script|link|img)[^>]+(src|href)=["\']?https?:', html)
    assert "echarts" in html and html.count("<script") == 3


def test_report_page_embeds_rows_and_lineage_that_match_the_dataset(run):
    data = _embedded(render_report(report_data(run)))
    ids = [json.loads(line)["id"] for line in (run / "dataset.jsonl").read_text().splitlines()]
    assert [row[0] for row in data["rows"][:len(ids)]] == ids
    first = json.loads((run / "dataset.jsonl").read_text().splitlines()[0])
    assert data["details"][first["id"]]["lineage"]["meta_prompt"] == first["lineage"]["meta_prompt"]


def test_embedded_json_cannot_close_its_script_element():
    text = embed_json({"x": "</script><script>alert(1)</script> <!-- "})
    assert "</" not in text and "<!--" not in text
    assert json.loads(text) == {"x": "</script><script>alert(1)</script> <!-- "}


def test_report_command_writes_the_page_in_the_run_directory_and_fails_clearly_without_one(run, tmp_path):
    result = CliRunner().invoke(main, ["report", str(run)])
    assert result.exit_code == 0, result.output
    assert (run / "report.html").is_file() and "datapoints" in result.output
    result = CliRunner().invoke(main, ["report", str(tmp_path / "none")])
    assert result.exit_code == 1 and "no such run directory" in " ".join(result.output.split())
