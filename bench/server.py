"""A generated zone news site served from memory on 127.0.0.1, fast enough to never be the bottleneck.

Run as its own process (``python -m bench.server --articles 5000``): it prints its
base URL on the first line of stdout, then serves until its stdin closes. Pages
are rendered once, up front, into complete HTTP/1.1 responses; the event loop
only parses request lines and writes bytes, over keep-alive connections.
``GET /__hits`` answers how many pages were served, by kind; ``GET /__reset`` answers
the same and sets the counters back to zero.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import socket
import sys
from collections import Counter
from collections.abc import Awaitable, Callable

from tests.gdsite import GdColumn

ARTICLE_PATTERN = r"/content/m?post_\d+\.html$"
START_PATH = "/gxxw/gxdt/index.html"
_ARTICLE = re.compile(ARTICLE_PATTERN)


class _Pages:
    """What GdColumn renders into, in place of the fixture server: paths → full responses."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.responses: dict[str, bytes] = {}

    def add(self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8",
            status: int = 200) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.responses[path] = _response(status, data.replace(b"{base}", self.base.encode()),
                                         content_type)

    def url(self, path: str) -> str:
        return self.base + path


def _response(status: int, body: bytes, content_type: str) -> bytes:
    reason = {200: "OK", 404: "Not Found"}.get(status, "OK")
    head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n")
    return head.encode("latin-1") + body


NOT_FOUND = _response(404, b"not found", "text/plain")


def build_site(base: str, articles: int, per_page: int = 12, seed: int = 7) -> dict[str, bytes]:
    pages = _Pages(base)
    column = GdColumn(pages, per_page=per_page, seed=seed)  # type: ignore[arg-type]
    column.publish(articles)
    return pages.responses


def _kind(path: str) -> str:
    if _ARTICLE.search(path):
        return "article"
    if "/index" in path:
        return "list"
    return "other"


class SiteServer:
    def __init__(self, responses: dict[str, bytes]) -> None:
        self.responses = responses
        self.hits: Counter[str] = Counter()

    def answer(self, path: str) -> bytes:
        if path == "/__hits":
            return _response(200, json.dumps(dict(self.hits)).encode(), "application/json")
        if path == "/__reset":
            answer = _response(200, json.dumps(dict(self.hits)).encode(), "application/json")
            self.hits.clear()
            return answer
        self.hits[_kind(path)] += 1
        return self.responses.get(path, NOT_FOUND)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
                parts = request_line.split()
                path = parts[1].split("?", 1)[0] if len(parts) >= 2 else "/"
                if "://" in path:
                    path = "/" + path.split("://", 1)[1].partition("/")[2]
                writer.write(self.answer(path))
                if b"connection: close" in head.lower():
                    break
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()


async def serve(sock: socket.socket, server: SiteServer,
                until: Callable[[], Awaitable[None]]) -> None:
    async with await asyncio.start_server(server.handle, sock=sock, backlog=1024):
        await until()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.server")
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--per-page", type=int, default=12)
    args = parser.parse_args(argv)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)   # before the address is announced: no client may find the door shut
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = SiteServer(build_site(base, args.articles, args.per_page))
    print(base, flush=True)

    async def stdin_closed() -> None:
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

    asyncio.run(serve(sock, server, stdin_closed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
