"""The run directory: its files, the lock one command holds on it, atomic writes, and the dataset files' manifest."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory lock, one command at a time is up to the user
    fcntl = None  # type: ignore[assignment]

LOCK = ".seedless.lock"  # held (flock) by the command writing the directory; it also marks the directory as ours
MANIFEST = "dataset.manifest.json"
_STALE = re.compile(r"^\..+\.(tmp|old)-[A-Za-z0-9_]+$")  # temps of write_atomic and of the hf export's folder swap
_FULL = {errno.ENOSPC: "no space left on device", errno.EROFS: "read-only file system"}
if hasattr(errno, "EDQUOT"):
    _FULL[errno.EDQUOT] = "disk quota exceeded"


class RunDirError(Exception):
    """A run directory that cannot be used now: held by another command, holding files seedless did not write,
    a dangling link, or dataset files from two different writes. The message names the path and what to do."""


class StorageFull(Exception):
    """A write into the run directory failed for lack of space (or a read-only file system); nothing is lost."""

    def __init__(self, path: Path | str, reason: str, db: Path):
        super().__init__(f"{path}: {reason}; the calls made so far are stored in {db}; free space, or copy the "
                         "run directory elsewhere, and run the same command to continue")


def storage_full(exc: BaseException, db: Path) -> StorageFull | None:
    """`exc` as a StorageFull when it is a full disk, a quota or a read-only file system (OS or SQLite)."""
    if isinstance(exc, OSError) and exc.errno in _FULL:
        return StorageFull(exc.filename or db.parent, _FULL[exc.errno], db)
    if isinstance(exc, sqlite3.OperationalError):
        name, text = getattr(exc, "sqlite_errorname", None) or "", str(exc)
        if name.startswith("SQLITE_FULL") or "disk is full" in text:
            return StorageFull(db, f"no space left on device (SQLite: {text})", db)
        if name.startswith("SQLITE_READONLY") or "readonly database" in text:
            return StorageFull(db, f"read-only file system (SQLite: {text})", db)
    return None


def file_digest(path: Path) -> dict[str, int | str]:
    """The size and sha256 of a file, read in blocks."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
            size += len(block)
    return {"bytes": size, "sha256": digest.hexdigest()}


def write_lines(path: Path, lines: Iterable[str]) -> int:
    """Each line and a newline into `path` (a temp from `RunDir.replacing`); the line count."""
    count = 0
    with path.open("w", encoding="utf-8") as f:
        for line in lines:
            f.write(line + "\n")
            count += 1
    return count


@dataclass(frozen=True)
class RunDir:
    root: Path

    @property
    def db(self) -> Path:
        return self.root / "seedless.db"

    @property
    def taxonomy(self) -> Path:
        return self.root / "taxonomy.yaml"

    @property
    def previous_taxonomy(self) -> Path:
        return self.root / "taxonomy.previous.yaml"

    @property
    def strategies(self) -> Path:
        return self.root / "strategies.yaml"

    @property
    def spec(self) -> Path:
        return self.root / "spec.yaml"

    @property
    def dataset(self) -> Path:
        return self.root / "dataset.jsonl"

    @property
    def parquet(self) -> Path:
        return self.root / "dataset.parquet"

    @property
    def rejected(self) -> Path:
        return self.root / "rejected.jsonl"

    @property
    def judge_check(self) -> Path:
        return self.root / "judge_check.json"

    @property
    def card(self) -> Path:
        """The dataset card (docs/export.md): kept as it is once someone edits it."""
        return self.root / "README.md"

    @property
    def eval_report(self) -> Path:
        """Where `seedless eval RUN_DIR` writes its report by default, and where the card looks for one."""
        return self.root / "eval.json"

    @property
    def html_report(self) -> Path:
        """Where `seedless report RUN_DIR` writes its page by default."""
        return self.root / "report.html"

    @property
    def comparison(self) -> Path:
        """What `seedless compare --out DIR` writes (the Comparison as JSON); its page is `comparison_page`."""
        return self.root / "compare.json"

    @property
    def comparison_page(self) -> Path:
        return self.root / "compare.html"

    @property
    def manifest(self) -> Path:
        return self.root / MANIFEST

    @property
    def lock(self) -> Path:
        return self.root / LOCK

    def create(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def foreign_files(self, spec_file: Path | None = None) -> list[str]:
        """What the directory holds when seedless never used it (neither the store nor the lock file is there);
        the spec file given to the command does not count, nor a taxonomy.yaml or strategies.yaml put there to
        start from (read as the user's edited files)."""
        if not self.root.is_dir() or self.db.exists() or self.lock.exists():
            return []
        spec = spec_file.resolve() if spec_file is not None else None
        inputs = {self.taxonomy.name, self.strategies.name}
        return sorted(p.name for p in self.root.iterdir()
                      if p.name not in inputs and (spec is None or p.resolve() != spec))

    def claim(self, *, force: bool = False, spec_file: Path | None = None) -> None:
        """Check that `root` may hold a run, then create it with its lock file, which marks it as seedless's.
        Refused: a dangling symbolic link, a file, and (unless `force`) a directory holding files seedless did
        not write. Nothing else is written here."""
        root = self.root
        if root.is_symlink() and not root.exists():
            raise RunDirError(f"{root}: a symbolic link to {os.readlink(root)}, which does not exist; create that "
                              "directory or choose another --out")
        if root.exists() and not root.is_dir():
            raise RunDirError(f"{root}: not a directory; choose another --out")
        foreign = [] if force else self.foreign_files(spec_file)
        if foreign:
            shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
            raise RunDirError(f"{root}: not a seedless run directory and not empty ({shown}); seedless would "
                              "write dataset.jsonl, spec.yaml and more there. Choose a new or empty directory "
                              "for --out, or add --force (force=True in the Python API) to use this one anyway")
        try:
            root.mkdir(parents=True, exist_ok=True)
            self.lock.touch(exist_ok=True)
        except OSError as exc:
            raise RunDirError(f"{exc.filename or root}: cannot create the run directory: {exc.strerror}") from None

    def remove_stale_temps(self) -> list[str]:
        """Temporary files and folders left by killed writers (call it holding the lock: none is live then)."""
        removed = []
        for folder in (self.root, self.root / "export"):
            if not folder.is_dir():
                continue
            for entry in folder.iterdir():
                if not _STALE.match(entry.name):
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
                removed.append(str(entry.relative_to(self.root)))
        return removed

    @staticmethod
    def temp_for(path: Path) -> Path:
        return path.with_name(f".{path.name}.tmp-{os.getpid()}")

    @staticmethod
    @contextmanager
    def replacing(*targets: Path) -> Iterator[list[Path]]:
        """Temp paths beside `targets` to write into; when the block succeeds each replaces its target (in
        order), when it fails they are removed. A write error names the target. Every file seedless writes in
        place goes through here (write_atomic and write_lines_atomic are the one-file forms)."""
        temps = [RunDir.temp_for(t) for t in targets]
        try:
            yield temps
            for tmp, target in zip(temps, targets):
                os.replace(tmp, target)
        except OSError as exc:
            named = _naming_target(exc, temps, targets)
            if named is exc:
                raise
            raise named from exc
        finally:
            for tmp in temps:
                tmp.unlink(missing_ok=True)

    @staticmethod
    def write_atomic(path: Path, text: str) -> None:
        with RunDir.replacing(path) as (tmp,):
            tmp.write_text(text, encoding="utf-8")

    @staticmethod
    def write_lines_atomic(path: Path, lines: Iterable[str]) -> int:
        """The streaming form of write_atomic: one line at a time, never the whole text in memory; the count."""
        with RunDir.replacing(path) as (tmp,):
            return write_lines(tmp, lines)

    def write_manifest(self, staged: dict[Path, Path], **counts: int) -> None:
        """Record the dataset files about to be put in place (target -> its written temp): their sizes and
        sha256. Written before they replace the old ones, so a reader finding files that differ from it knows
        the set was being replaced (see `dataset_mismatch`)."""
        files = {target.name: file_digest(tmp) for target, tmp in staged.items()}
        RunDir.write_atomic(self.manifest, json.dumps({"files": files, **counts}, indent=1) + "\n")

    def dataset_mismatch(self) -> str | None:
        """None when the dataset files are the set the manifest describes, or there is no manifest (files not
        written by seedless); otherwise what is wrong and how to mend it."""
        if not self.manifest.is_file():
            return None
        mend = ("the dataset files come from two different writes (a command was stopped while replacing "
                "them, or one was changed by hand); run the same `seedless run` command to rewrite them from "
                "the store (nothing is generated again)")
        try:
            files = json.loads(self.manifest.read_text(encoding="utf-8"))["files"]
        except (OSError, ValueError, KeyError, TypeError):
            return f"{self.manifest}: not a dataset manifest; {mend}"
        for name, expected in files.items():
            path = self.root / name
            if not path.is_file():
                return f"{path}: missing, but listed in {self.manifest.name}; {mend}"
            if path.stat().st_size != expected.get("bytes") or file_digest(path) != expected:
                return f"{path}: does not match {self.manifest.name}; {mend}"
        return None


class RunLock:
    """An OS-level lock on a run directory's lock file: exclusive for a command that writes the directory,
    shared for one that only reads it (export). Never waits; the OS releases it when the process dies."""

    def __init__(self, fd: int | None, exclusive: bool):
        self._fd, self._exclusive = fd, exclusive

    @classmethod
    def exclusive(cls, run: RunDir, command: str) -> RunLock:
        """Hold `run` for this command, writing its PID into the lock file; RunDirError naming the holder."""
        fd = os.open(run.lock, os.O_RDWR | os.O_CREAT, 0o644)
        if not cls._take(fd, run, fcntl.LOCK_EX if fcntl else 0):
            return cls(None, True)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()} {command}\n".encode(), 0)
        except OSError as exc:
            os.close(fd)
            raise OSError(exc.errno, exc.strerror, str(run.lock)) from exc
        return cls(fd, True)

    @classmethod
    def shared(cls, run: RunDir) -> RunLock:
        """Read `run` while no command writes it; no lock (and no file created) where there is no lock file."""
        try:
            fd = os.open(run.lock, os.O_RDONLY)
        except OSError:
            return cls(None, False)
        if not cls._take(fd, run, fcntl.LOCK_SH if fcntl else 0):
            return cls(None, False)
        return cls(fd, False)

    @classmethod
    def probe(cls, run: RunDir) -> None:
        """RunDirError naming the holder if a command holds `run` now: a check before a command starts (its
        Session takes the lock itself)."""
        try:
            fd = os.open(run.lock, os.O_RDONLY)
        except OSError:
            return
        if cls._take(fd, run, fcntl.LOCK_EX if fcntl else 0):
            os.close(fd)

    @staticmethod
    def _take(fd: int, run: RunDir, mode: int) -> bool:
        if fcntl is None:
            os.close(fd)
            return False
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(os.pread(fd, 200, 0).decode(errors="replace"))
            os.close(fd)
            raise RunDirError(f"{run.root}: in use by {holder}; wait for it to finish (or stop it), then run "
                              "this command again") from None
        return True

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            if self._exclusive:
                os.ftruncate(self._fd, 0)  # no PID left behind: an idle directory names no holder
        except OSError:
            pass
        finally:
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = None


def _naming_target(exc: OSError, temps: list[Path], targets: tuple[Path, ...]) -> OSError:
    """The same error naming the target file rather than its temp (or nothing, as a failed write says)."""
    pairs = list(zip(temps, targets))
    if exc.filename is None:  # a write into an open temp: the last one started (they are written in order)
        target = next((t for tmp, t in reversed(pairs) if tmp.exists()), targets[0])
    else:
        target = next((t for tmp, t in pairs if str(tmp) == str(exc.filename)), None)
        if target is None:
            return exc
    return OSError(exc.errno, exc.strerror, str(target))


def _holder(text: str) -> str:
    """Who the lock file names, while that process lives; a reader (export) writes no name."""
    parts = text.split()
    if parts and parts[0].isdigit():
        pid = int(parts[0])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return "another seedless command"
        except PermissionError:
            pass  # alive, another user's
        return f"`seedless {' '.join(parts[1:2])}` (pid {pid})"
    return "another seedless command"
