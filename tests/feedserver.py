"""A local HTTP server that plays every kind of feed host the fetcher meets: well-behaved ones
with validators, slow, endless and oversized ones, rate limiters, redirect chains and loops.

Routes are registered per test; every request is recorded so tests can assert what the
fetcher sent (User-Agent, If-None-Match, ...).
"""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str = ""
    last_modified: str = ""
    delay: float = 0.0  # seconds before the headers
    drip: float = 0.0  # seconds between 1-byte chunks of the body
    endless: bool = False  # stream forever (until the client gives up)
    gzip: bool = False
    location: str = ""  # for 3xx
    declare_length: bool = True


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up mid-body is what several tests do on purpose."""


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:  # noqa: N802 (stdlib name)
                server.requests.append(
                    Seen(self.path, {k.lower(): v for k, v in self.headers.items()})
                )
                route = server.routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    server._serve(self, route)

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    # ---------------------------------------------------------------------------------------
    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes | str | Path = b"", **options: Any) -> str:
        if isinstance(body, Path):
            body = body.read_bytes()
        elif isinstance(body, str):
            body = body.encode("utf-8")
        self.routes[path] = Route(body=body, **options)
        return self.url(path)

    def requests_to(self, path: str) -> list[Seen]:
        return [seen for seen in self.requests if seen.path == path]

    def start(self) -> FeedServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # ---------------------------------------------------------------------------------------
    @staticmethod
    def _serve(handler: BaseHTTPRequestHandler, route: Route) -> None:
        if route.delay:
            time.sleep(route.delay)
        inm = handler.headers.get("If-None-Match")
        ims = handler.headers.get("If-Modified-Since")
        if route.status == 200 and (
            (route.etag and inm == route.etag)
            or (route.last_modified and not route.etag and ims == route.last_modified)
        ):
            handler.send_response(304)
            if route.etag:
                handler.send_header("ETag", route.etag)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.send_response(route.status)
        body = route.body
        if route.gzip:
            body = gzip.compress(body)
            handler.send_header("Content-Encoding", "gzip")
        if route.location:
            handler.send_header("Location", route.location)
        if route.content_type:
            handler.send_header("Content-Type", route.content_type)
        if route.etag:
            handler.send_header("ETag", route.etag)
        if route.last_modified:
            handler.send_header("Last-Modified", route.last_modified)
        for name, value in route.headers.items():
            handler.send_header(name, value)
        if route.endless:
            handler.send_header("Connection", "close")
            handler.end_headers()
            chunk = b"<item><title>again</title></item>" * 1000
            while True:
                handler.wfile.write(chunk)
                if route.drip:
                    time.sleep(route.drip)
        if route.drip:
            handler.send_header("Connection", "close")
            handler.end_headers()
            for i in range(len(body)):
                handler.wfile.write(body[i : i + 1])
                handler.wfile.flush()
                time.sleep(route.drip)
            return
        if route.declare_length:
            handler.send_header("Content-Length", str(len(body)))
        else:
            handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(body)
