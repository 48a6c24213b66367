"""`export --format hf --push-to-hub REPO`: the export's card and rows (one Parquet file) uploaded to a Hugging Face
dataset repository with `huggingface_hub` (the `hf` extra), the token its usual way (HF_TOKEN, else the saved login),
never written anywhere; each refusal of the Hub said with what to do."""

from __future__ import annotations

import importlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from seedless.engine.outputs.card import DATA_FILE
from seedless.engine.outputs.dataset_reader import ExportError
from seedless.engine.outputs.hf import HF_INSTALL
from seedless.engine.outputs.hf_dataset import CARD, hub_parquet
from seedless.spec.secrets import Redactor

TOKENS = "https://huggingface.co/settings/tokens"


def _import_hub() -> tuple[ModuleType, ModuleType]:
    """huggingface_hub (the `hf` extra: datasets depends on it) and its utils (errors, validators, progress bars)."""
    try:
        return importlib.import_module("huggingface_hub"), importlib.import_module("huggingface_hub.utils")
    except ImportError:
        raise ExportError(f"--push-to-hub needs the huggingface_hub package: {HF_INSTALL}") from None


@contextmanager
def _quiet(utils: ModuleType) -> Iterator[None]:
    """No progress bars from huggingface_hub while uploading: library code never prints."""
    was_disabled = utils.are_progress_bars_disabled()
    utils.disable_progress_bars()
    try:
        yield
    finally:
        if not was_disabled:
            utils.enable_progress_bars()


def check_repo(repo: str) -> None:
    """A repository id the Hub accepts, `name` or `namespace/name`; otherwise an ExportError naming it (before
    anything is exported)."""
    _, utils = _import_hub()
    try:
        utils.validate_repo_id(repo)
    except utils.HFValidationError as exc:
        raise ExportError(f"--push-to-hub {repo!r}: not a Hugging Face repository id ({exc}); write it as "
                          "NAMESPACE/NAME, e.g. my-user/arithmetic-word-problems") from None


def _refusal(exc: Any, repo: str, redact: Redactor) -> str:
    """What the Hub's refusal means for the user, by status."""
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    said = redact(" ".join(str(exc).split()))[:300]
    if status == 401:
        return (f"the Hugging Face Hub refused the token (401): set HF_TOKEN to a valid token with write access "
                f"({TOKENS}), or log in with `hf auth login` ({said})")
    if status == 403:
        return (f"the token may not write to {repo} (403): use a token with write access to its namespace "
                f"({TOKENS}), or push to a repository of your own ({said})")
    if status == 404:
        return (f"{repo} was not found on the Hub (404): check the namespace (your user or an organisation you belong "
                f"to) ({said})")
    return f"the push to {repo} failed" + (f" (HTTP {status})" if status else "") + f": {said}"


def push_folder(datasets: Any, folder: Path, repo: str, *, private: bool = False) -> str:
    """Upload the hf export at `folder`, its README.md as it is and its rows as dataset.parquet, to the dataset
    repository `repo`, created unless it exists (private when asked, else as its namespace's default; an existing
    one keeps its visibility); the repository's URL. The token is huggingface_hub's own (HF_TOKEN, else the saved
    login); none is an ExportError before anything is sent."""
    hub, utils = _import_hub()
    check_repo(repo)
    token = hub.get_token()
    if not token:
        raise ExportError(f"--push-to-hub needs a Hugging Face token: set HF_TOKEN to a token with write access "
                          f"({TOKENS}), or log in with `hf auth login`")
    redact = Redactor([token])
    # a killed push's staging folder is removed by the next command holding the run's lock (remove_stale_temps)
    with tempfile.TemporaryDirectory(dir=folder.parent, prefix=f".{folder.name}.hub.tmp-") as work:
        staged = Path(work)
        shutil.copyfile(folder / CARD, staged / CARD)
        hub_parquet(datasets, folder, staged / DATA_FILE)
        api = hub.HfApi(token=token)
        try:
            with _quiet(utils):
                url = api.create_repo(repo, repo_type="dataset", private=True if private else None,  # None: the
                                      exist_ok=True)  # namespace's default visibility
                api.upload_folder(repo_id=repo, repo_type="dataset", folder_path=str(staged),
                                  commit_message="Upload the dataset and its card (seedless export)")
        except utils.HfHubHTTPError as exc:
            raise ExportError(_refusal(exc, repo, redact)) from None
        except Exception as exc:  # the Hub unreachable, a proxy, a reply huggingface_hub cannot read
            raise ExportError(f"the push to {repo} at {api.endpoint} failed: {type(exc).__name__}: "
                              f"{redact(' '.join(str(exc).split()))[:300]}") from None
    return str(url)

