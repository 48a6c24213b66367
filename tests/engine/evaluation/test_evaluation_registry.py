"""Contracts of the measure registry: it holds spec's metric vocabulary in order, every measure's declared settings
exist, every declared call site is registered, and a plugin measure is allowed by the settings only while registered."""

from __future__ import annotations

import pytest

from seedless.core.calls import CALL_SITES
from seedless.core.measures.report import BUILT_IN, EvalReport, Section
from seedless.engine.evaluation.registry import MEASURES, Measure, Needs, register_measure, unregister_measure
from seedless.spec.eval_settings import DEFAULT_METRICS, METRICS, EvalSettings


def test_the_registry_holds_specs_metrics_in_order_and_the_reports_built_in_sections():
    assert tuple(MEASURES)[:len(METRICS)] == METRICS and set(DEFAULT_METRICS) <= set(METRICS)
    assert set(BUILT_IN) == set(METRICS)
    for name in BUILT_IN:
        assert EvalReport.model_fields[name].annotation == MEASURES[name].section | None


def test_every_measure_declares_settings_that_exist_and_call_sites_that_are_registered():
    for m in MEASURES.values():
        assert set(m.settings) <= set(EvalSettings.model_fields), m.name
        assert all(CALL_SITES.get(site.name) == site for site in m.calls), m.name
        assert m.summary, m.name
    assert [m.name for m in MEASURES.values() if m.needs.items] == [
        "coverage", "diversity", "complexity", "duplicates", "critic"]


class Count(Section):
    n: int

    def summary(self) -> str:
        return f"{self.n} items"


async def count(context) -> Count:
    return Count(n=len(context.items))


def test_a_plugin_measure_is_a_metric_while_registered_and_a_built_in_cannot_be_removed():
    plugin = Measure("count", Count, count, Needs())
    register_measure(plugin)
    try:
        assert EvalSettings(metrics=["count"]).metrics == ["count"]
        with pytest.raises(ValueError, match="already exists"):
            register_measure(Measure("count", Count, count, Needs(items=False)))
    finally:
        unregister_measure("count")
    with pytest.raises(ValueError, match="unknown measure"):
        EvalSettings(metrics=["count"])
    with pytest.raises(ValueError, match="built-in"):
        unregister_measure("coverage")
