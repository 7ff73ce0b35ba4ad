"""A local HTTP(S) server with per-test routes, for exercising the fetcher."""

from __future__ import annotations

import contextlib
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Received:
    """One request the server saw."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class LocalServer:
    """Serve registered routes on 127.0.0.1 at a random port, in a background thread."""

    ssl_context: ssl.SSLContext | None = None
    routes: dict[str, Handler] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)

    def start(self) -> LocalServer:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Dispatch)
        self._httpd.daemon_threads = True
        self._httpd.owner = self  # type: ignore[attr-defined]
        if self.ssl_context is not None:
            self._httpd.socket = self.ssl_context.wrap_socket(self._httpd.socket, server_side=True)
        # A short poll interval keeps shutdown, and so each test's teardown, quick.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def url(self, path: str = "/", *, host: str = "127.0.0.1") -> str:
        scheme = "http" if self.ssl_context is None else "https"
        return f"{scheme}://{host}:{self.port}{path}"

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def paths(self) -> list[str]:
        return [request.path for request in self.received]


class _Dispatch(BaseHTTPRequestHandler):
    # HTTP/1.0 closes after each response, so every hop of a fetch opens a new connection.
    protocol_version = "HTTP/1.0"

    def handle_one(self) -> None:
        owner: LocalServer = self.server.owner  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        owner.received.append(
            Received(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        )
        handler = owner.routes.get(self.path.split("?")[0])
        if handler is None:
            reply(self, status=404, body=b"no such route")
            return
        # The fetcher hangs up on purpose (deadline, size cap): nothing to report then.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            handler(self)

    do_GET = do_POST = do_HEAD = handle_one

    def log_message(self, format: str, *args: object) -> None:
        pass


def reply(
    request: BaseHTTPRequestHandler,
    *,
    status: int = 200,
    body: bytes = b"",
    content_type: str | None = "text/html; charset=utf-8",
    headers: Iterable[tuple[str, str]] = (),
    content_length: bool = True,
) -> None:
    """Send a complete response."""
    request.send_response(status)
    if content_type is not None:
        request.send_header("Content-Type", content_type)
    if content_length:
        request.send_header("Content-Length", str(len(body)))
    for name, value in headers:
        request.send_header(name, value)
    request.end_headers()
    if request.command != "HEAD":
        request.wfile.write(body)


def page(body: bytes, **kwargs: object) -> Handler:
    """Return a handler that always sends ``body``."""
    return lambda request: reply(request, body=body, **kwargs)  # type: ignore[arg-type]


def redirect(location: str, status: int = 302) -> Handler:
    """Return a handler that redirects to ``location``."""
    return lambda request: reply(request, status=status, headers=[("Location", location)])


def stall(headers: Iterable[tuple[str, str]], *, seconds: float = 5.0) -> Handler:
    """Return a handler that sends headers, then waits without sending a body."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        for name, value in headers:
            request.send_header(name, value)
        request.end_headers()
        request.wfile.flush()
        time.sleep(seconds)

    return handler


def drip(*, interval: float, count: int) -> Handler:
    """Return a handler that sends one body byte every ``interval`` seconds."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "text/plain")
        request.end_headers()
        for _ in range(count):
            request.wfile.write(b"x")
            request.wfile.flush()
            time.sleep(interval)

    return handler
