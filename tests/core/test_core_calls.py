"""Contracts of core/calls.py: one declaration per model-call site, unique names, every reply type derived."""

from __future__ import annotations

import pytest

from seedless.core.calls import CALL_SITES, FACTORS, CallSite, register_call_site, unregister_call_site
from seedless.core.replies import Reply
from seedless.spec.models import Role


def test_every_call_site_is_declared_once_under_its_own_name_with_a_typed_reply_or_the_datapoint():
    assert all(name == site.name for name, site in CALL_SITES.items())
    assert len({site.name for site in CALL_SITES.values()}) == len(CALL_SITES)
    for site in CALL_SITES.values():
        assert site.reply is None or issubclass(site.reply, Reply)
    assert {s.name for s in CALL_SITES.values() if s.reply is None} == {"generate", "repair_datapoint"}


def test_a_second_call_site_under_a_taken_name_is_refused_and_a_plugin_site_comes_and_goes():
    with pytest.raises(ValueError, match="already exists"):
        register_call_site(CallSite("factors", Role.critic, "factors", None))
    assert CALL_SITES["factors"] is FACTORS
    site = register_call_site(CallSite("plugin_check", Role.critic, "plugin", None))
    assert CALL_SITES["plugin_check"] is site
    unregister_call_site("plugin_check")
    assert "plugin_check" not in CALL_SITES
