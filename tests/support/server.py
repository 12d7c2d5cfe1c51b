"""A local HTTP server on 127.0.0.1 that serves recorded responses and scripted faults.

Routes match on path and a subset of query parameters; each route holds replies
served in order (the last one repeats when `repeat` is set). A request that no
route answers gets a 404 naming the URL and is recorded, and a route never
requested is reported: tests call `assert_all_used()` (the fixture does).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/atom+xml; charset=utf-8"
    # Faults:
    hang: bool = False  # read the request, then never answer
    drop_after: int | None = None  # announce the full length, send this many bytes, close
    delay: float = 0.0  # seconds before answering

    @classmethod
    def file(cls, path: Path, **kwargs: object) -> Reply:
        return cls(body=path.read_bytes(), **kwargs)  # type: ignore[arg-type]

    @classmethod
    def json(cls, data: object, **kwargs: object) -> Reply:
        """A JSON body (the Hub's API answers)."""
        kwargs.setdefault("content_type", "application/json")
        return cls(body=json.dumps(data).encode(), **kwargs)  # type: ignore[arg-type]

    @classmethod
    def json_file(cls, path: Path, **kwargs: object) -> Reply:
        """A recorded JSON body, byte for byte."""
        kwargs.setdefault("content_type", "application/json")
        return cls(body=path.read_bytes(), **kwargs)  # type: ignore[arg-type]


# A Hub with no models: what a test that is not about the Hub gets when sync asks.
EMPTY_HUB_PATHS = ("/api/models", "/api/daily_papers")


@dataclass
class Route:
    path: str
    params: dict[str, str]
    replies: list[Reply]
    repeat: bool = False
    hits: int = 0

    def matches(self, path: str, params: dict[str, str]) -> bool:
        if path != self.path:
            return False
        return all(params.get(k) == v for k, v in self.params.items())


class FakeServer:
    """empty_hub: while no route is registered under a Hub listing path, requests to it
    get an empty JSON list and are kept in `empty_hub_requests` (not in `requests`), so
    tests of other sources see a Hub without models. Register a route to turn it off."""

    def __init__(self, empty_hub: bool = True) -> None:
        self.routes: list[Route] = []
        self.requests: list[str] = []
        self.request_times: list[float] = []  # time.monotonic() of each request
        self.user_agents: list[str] = []  # the User-Agent header of each request
        self.unmatched: list[str] = []
        self.empty_hub = empty_hub
        self.empty_hub_requests: list[str] = []
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                server._handle(self)

            do_HEAD = do_GET  # noqa: N815

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def add(
        self, path: str, *replies: Reply, params: dict[str, str] | None = None, repeat: bool = False
    ) -> Route:
        route = Route(path=path, params=dict(params or {}), replies=list(replies), repeat=repeat)
        with self.lock:
            self.routes.append(route)
        return route

    def unused_routes(self) -> list[Route]:
        return [r for r in self.routes if r.hits == 0]

    def assert_all_used(self) -> None:
        problems = []
        if self.unmatched:
            problems.append(f"requests with no fixture: {self.unmatched}")
        unused = self.unused_routes()
        if unused:
            problems.append(
                "fixtures never requested: " + ", ".join(f"{r.path} {r.params}" for r in unused)
            )
        assert not problems, "; ".join(problems)

    def _pick(self, path: str, params: dict[str, str]) -> Reply | None:
        with self.lock:
            for route in self.routes:
                if not route.matches(path, params):
                    continue
                if route.hits < len(route.replies):
                    reply = route.replies[route.hits]
                elif route.repeat and route.replies:
                    reply = route.replies[-1]
                else:
                    continue
                route.hits += 1
                return reply
        return None

    def _empty_hub(self, path: str) -> bool:
        with self.lock:
            return (
                self.empty_hub
                and path in EMPTY_HUB_PATHS
                and not any(r.path == path for r in self.routes)
            )

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if self._empty_hub(parts.path):
            with self.lock:
                self.empty_hub_requests.append(handler.path)
            self._send(handler, Reply.json([]))
            return
        with self.lock:
            self.requests.append(handler.path)
            self.request_times.append(time.monotonic())
            self.user_agents.append(handler.headers.get("User-Agent", ""))
        reply = self._pick(parts.path, params)
        if reply is None:
            with self.lock:
                self.unmatched.append(handler.path)
            body = f"no fixture for {handler.path}".encode()
            handler.send_response(404)
            handler.send_header("Content-Type", "text/plain")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            return
        if reply.delay:
            time.sleep(reply.delay)
        if reply.hang:
            self.stopping.wait(60)
            handler.close_connection = True
            return
        self._send(handler, reply)

    def _send(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        handler.send_response(reply.status)
        handler.send_header("Content-Type", reply.content_type)
        handler.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        if reply.drop_after is not None:
            handler.send_header("Connection", "close")
        handler.end_headers()
        if handler.command == "HEAD":
            return
        if reply.drop_after is not None:
            handler.wfile.write(reply.body[: reply.drop_after])
            handler.wfile.flush()
            handler.close_connection = True
            return
        handler.wfile.write(reply.body)
