"""A run's final record kept on local disk when the database is away as its crawl ends.

A crawl that cannot write its final row would otherwise leave the run ``running``, and the
next start would mark it ``interrupted`` with figures counted from the articles table: its
faults and ``not_stored`` (the articles read but lost, which the user must know of) gone.
The recorder writes the final figures here instead, one small JSON file per run, and
``pipelines.runs.reap_interrupted`` records them onto the run at the next start.

Files live under ``$XDG_STATE_HOME/zonenews/runs`` (``~/.local/state`` by default), in one
folder per database, so a run id of one archive is never taken for that of another.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

from pipelines.db import sqlite_file
from pipelines.runstats import RunFigures

logger = logging.getLogger(__name__)

STATE_ENV = "XDG_STATE_HOME"


@dataclass(frozen=True)
class FinalRecord:
    """What ``finish_run`` would have written."""

    run_id: int
    site: str
    status: str
    finished_at: datetime
    figures: RunFigures
    details: dict[str, Any]
    message: str | None


def journal_dir(database: str | URL) -> Path:
    """The folder of one database's journal: named by a digest of its URL (no password)."""
    url = make_url(database)
    path = sqlite_file(url.render_as_string(hide_password=False))
    name = str(path) if path is not None else url.render_as_string(hide_password=True)
    state = Path(os.environ.get(STATE_ENV) or Path.home() / ".local" / "state")
    return state / "zonenews" / "runs" / hashlib.sha256(name.encode()).hexdigest()[:16]


def write_final(database: str | URL, record: FinalRecord) -> Path:
    """Keep ``record`` until the database takes it; written whole or not at all."""
    folder = journal_dir(database)
    folder.mkdir(parents=True, exist_ok=True)
    data = {**asdict(record), "finished_at": record.finished_at.isoformat()}
    path = folder / f"{record.run_id}.json"
    partial = path.with_suffix(".part")
    partial.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    partial.replace(path)
    return path


def pending_finals(database: str | URL) -> Iterator[tuple[Path, FinalRecord]]:
    """The records kept for this database, with their files; an unreadable file is skipped."""
    folder = journal_dir(database)
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text("utf-8"))
            yield path, FinalRecord(
                run_id=int(data["run_id"]), site=str(data["site"]), status=str(data["status"]),
                finished_at=datetime.fromisoformat(data["finished_at"]),
                figures=RunFigures(**data["figures"]), details=dict(data["details"]),
                message=data.get("message"))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            logger.warning("%s: not a run record zonenews can read (%s)", path, exc)


def forget(path: Path) -> None:
    """Remove a record the database now holds."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
