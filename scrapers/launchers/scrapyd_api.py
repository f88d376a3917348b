"""One Scrapyd node seen through its JSON API: its load, and a job's schedule, state and cancel.

The standard library's urllib is enough for four small JSON calls, and keeps
the dispatcher free of a client library. A node's address may carry a user
and password (``http://user:secret@node1:6800``) for Scrapyd's basic
authentication; they are sent as a header and never shown: ``name`` is the
address without them, the one logs and the run table hold.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

# The states listjobs.json knows a job by; a job in none of them is unknown to the node.
JOB_STATES = ("pending", "running", "finished")
# A node's first schedule.json of a project runs `scrapy list` before it answers, blocking the
# daemon meanwhile: seconds on a busy machine.
SCHEDULE_TIMEOUT_SECONDS = 60.0


class NodeDown(Exception):
    """The node did not answer, or answered with something other than Scrapyd's JSON."""


class NodeRefused(Exception):
    """The node answered with an error (unknown project or spider, bad request)."""


class ScrapydNode:
    """The JSON API of the Scrapyd daemon at ``url``."""

    def __init__(self, url: str, timeout: float = 5.0) -> None:
        parts = urllib.parse.urlsplit(url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{url!r}: a Scrapyd node is an http(s) URL, e.g. http://node1:6800")
        host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        netloc = f"{host}:{parts.port}" if parts.port else host
        self.name = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))
        self.timeout = timeout
        self._headers: dict[str, str] = {}
        if parts.username is not None:
            user = urllib.parse.unquote(parts.username)
            password = urllib.parse.unquote(parts.password or "")
            token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
            self._headers["Authorization"] = f"Basic {token}"

    def __repr__(self) -> str:
        return f"ScrapydNode({self.name!r})"

    def _call(self, endpoint: str, params: Mapping[str, str],
              post: bool = False, timeout: float | None = None) -> dict[str, Any]:
        query = urllib.parse.urlencode(params)
        url = f"{self.name}/{endpoint}"
        if post:
            request = urllib.request.Request(url, data=query.encode("ascii"), method="POST",
                                             headers=self._headers)
        else:
            request = urllib.request.Request(f"{url}?{query}" if query else url,
                                             headers=self._headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                raise NodeRefused(f"{self.name}: {exc.code} {exc.reason} (check the user and "
                                  "password in the node's address)") from None
            raise NodeDown(f"{self.name}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise NodeDown(f"{self.name}: {reason}") from None
        if not isinstance(answer, dict):
            raise NodeDown(f"{self.name}: {endpoint} answered {answer!r}")
        if answer.get("status") != "ok":
            raise NodeRefused(f"{self.name}: {endpoint}: {answer.get('message', answer)}")
        return answer

    def load(self) -> int:
        """Jobs running or waiting on the node (daemonstatus.json), whatever their project."""
        answer = self._call("daemonstatus.json", {})
        return int(answer.get("running", 0)) + int(answer.get("pending", 0))

    def schedule(self, project: str, spider: str, job_id: str, args: Mapping[str, str]) -> None:
        """Queue a crawl under our own job id, so that the run knows it before the node answers."""
        self._call("schedule.json", {"project": project, "spider": spider, "jobid": job_id, **args},
                   post=True, timeout=SCHEDULE_TIMEOUT_SECONDS)

    def job_state(self, project: str, job_id: str) -> str | None:
        """``pending``, ``running`` or ``finished``; None when the node does not know the job
        (it was restarted: its queue and its finished list live in its memory)."""
        answer = self._call("listjobs.json", {"project": project})
        for state in JOB_STATES:
            if any(job.get("id") == job_id for job in answer.get(state, [])):
                return state
        return None

    def cancel(self, project: str, job_id: str, signal: str = "INT") -> None:
        """Take a pending job off the queue or send a running one ``signal``.

        Scrapy closes cleanly on the first INT or TERM and at once on the second,
        so a crawl deaf to the first is sent ``KILL``.
        """
        self._call("cancel.json", {"project": project, "job": job_id, "signal": signal},
                   post=True)
