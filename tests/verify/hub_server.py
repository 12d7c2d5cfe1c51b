"""A minimal dataset Hub on 127.0.0.1: repo info, tree, paths-info and ranged file reads.

It answers what huggingface_hub's HfFileSystem (and `datasets` streaming) ask for a
dataset repo, with the headers they need (X-Repo-Commit, ETag, Content-Range, and
X-Error-Code on a 404), and counts the bytes of each file it serves.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

SHA = "0123456789abcdef0123456789abcdef01234567"


class DatasetHub:
    def __init__(self, repo: str, folder: Path, card: dict[str, Any] | None = None) -> None:
        self.repo, self.folder, self.card = repo, folder, card or {}
        self.files = {
            p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()
        }
        self.served: Counter[str] = Counter()
        self.requests: list[str] = []
        self.gated = False
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                hub.handle(self, body=True)

            def do_HEAD(self) -> None:  # noqa: N802
                hub.handle(self, body=False)

            def do_POST(self) -> None:  # noqa: N802
                hub.handle(self, body=True)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> DatasetHub:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _entry(self, path: str) -> dict[str, Any]:
        data = self.files[path].read_bytes()
        return {
            "type": "file",
            "path": path,
            "size": len(data),
            "oid": hashlib.sha1(data).hexdigest(),
        }

    def _info(self) -> dict[str, Any]:
        return {
            "id": self.repo,
            "sha": SHA,
            "private": False,
            "gated": False,
            "siblings": [{"rfilename": p} for p in self.files],
            "cardData": self.card,
        }

    def handle(self, h: BaseHTTPRequestHandler, *, body: bool) -> None:
        url = urlsplit(h.path)
        path = unquote(url.path)
        self.requests.append(f"{h.command} {path}")
        if self.gated and path.startswith(("/api/datasets/", "/datasets/")):
            return self._send(
                h, 401, b"{}", {"X-Error-Code": "GatedRepo", "X-Error-Message": "gated"}, body
            )
        api = f"/api/datasets/{self.repo}"
        if path in (api, f"{api}/revision/main", f"{api}/revision/{SHA}"):
            return self._json(h, self._info(), body)
        if path.startswith(f"{api}/paths-info/"):
            length = int(h.headers.get("Content-Length") or 0)
            form = parse_qs(h.rfile.read(length).decode()) if length else {}
            wanted = form.get("paths", [])
            return self._json(h, [self._entry(p) for p in wanted if p in self.files], body)
        tree = re.match(rf"^{re.escape(api)}/tree/[^/]+/?(.*)$", path)
        if tree:
            prefix = tree.group(1).strip("/")
            entries = self._tree(prefix)
            return self._json(h, entries, body)
        resolve = re.match(rf"^/datasets/{re.escape(self.repo)}/resolve/[^/]+/(.+)$", path)
        if resolve and resolve.group(1) in self.files:
            return self._file(h, resolve.group(1), body)
        self._send(h, 404, b"{}", {"X-Error-Code": "EntryNotFound"}, body)

    def _tree(self, prefix: str) -> list[dict[str, Any]]:
        entries: dict[str, dict[str, Any]] = {}
        for path in self.files:
            if prefix and not path.startswith(prefix + "/"):
                continue
            rest = path[len(prefix) + 1 :] if prefix else path
            head = rest.split("/", 1)[0]
            full = f"{prefix}/{head}" if prefix else head
            if "/" in rest:
                entries[full] = {"type": "directory", "path": full, "oid": "0" * 40, "size": 0}
            else:
                entries[full] = self._entry(full)
        return list(entries.values())

    def _file(self, h: BaseHTTPRequestHandler, name: str, body: bool) -> None:
        data = self.files[name].read_bytes()
        headers = {
            "X-Repo-Commit": SHA,
            "ETag": f'"{hashlib.sha1(data).hexdigest()}"',
            "Accept-Ranges": "bytes",
        }
        ranged = re.match(r"bytes=(\d+)-(\d*)", h.headers.get("Range", ""))
        status = 200
        if ranged:
            start = int(ranged.group(1))
            end = min(int(ranged.group(2)) if ranged.group(2) else len(data) - 1, len(data) - 1)
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            data, status = data[start : end + 1], 206
        if body:
            self.served[name] += len(data)
        self._send(h, status, data, headers, body, "application/octet-stream")

    def _json(self, h: BaseHTTPRequestHandler, data: Any, body: bool) -> None:
        self._send(h, 200, json.dumps(data).encode(), {}, body)

    def _send(
        self, h: BaseHTTPRequestHandler, status: int, data: bytes, headers: dict[str, str],
        body: bool, content_type: str = "application/json",
    ) -> None:  # fmt: skip
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            h.send_header(key, value)
        h.end_headers()
        if body:
            h.wfile.write(data)
