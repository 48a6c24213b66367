"""What an artifact was built from, as a short content hash: equal bases mean the stored artifact can be kept."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def basis(material: dict[str, Any]) -> str:
    """16 hex digits of the sha256 of `material` as canonical JSON (sorted keys; other values as text)."""
    return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()[:16]
