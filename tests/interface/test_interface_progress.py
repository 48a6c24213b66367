"""Progress feedback: log lines for a console that is not a terminal (text or JSON), quiet, words never cut."""

from __future__ import annotations

import io
import json

from rich.console import Console

from seedless.engine.events import CallDone, CallStarted, DatapointDone, GenerationStarted, NodeExpanded, Notice
from seedless.core.text import clip
from seedless.interface.progress import LogView, ProgressView, progress_view


def console(terminal: bool = False, width: int = 80) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=width, force_terminal=terminal, color_system=None, highlight=False), out


def feed(make_view, monkeypatch):
    clock = [0.0]
    monkeypatch.setattr("seedless.interface.progress.time.monotonic", lambda: clock[0])
    view = make_view()
    with view:
        view(GenerationStarted(target=10, accepted=2))
        for minute in range(1, 5):
            clock[0] = 60.0 * minute
            view(CallStarted("generator", "generate"))
            view(CallDone("generator", "generate", False, "ok", 100, 20, 0.0015))
            view(DatapointDone(slot=minute, attempt=1, accepted=minute % 2 == 1, stage=None if minute % 2 else "critic"))
        view(Notice("the judge check passed"))
        view(Notice("endpoint slow", warning=True))


def test_a_non_terminal_console_gets_log_lines_with_rate_eta_and_cost(monkeypatch):
    c, out = console()
    assert isinstance(progress_view(c), LogView)
    feed(lambda: progress_view(c), monkeypatch)
    lines = out.getvalue().splitlines()
    assert "[4m00s] datapoints 4/10, 0.5/min, ETA 12m00s, rejected 2 (critic 2)" in lines[-1]
    assert "sent 4" in lines[-1] and "tokens 480" in lines[-1] and "cost $0.0060" in lines[-1]
    assert sum("datapoints" in line for line in lines) == 5  # one a minute (>= 5 s apart), one at the end
    assert "the judge check passed" in lines and "warning: endpoint slow" in lines


def test_json_log_lines_parse_and_carry_the_same_figures(monkeypatch):
    c, out = console()
    feed(lambda: progress_view(c, "json"), monkeypatch)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    last = records[-1]
    assert (last["accepted"], last["target"], last["rate_per_min"], last["eta_s"]) == (4, 10, 0.5, 720.0)
    assert last["calls"]["sent"] == 4 and last["cost"] == 0.006 and last["rejected"] == {"critic": 2}
    assert {"notice": "endpoint slow", "warning": True} in records


def test_quiet_shows_warnings_only(monkeypatch):
    c, out = console()
    feed(lambda: progress_view(c, quiet=True), monkeypatch)
    assert out.getvalue().splitlines() == ["warning: endpoint slow"]


def test_a_terminal_gets_the_live_display():
    c, _ = console(terminal=True)
    assert isinstance(progress_view(c), ProgressView)
    assert isinstance(progress_view(console()[0], "rich"), ProgressView)


def test_long_text_is_cut_at_a_word_boundary_and_wrapped_in_80_columns():
    text = "proposal 2: call failed: " + " ".join(f"word{i}" for i in range(80))
    cut = clip(text, 60)
    assert len(cut) <= 60 and cut.endswith("…") and cut[:-1] == text[:len(cut) - 1]
    assert text.startswith(cut[:-1]) and text[len(cut) - 1] == " "  # the cut falls between words
    c, out = console()
    path = tuple(f"Node{i} with a long name" for i in range(5))
    with LogView(c) as view:
        view(NodeExpanded("Topic", path, (), (text,)))
    printed = out.getvalue().splitlines()  # no closing tally: no call, level or datapoint happened
    assert len(printed) > 1 and all(len(line) <= 80 for line in printed)
    assert " ".join(line.strip() for line in printed) == f"warning: {' / '.join(path)}: {clip(text, 200)}"
