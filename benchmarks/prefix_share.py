"""How much of each call site's prompt a prefix cache can reuse, read from a finished run's store: per call site, the
share of prompt characters that a request shares with an earlier request of the same call site (the most any prefix
cache could skip), the share that stays the same across all of them, and the prompt tokens the server reported as
cached with the time per call. Run by hand: python benchmarks/prefix_share.py RUN_DIR [--markdown]."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path


def rendered(request_json: str) -> str:
    """The prompt as the server sees its order: each message's role, then its content."""
    messages = json.loads(request_json).get("messages") or []
    return "".join(f"<|{role}|>{content}" for role, content in messages)


def common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


@dataclass
class Site:
    name: str
    model: str
    calls: int = 0
    chars: int = 0
    reusable: int = 0  # characters shared with the best earlier prompt of the site
    shared_by_all: int = 0  # the prefix every prompt of the site starts with, counted once per call
    prompt_tokens: int = 0
    cached_tokens: int = 0
    latency_s: float = 0.0


def measure(db: Path) -> list[Site]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    columns = {row[1] for row in con.execute("PRAGMA table_info(calls)")}
    cached = "cached_tokens" if "cached_tokens" in columns else "0"
    rows = con.execute(f"SELECT prompt, model, request, prompt_tokens, {cached}, latency_s FROM calls "
                       "ORDER BY created").fetchall()
    con.close()
    sites: dict[tuple[str, str], Site] = {}
    seen: dict[tuple[str, str], list[str]] = {}
    for prompt, model, request, prompt_tokens, cached_tokens, latency in rows:
        key = (prompt, model.split("@")[0])
        site = sites.setdefault(key, Site(*key))
        text = rendered(request)
        earlier = seen.setdefault(key, [])
        site.calls += 1
        site.chars += len(text)
        site.reusable += max((common_prefix(text, e) for e in earlier), default=0)
        site.prompt_tokens += prompt_tokens
        site.cached_tokens += cached_tokens
        site.latency_s += latency
        earlier.append(text)
    for key, site in sites.items():
        texts = seen[key]
        first = texts[0]
        shared = min((common_prefix(first, t) for t in texts[1:]), default=len(first))
        site.shared_by_all = shared * site.calls
    return sorted(sites.values(), key=lambda s: -s.prompt_tokens)


def share(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table for docs/performance.md")
    args = parser.parse_args()
    db = args.run_dir / "seedless.db"
    if not db.is_file():
        print(f"{db}: no store there (give the run directory of a finished run)", file=sys.stderr)
        return 2
    sites = measure(db)
    header = ["call site", "model", "calls", "prompt tokens", "reusable prefix", "prefix of all",
              "cached (server)", "s per call"]
    lines = []
    for s in sites:
        lines.append([s.name, s.model.replace("embedded:", ""), str(s.calls), f"{s.prompt_tokens:,}",
                      share(s.reusable, s.chars), share(s.shared_by_all, s.chars) if s.calls > 1 else "-",
                      share(s.cached_tokens, s.prompt_tokens), f"{s.latency_s / s.calls:.1f}"])
    many = [s for s in sites if s.calls > 1]
    total = [sum(getattr(s, f) for s in sites) for f in ("calls", "chars", "reusable", "shared_by_all",
                                                         "prompt_tokens", "cached_tokens")]
    lines.append(["total", "", str(total[0]), f"{total[4]:,}", share(total[2], total[1]),
                  share(sum(s.shared_by_all for s in many), sum(s.chars for s in many)),
                  share(total[5], total[4]), ""])
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for row in lines:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(r[i]) for r in [header] + lines) for i in range(len(header))]
        for row in [header] + lines:
            print("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
