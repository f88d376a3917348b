"""A web server on 127.0.0.1 that serves fixture pages from memory and counts every hit."""

from __future__ import annotations

import json
import mimetypes
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class Page:
    body: bytes
    content_type: str
    status: int = 200


class FixtureServer:
    """Pages keyed by path; ``{base}`` in a page becomes this server's http://127.0.0.1:PORT."""

    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FixtureServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8",
            status: int = 200) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        data = data.replace(b"{base}", self.base.encode())
        with self._lock:
            self.pages[path] = Page(data, content_type, status)

    def remove(self, path: str) -> None:
        with self._lock:
            self.pages.pop(path, None)

    def load_dir(self, folder: Path) -> None:
        """Serve every file of a fixture folder; ``_headers.json`` maps paths to Content-Types."""
        headers = {}
        if (folder / "_headers.json").exists():
            headers = json.loads((folder / "_headers.json").read_text("utf-8"))
        for file in sorted(folder.rglob("*")):
            if not file.is_file() or file.name.startswith("_") or file.suffix in (".toml", ".json"):
                continue
            path = "/" + file.relative_to(folder).as_posix()
            ctype = headers.get(path) or mimetypes.guess_type(file.name)[0] or "text/html"
            self.add(path, file.read_bytes(), ctype)

    def article_hits(self, marker: str) -> int:
        return sum(n for path, n in self.hits.items() if marker in path)

    def reset_hits(self) -> None:
        with self._lock:
            self.hits.clear()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # http.server's naming
                path = urlsplit(self.path).path
                with server._lock:
                    server.hits[path] += 1
                    # A page added with its query (show.asp?id=7) is served for that query only.
                    page = server.pages.get(self.path) or server.pages.get(path)
                    if page is None and path.endswith("/"):
                        page = server.pages.get(path + "index.html")
                if page is None:
                    self.send_response(404)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", "9")
                    self.end_headers()
                    self.wfile.write(b"not found")
                    return
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                self.wfile.write(page.body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler
