"""A run's report as one self-contained HTML page: the Jinja template, the CSS, ECharts and the page's script inlined,
the data embedded as JSON (`</` escaped) in a <script type="application/json"> tag; no network when it opens."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jinja2

from seedless.engine.outputs.report_data import ReportData

ECHARTS = "echarts.min.js"  # Apache ECharts, vendored: version and sha256 in docs/report.md


@cache
def asset(name: str) -> str:
    """A packaged asset file's text (assets/NAME)."""
    return resources.files(__package__).joinpath("assets", name).read_text(encoding="utf-8")


@cache
def template(name: str) -> jinja2.Template:
    text = resources.files(__package__).joinpath("templates", name).read_text(encoding="utf-8")
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(text)


def embed_json(value: Any) -> str:
    """JSON safe inside a <script> element: every `<` written \\u003c, so no `</` (which could close it), no `<!--`."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def page_json(data: ReportData) -> dict[str, Any]:
    """The report's data as the page's script reads it: rows as compact arrays [id, nodes, complexified, status,
    elo, tier, text], everything else as the view models dump (by alias)."""
    out = data.model_dump(mode="json", by_alias=True, exclude={"rows"})
    out["rows"] = [[r.id, r.nodes, int(r.complexified), r.status, r.elo, r.tier, r.text] for r in data.rows]
    return out


def render_page(name: str, title: str, description: str, version: str, payload: dict[str, Any],
                script: str, **extra: Any) -> str:
    """Any of seedless's pages: template NAME with the shared CSS, ECharts and the page's own script inlined."""
    return template(name).render(title=title, description=description, version=version, css=asset("report.css"),
                                 echarts_js=asset(ECHARTS), report_js=asset(script), data_json=embed_json(payload),
                                 **extra)


def render_report(data: ReportData) -> str:
    """The report of one run as HTML text."""
    return render_page("report.html.j2", data.title, data.description.strip(), data.seedless_version,
                       page_json(data), "report.js", run_dir=data.run_dir, datapoints=data.datapoints,
                       rejected=data.rejected)
