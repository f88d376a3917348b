"""A web server on 127.0.0.1 that misbehaves on purpose: server errors, stalls, resets, truncated and
oversized bodies, compression bombs, redirect loops, and a trigger that kills the crawler when it
asks for a chosen page. Every answer a test wants is a ``Reply``; plain pages are served as by
FixtureServer (``add``), so the generated columns of ``tests.gdsite`` run on it unchanged.
"""

from __future__ import annotations

import gzip
import os
import signal
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

Reply = Callable[[BaseHTTPRequestHandler], None]
MiB = 1024 * 1024


def _send(h: BaseHTTPRequestHandler, status: int, body: bytes,
          content_type: str = "text/html; charset=utf-8",
          headers: dict[str, str] | None = None) -> None:
    h.send_response(status)
    h.send_header("Content-Type", content_type)
    h.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        h.send_header(name, value)
    h.end_headers()
    h.wfile.write(body)


def page(body: str | bytes, content_type: str = "text/html; charset=utf-8", status: int = 200,
         headers: dict[str, str] | None = None) -> Reply:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return lambda h: _send(h, status, data, content_type, headers)


def failing(status: int, times: int | None = None, then: Reply | None = None) -> Reply:
    """``status`` for the first ``times`` requests (every request when None), then ``then``."""
    count = Counter[str]()
    lock = threading.Lock()

    def reply(h: BaseHTTPRequestHandler) -> None:
        with lock:
            count["n"] += 1
            n = count["n"]
        if times is not None and n > times and then is not None:
            then(h)
        else:
            _send(h, status, f"<html><body>error {status}</body></html>".encode())
    return reply


def stalled(seconds: float = 30.0) -> Reply:
    """Accept the request and say nothing (until ``seconds`` pass or the server stops)."""
    def reply(h: BaseHTTPRequestHandler) -> None:
        h.server.stopping.wait(seconds)  # type: ignore[attr-defined]
        h.close_connection = True
    return reply


def slow(then: Reply, seconds: float) -> Reply:
    def reply(h: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        then(h)
    return reply


def reset() -> Reply:
    """Close the connection with a TCP reset before any answer."""
    def reply(h: BaseHTTPRequestHandler) -> None:
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()
        h.close_connection = True
    return reply


def truncated(body: bytes, promised: int | None = None) -> Reply:
    """A Content-Length that promises more than is sent before the connection closes."""
    def reply(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(promised or len(body) * 2))
        h.end_headers()
        h.wfile.write(body[: len(body) // 2])
        h.close_connection = True
    return reply


def redirect(location: str, status: int = 302) -> Reply:
    def reply(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Location", location.replace("{base}", h.server.base))  # type: ignore[attr-defined]
        h.send_header("Content-Length", "0")
        h.end_headers()
    return reply


def oversized(size: int, declared: bool = True) -> Reply:
    """A page of ``size`` bytes; with ``declared=False`` no Content-Length warns the client."""
    chunk = b"<p>" + b"x" * (MiB - 7) + b"</p>\n"

    def reply(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        if declared:
            h.send_header("Content-Length", str(size))
        h.end_headers()
        sent = 0
        try:
            while sent < size:
                part = chunk[: size - sent]
                h.wfile.write(part)
                sent += len(part)
        except OSError:
            pass  # the client hung up, as it should
        h.close_connection = True
    return reply


def gzip_bomb(size: int) -> Reply:
    """A small gzip body that inflates to ``size`` bytes."""
    body = gzip.compress(b"<html><body>" + b"\0" * size, compresslevel=9)
    return page(body, headers={"Content-Encoding": "gzip"})


class FaultServer:
    """Pages and replies keyed by path; ``{base}`` in a page becomes http://127.0.0.1:PORT.

    A fault set with ``route`` wins over the plain page ``add`` serves at the same path.
    ``delay`` slows every answer (a slow site); ``kill_on(paths, pid, when)`` sends SIGKILL to
    ``pid`` the first time one of ``paths`` is asked for — once ``when()`` holds, while the
    rest of the crawl goes on — and leaves that request unanswered.
    """

    def __init__(self, host: str = "127.0.0.1", delay: float = 0.0) -> None:
        self.pages: dict[str, Reply] = {}
        self.faults: dict[str, Reply] = {}
        self.kills: dict[str, tuple[int, Callable[[], bool] | None]] = {}
        self.hits: Counter[str] = Counter()
        self.delay = delay
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer((host, 0), self._handler())
        self.httpd.daemon_threads = True
        self.base = f"http://{host}:{self.httpd.server_address[1]}"
        self.netloc = self.base.removeprefix("http://")
        self.httpd.base = self.base  # type: ignore[attr-defined]
        self.httpd.stopping = threading.Event()  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FaultServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.stopping.set()  # type: ignore[attr-defined]
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8",
            status: int = 200) -> None:
        """Serve a plain page: FixtureServer's interface, so generated sites run here too."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self._lock:
            self.pages[path] = page(data.replace(b"{base}", self.base.encode()), content_type,
                                    status)

    def route(self, path: str, reply: Reply) -> None:
        with self._lock:
            self.faults[path] = reply

    def heal(self, path: str) -> None:
        """Serve the plain page at ``path`` again."""
        with self._lock:
            self.faults.pop(path, None)

    def kill_on(self, paths: Iterable[str], pid: int, when: Callable[[], bool] | None = None) -> None:
        with self._lock:
            self.kills.update(dict.fromkeys(paths, (pid, when)))

    def article_hits(self, marker: str) -> int:
        with self._lock:
            return sum(n for path, n in self.hits.items() if marker in path)

    def reset_hits(self) -> None:
        with self._lock:
            self.hits.clear()

    def _reply_for(self, path: str) -> tuple[Reply | None, tuple[int, Callable[[], bool] | None] | None]:
        with self._lock:
            self.hits[path] += 1
            kill = self.kills.pop(path, None)
            if kill is not None:
                self.kills = {p: other for p, other in self.kills.items() if other[0] != kill[0]}
            found = self.faults.get(path) or self.pages.get(path)
            if found is None and path.endswith("/"):
                found = self.pages.get(path + "index.html")
            return found, kill

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                reply, kill = server._reply_for(path)
                if kill is not None:
                    pid, when = kill
                    deadline = time.monotonic() + 30
                    while when is not None and not when() and time.monotonic() < deadline:
                        time.sleep(0.02)
                    os.kill(pid, signal.SIGKILL)
                    stalled(5.0)(self)
                    return
                if server.delay:
                    time.sleep(server.delay)
                if reply is None:
                    _send(self, 404, b"<html><body>not found</body></html>")
                    return
                try:
                    reply(self)
                except OSError:
                    self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        return Handler
