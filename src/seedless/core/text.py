"""Text shown to people (notices, failure summaries): cut at a word boundary with an ellipsis, never mid-word."""

from __future__ import annotations


def clip(text: str, width: int) -> str:
    """`text` with runs of whitespace made single spaces, in at most `width` characters: cut after the last whole
    word that fits, with an ellipsis; a first word longer than `width` is cut inside (nothing better exists)."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    head = text[: width - 1]
    cut = head.rsplit(" ", 1)[0] if " " in head and text[width - 1] != " " else head
    return cut.rstrip(" ,;:") + "…"
