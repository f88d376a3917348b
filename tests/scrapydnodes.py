"""Real Scrapyd daemons on 127.0.0.1 for the tests and the benchmark, set up as a worker is.

Each node has its own folder holding the ``scrapy.cfg`` a worker keeps in the
folder it starts ``scrapyd`` from: Scrapyd reads its ``[scrapyd]`` section,
and both Scrapyd and Scrapy read ``[settings] zonenews = scrapers.settings``,
which names the project installed in the node's environment (here: this
checkout, on PYTHONPATH). The database URL and the site folders reach the
crawls through the node's environment, never through a job's arguments.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

NODE_CONFIG = """\
[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
username = {username}
password = {password}
max_proc = {max_proc}
poll_interval = {poll}
logs_dir = logs
eggs_dir = eggs
dbs_dir = dbs

[settings]
zonenews = scrapers.settings
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Node:
    """One ``scrapyd`` process in its own folder and session, so that a kill takes its crawls too."""

    def __init__(self, folder: Path, db_url: str, sites: Path, *, username: str = "",
                 password: str = "", max_proc: int = 4, poll: float = 0.2) -> None:
        self.folder = folder
        self.port = free_port()
        self.username = username
        self.password = password
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "scrapy.cfg").write_text(NODE_CONFIG.format(
            port=self.port, username=username, password=password, max_proc=max_proc,
            poll=poll), "utf-8")
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("ZONENEWS_DB", "ZONENEWS_SITES", "ZONENEWS_SCRAPYD")}
        self.env.update({"ZONENEWS_DB": db_url, "ZONENEWS_SITES": str(sites),
                         "PYTHONPATH": os.pathsep.join(
                             p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)})
        self.log = folder / "scrapyd.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The address without credentials: what the run table holds."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        """The address the dispatcher is given, with the credentials when there are any."""
        if not self.username:
            return self.url
        return f"http://{self.username}:{self.password}@127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> Node:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=self.folder,
                                         env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"scrapyd ended at start:\n{self.log.read_text('utf-8')}")
            with contextlib.suppress(OSError):
                self.api("daemonstatus.json")
                return self
            time.sleep(0.1)
        raise RuntimeError(f"scrapyd did not answer within {timeout:g}s")

    def api(self, endpoint: str) -> dict[str, object]:
        request = urllib.request.Request(f"{self.url}/{endpoint}")
        if self.username:
            import base64

            token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        with urllib.request.urlopen(request, timeout=5) as response:
            answer: dict[str, object] = json.loads(response.read())
            return answer

    def jobs(self) -> dict[str, list[str]]:
        """Job ids per state, of the zonenews project."""
        answer = self.api("listjobs.json?project=zonenews")
        return {state: [str(j["id"]) for j in answer.get(state, [])]  # type: ignore[attr-defined]
                for state in ("pending", "running", "finished")}

    def kill(self) -> None:
        """The machine dies: the daemon and every crawl it started, at once."""
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def logs(self) -> str:
        """Everything the node wrote: its own log and each job's."""
        files = [self.log, *sorted((self.folder / "logs").rglob("*.log"))]
        return "\n".join(f.read_text("utf-8", errors="replace") for f in files if f.exists())


@contextlib.contextmanager
def nodes(folder: Path, db_url: str, sites: Path, count: int = 2,
          **options: object) -> Iterator[list[Node]]:
    """``count`` running nodes, stopped (with their crawls) on the way out."""
    started: list[Node] = []
    try:
        for i in range(count):
            started.append(Node(folder / f"node{i + 1}", db_url, sites,
                                **options).start())  # type: ignore[arg-type]
        yield started
    finally:
        for node in started:
            node.stop()
