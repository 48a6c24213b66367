"""A local stand-in for the Hugging Face Hub's upload endpoints (HF_ENDPOINT), recording what it receives.

It answers what huggingface_hub's `create_repo` and `upload_folder` call (read from its hf_api.py, _commit_api.py and
lfs.py): POST /api/repos/create, POST /api/validate-yaml, POST /api/{type}s/{repo}/preupload/{rev} (binary files
`lfs`, text `regular`), POST /{type}s/{repo}.git/info/lfs/objects/batch, PUT of the LFS object, POST
/api/{type}s/{repo}/commit/{rev} (NDJSON), GET /api/{type}s/{repo}[/revision/{rev}], GET /api/agent-harnesses. The Xet protocol is not spoken:
a client pushing here sets HF_HUB_DISABLE_XET=1, so large files take the LFS path. Any other request is answered 404
and kept in `unknown`. `fail={"create": 401}` (or "preupload", "commit") answers that call with that status."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_REPO = r"(?P<type>models|datasets|spaces)/(?P<repo>[^/]+/[^/]+)"
ROUTES = [
    ("POST", re.compile(r"^/api/repos/create$"), "create"),
    ("POST", re.compile(r"^/api/validate-yaml$"), "validate"),
    ("POST", re.compile(rf"^/api/{_REPO}/preupload/(?P<rev>[^/?]+)$"), "preupload"),
    ("POST", re.compile(rf"^/{_REPO}\.git/info/lfs/objects/batch$"), "lfs_batch"),
    ("PUT", re.compile(r"^/lfs-upload/(?P<oid>[0-9a-f]{64})$"), "lfs_put"),
    ("POST", re.compile(rf"^/api/{_REPO}/commit/(?P<rev>[^/?]+)$"), "commit"),
    ("GET", re.compile(rf"^/api/{_REPO}(/revision/(?P<rev>[^/?]+))?$"), "info"),
    ("GET", re.compile(r"^/api/agent-harnesses$"), "harnesses"),  # huggingface_hub 2.x names the calling agent
]
_MESSAGES = {401: "Invalid credentials in Authorization header", 403: "You don't have the rights to create a dataset "
             "under the namespace", 404: "Repository Not Found"}


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class HubStub:
    fail: dict[str, int] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)
    repos: dict[str, dict[str, Any]] = field(default_factory=dict)  # "ns/name" -> the create payload
    files: dict[str, dict[str, bytes]] = field(default_factory=dict)  # repo -> path -> committed bytes
    lfs: dict[str, bytes] = field(default_factory=dict)  # sha256 -> uploaded bytes
    unknown: list[str] = field(default_factory=list)

    def __enter__(self) -> HubStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    out = b""
                    while (size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)) > 0:
                        out += self.rfile.read(size)
                        self.rfile.readline()
                    self.rfile.readline()
                    return out
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _handle(self) -> None:
                body = self._body()
                path = self.path.split("?", 1)[0]
                stub.requests.append(Seen(self.command, self.path, dict(self.headers), body))
                for method, pattern, name in ROUTES:
                    match = pattern.match(path)
                    if method == self.command and match:
                        status, reply = stub.answer(name, match.groupdict(), body, self.headers)
                        return self._send(status, reply)
                stub.unknown.append(f"{self.command} {self.path}")
                self._send(404, {"error": f"the stub has no {self.command} {path}"})

            def _send(self, status: int, reply: Any) -> None:
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if status == 404:
                    self.send_header("X-Error-Code", "RepoNotFound")
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, name: str, at: dict[str, str], body: bytes, headers: Any) -> tuple[int, Any]:
        if name in self.fail:
            status = self.fail[name]
            return status, {"error": _MESSAGES.get(status, "refused")}
        payload = json.loads(body) if body and name not in ("commit", "lfs_put") else {}
        if name == "create":
            repo = f"{payload.get('organization') or 'me'}/{payload['name']}"
            if repo in self.repos:
                return 409, {"error": "You already created this dataset repo", "url": self._repo_url(repo)}
            self.repos[repo] = payload
            self.files[repo] = {}
            return 200, {"url": self._repo_url(repo), "name": repo}
        if name == "harnesses":
            return 200, {"standardEnvVars": [], "harnesses": {}}
        if name == "validate":
            return 200, {"errors": [], "warnings": []}
        if name in ("preupload", "commit", "lfs_batch", "info") and at["repo"] not in self.repos:
            return 404, {"error": _MESSAGES[404]}
        if name == "preupload":
            return 200, {"files": [{"path": f["path"], "uploadMode": _mode(f["path"]), "shouldIgnore": False,
                                    "oid": None} for f in payload["files"]]}
        if name == "lfs_batch":
            return 200, {"transfer": "basic", "objects": [
                {"oid": o["oid"], "size": o["size"],
                 "actions": {"upload": {"href": f"{self.url}/lfs-upload/{o['oid']}"}}} for o in payload["objects"]]}
        if name == "lfs_put":
            if hashlib.sha256(body).hexdigest() != at["oid"]:
                return 400, {"error": "the uploaded bytes do not match the oid"}
            self.lfs[at["oid"]] = body
            return 200, {}
        if name == "commit":
            return self._commit(at["repo"], body)
        return 200, {"id": at["repo"], "sha": "0" * 40, "private": bool(self.repos[at["repo"]].get("private"))}

    def _commit(self, repo: str, body: bytes) -> tuple[int, Any]:
        for line in body.decode().splitlines():
            item = json.loads(line)
            value = item["value"]
            if item["key"] == "file":
                self.files[repo][value["path"]] = base64.b64decode(value["content"])
            elif item["key"] == "lfsFile":
                if value["oid"] not in self.lfs:
                    return 400, {"error": f"LFS object {value['oid']} was never uploaded"}
                self.files[repo][value["path"]] = self.lfs[value["oid"]]
        return 200, {"commitUrl": f"{self._repo_url(repo)}/commit/{'1' * 40}", "commitOid": "1" * 40,
                     "success": True}

    def _repo_url(self, repo: str) -> str:
        return f"{self.url}/datasets/{repo}"

    def private(self, repo: str) -> bool:
        """Whether the create call asked for a private repository (either form huggingface_hub sends)."""
        payload = self.repos[repo]
        return payload.get("visibility") == "private" or payload.get("private") is True


def _mode(path: str) -> str:
    """As the Hub decides: binary data files go to LFS storage, text files into git."""
    return "lfs" if path.endswith((".parquet", ".arrow")) else "regular"
