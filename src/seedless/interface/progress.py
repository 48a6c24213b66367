"""Live feedback from engine events: a rich display on a terminal, else a log line every few seconds (text or JSON).

`progress_view(console, log_format, quiet)` picks one. Every view tracks the same figures (`Tally`): calls sent,
reused, in flight, invalid, failed and retried; tokens and cost so far; datapoints accepted against the target
with the acceptance rate per minute and the time left at that rate; rejections per stage. The rich view draws
bars; the log view prints `Tally.line()` (or `Tally.record()` as JSON) at most every `interval_s` and once at
the end, and notices at once; `quiet` shows warnings only. Text is cut at word boundaries, never mid-word.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from seedless.core.text import clip
from seedless.engine.events import (
    CallDone,
    CallRetry,
    CallStarted,
    DatapointDone,
    Event,
    GenerationStarted,
    LevelStarted,
    NodeExpanded,
    Notice,
)

LogFormat = Literal["auto", "rich", "plain", "json"]
LOG_FORMATS = ("auto", "rich", "plain", "json")
INTERVAL_S = 5.0


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"


@dataclass
class Tally:
    """The running figures every view shows."""

    started: float = field(default_factory=lambda: time.monotonic())
    calls: Counter[str] = field(default_factory=Counter)
    tokens: int = 0
    cost: float = 0.0
    target: int | None = None
    accepted: int = 0
    accepted_before: int = 0  # already in the store when generation started (a resumed run)
    generation_started: float | None = None
    rejected: Counter[str] = field(default_factory=Counter)
    level: str = ""

    def take(self, event: Event) -> None:
        if isinstance(event, CallStarted):
            self.calls["started"] += 1
        elif isinstance(event, CallDone):
            if event.outcome == "error":
                self.calls["error"] += 1
            else:
                self.calls["reused" if event.reused else "sent"] += 1
                self.calls["invalid"] += event.outcome != "ok"
            if not event.reused:
                self.tokens += event.prompt_tokens + event.completion_tokens
                self.cost += event.cost
        elif isinstance(event, CallRetry):
            self.calls["retries"] += 1
        elif isinstance(event, LevelStarted):
            self.level = f"{event.factor} level {event.level} ({event.nodes} nodes)"
        elif isinstance(event, GenerationStarted):
            self.target, self.accepted = event.target, event.accepted
            self.accepted_before, self.generation_started = event.accepted, time.monotonic()
        elif isinstance(event, DatapointDone):
            self.accepted += int(event.accepted)
            if event.stage:
                self.rejected[event.stage] += 1

    @property
    def in_flight(self) -> int:
        c = self.calls
        return c["started"] - c["sent"] - c["error"]

    def rate_per_min(self) -> float | None:
        """Datapoints accepted per minute since generation started (this command's, not a resumed run's)."""
        if self.generation_started is None:
            return None
        minutes = (time.monotonic() - self.generation_started) / 60
        done = self.accepted - self.accepted_before
        return done / minutes if minutes > 0 and done > 0 else None

    def eta_s(self) -> float | None:
        rate = self.rate_per_min()
        if rate is None or self.target is None:
            return None
        return max(0, self.target - self.accepted) / rate * 60

    def calls_text(self) -> str:
        c = self.calls
        cost = f"  cost ${self.cost:.4f}" if self.cost else ""
        return (f"in flight {self.in_flight}  sent {c['sent']}  reused {c['reused']}  invalid {c['invalid']}  "
                f"errors {c['error']}  retries {c['retries']}  tokens {self.tokens:,}{cost}")

    def rejected_text(self) -> str:
        parts = "  ".join(f"{k.replace('_', ' ')} {v}" for k, v in self.rejected.most_common())
        return f"rejected {sum(self.rejected.values())}" + (f" ({parts})" if parts else "")

    def line(self) -> str:
        """One log line: elapsed, datapoints with rate and ETA (or the taxonomy level), calls, tokens, cost."""
        parts = []
        if self.target is not None:
            rate, eta = self.rate_per_min(), self.eta_s()
            pace = f", {rate:.1f}/min, ETA {_duration(eta)}" if rate is not None and eta is not None else ""
            parts.append(f"datapoints {self.accepted}/{self.target}{pace}, {self.rejected_text()}")
        elif self.level:
            parts.append(self.level)
        parts.append(f"calls {self.calls_text()}")
        return f"[{_duration(time.monotonic() - self.started)}] " + " | ".join(parts)

    def record(self) -> dict[str, object]:
        """The same figures as a JSON-ready record."""
        c = self.calls
        return {"elapsed_s": round(time.monotonic() - self.started, 1), "level": self.level or None,
                "accepted": self.accepted if self.target is not None else None, "target": self.target,
                "rate_per_min": self.rate_per_min(), "eta_s": self.eta_s(), "rejected": dict(self.rejected),
                "calls": {k: c[k] for k in ("sent", "reused", "invalid", "error", "retries")},
                "in_flight": self.in_flight, "tokens": self.tokens, "cost": round(self.cost, 6)}


class ProgressView:
    """Feeds engine events into a rich progress display: one bar per factor level, plus call counters."""

    def __init__(self, console: Console, quiet: bool = False):
        self.console = console
        self.quiet = quiet
        self.tally = Tally()
        self.progress = Progress(
            TextColumn("{task.description}", style="bold", markup=False), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), TimeRemainingColumn(),
            TextColumn("{task.fields[status]}"), console=console, transient=False, disable=quiet,
        )
        self.tasks: dict[tuple[str, int], TaskID] = {}
        self.calls_task = self.progress.add_task("model calls", total=None, status="")
        self.data_task: TaskID | None = None

    def __enter__(self) -> ProgressView:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)  # type: ignore[arg-type]

    def __call__(self, event: Event) -> None:
        self.tally.take(event)
        if isinstance(event, (CallStarted, CallDone, CallRetry)):
            self.progress.update(self.calls_task, advance=int(isinstance(event, CallDone)),
                                 status=self.tally.calls_text())
        elif isinstance(event, LevelStarted):
            key = (event.factor, event.level)
            self.tasks[key] = self.progress.add_task(f"{event.factor} - level {event.level}", total=event.nodes,
                                                     status="")
        elif isinstance(event, NodeExpanded):
            task = self.tasks.get((event.factor, len(event.path)))
            if task is not None:
                self.progress.update(task, advance=1)
            if event.failures and not self.quiet:
                self.progress.console.print(Text(f"! {' / '.join(event.path)}: {clip(event.failures[0], 200)}",
                                                 style="yellow"))
        elif isinstance(event, GenerationStarted):
            self.data_task = self.progress.add_task("datapoints accepted", total=event.target,
                                                    completed=event.accepted, status="")
        elif isinstance(event, DatapointDone) and self.data_task is not None:
            rate = self.tally.rate_per_min()
            pace = f"{rate:.1f}/min  " if rate is not None else ""
            self.progress.update(self.data_task, advance=int(event.accepted),
                                 status=pace + self.tally.rejected_text())
        elif isinstance(event, Notice) and (event.warning or not self.quiet):
            style = "yellow" if event.warning else "cyan"
            self.progress.console.print(Text(event.message, style=style))


class LogView:
    """Log lines for a console that is not a terminal (a batch job, CI): the tally every `interval_s`, notices at
    once, a last line at the end; `json` writes one JSON object per line instead."""

    def __init__(self, console: Console, fmt: Literal["plain", "json"] = "plain", quiet: bool = False,
                 interval_s: float = INTERVAL_S):
        self.console, self.fmt, self.quiet, self.interval_s = console, fmt, quiet, interval_s
        self.tally = Tally()
        self.last = time.monotonic()

    def __enter__(self) -> LogView:
        return self

    def __exit__(self, *exc: object) -> None:
        t = self.tally
        if not self.quiet and (t.calls or t.target is not None or t.level):  # nothing happened: no closing line
            self._emit()

    def _write(self, text: str) -> None:
        """A record on one line, as written: never wrapped or cut (log tools read a line as a record)."""
        self.console.out(text, highlight=False)

    def _notice(self, text: str) -> None:
        """A notice for people: wrapped at word boundaries to the console's width."""
        self.console.print(Text(text))

    def _emit(self) -> None:
        self.last = time.monotonic()
        self._write(json.dumps(self.tally.record()) if self.fmt == "json" else self.tally.line())

    def __call__(self, event: Event) -> None:
        self.tally.take(event)
        message = None
        if isinstance(event, Notice) and (event.warning or not self.quiet):
            message, warning = event.message, event.warning
        elif isinstance(event, NodeExpanded) and event.failures and not self.quiet:
            message, warning = f"{' / '.join(event.path)}: {clip(event.failures[0], 200)}", True
        if message is not None:
            if self.fmt == "json":
                self._write(json.dumps({"notice": message, "warning": warning}, ensure_ascii=False))
            else:
                self._notice(("warning: " if warning else "") + message)
        if not self.quiet and time.monotonic() - self.last >= self.interval_s:
            self._emit()


def progress_view(console: Console, log_format: LogFormat = "auto", quiet: bool = False) -> ProgressView | LogView:
    """The view for `console`: rich on a terminal (or when asked), else log lines; `quiet` keeps warnings only."""
    if log_format == "rich" or (log_format == "auto" and console.is_terminal):
        return ProgressView(console, quiet=quiet)
    return LogView(console, "json" if log_format == "json" else "plain", quiet=quiet)


__all__ = ["LOG_FORMATS", "LogView", "ProgressView", "Tally", "progress_view"]
