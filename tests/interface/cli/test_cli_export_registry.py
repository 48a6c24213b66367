"""Every registered export format is reachable from `seedless export`: a --format choice, its summary in --help,
dispatched to its writer at its default output; the chat flags reach exactly the formats that take a ChatMapping."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from seedless.core.dataset.chat_mapping import ChatMapping
from seedless.engine.outputs.registry import FORMATS, format_names
from seedless.interface.cli import main as cli


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "LINES": "50", "FORCE_COLOR": None, "TTY_COMPATIBLE": None})


def test_help_lists_every_registered_format_with_its_summary_and_default_output(runner):
    shown = " ".join(runner.invoke(cli, ["export", "--help"]).output.split())
    assert f"[{'|'.join(format_names())}]" in shown
    for name, fmt in FORMATS.items():
        assert " ".join(f"{name}: {fmt.summary}".split()) in shown
        assert fmt.default_out(Path("RUN_DIR")).name in shown


@pytest.mark.parametrize("name", format_names())
def test_each_registered_format_is_dispatched_to_its_writer_at_its_default_output(runner, tmp_path, monkeypatch,
                                                                                  name):
    calls = []
    fmt = FORMATS[name]
    monkeypatch.setattr(fmt, "write", lambda run_dir, target, options: calls.append((run_dir, target, options)) or 7)
    (tmp_path / "run").mkdir()
    result = runner.invoke(cli, ["export", str(tmp_path / "run"), "--format", name])
    assert result.exit_code == 0, result.output
    target = fmt.default_out(tmp_path / "run")
    assert calls == [(tmp_path / "run", target, None)]
    assert f"wrote {target}  (7 rows, format {name})" in result.output


@pytest.mark.parametrize("name", format_names())
def test_the_chat_flags_reach_only_formats_that_take_a_chat_mapping(runner, tmp_path, monkeypatch, name):
    calls = []
    fmt = FORMATS[name]
    monkeypatch.setattr(fmt, "write", lambda run_dir, target, options: calls.append(options) or 1)
    (tmp_path / "run").mkdir()
    result = runner.invoke(cli, ["export", str(tmp_path / "run"), "--format", name, "--system", "Be brief."])
    if fmt.options_type is not None and issubclass(ChatMapping, fmt.options_type):
        assert result.exit_code == 0, result.output
        assert calls == [ChatMapping(system="Be brief.")]
    else:
        assert result.exit_code == 2 and calls == []
        assert "--user-fields, --assistant-fields and --system apply to --format chat only" in result.output
