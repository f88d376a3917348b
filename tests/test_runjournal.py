"""The run journal: a final record a crawl could not write is written onto its run at the next
start, and only onto the run it belongs to."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pipelines.db import open_database
from pipelines.runjournal import FinalRecord, journal_dir, pending_finals, write_final
from pipelines.runs import JOURNALED, finish_run, get_run, reap_interrupted, start_run
from pipelines.runstats import RunFigures

ENDED = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)


def final(run_id: int, site: str = "demo", status: str = "failed") -> FinalRecord:
    return FinalRecord(run_id, site, status, ENDED, RunFigures(12, 7, 1, 2, 3),
                       {"errors": {"not_stored": 3}, "not_stored": 3}, "3 articles not stored")


def test_the_next_start_writes_the_kept_record_onto_its_run(db_url: str) -> None:
    sessions = open_database(db_url)
    run_id = start_run(sessions, "demo", "manual")
    path = write_final(db_url, final(run_id))

    assert reap_interrupted(sessions) == [run_id]
    run = get_run(sessions, run_id)
    assert run is not None
    assert (run.status, run.finished_at, run.pages_fetched, run.articles_new, run.errors) == (
        "failed", ENDED, 12, 7, 3)
    assert run.details["not_stored"] == 3
    assert run.message == f"3 articles not stored; {JOURNALED}"
    assert not path.exists()


def test_a_record_is_never_written_onto_a_run_it_does_not_belong_to(db_url: str) -> None:
    sessions = open_database(db_url)
    other_site = start_run(sessions, "demo", "manual")
    finished = start_run(sessions, "other", "manual")
    finish_run(sessions, finished, "succeeded", RunFigures(5, 5), {})
    write_final(db_url, final(other_site, site="elsewhere"))
    write_final(db_url, final(finished, site="other"))
    write_final(db_url, final(999_999))

    assert reap_interrupted(sessions) == []
    assert get_run(sessions, other_site).status == "running"          # type: ignore[union-attr]
    assert get_run(sessions, finished).articles_new == 5               # type: ignore[union-attr]
    assert list(pending_finals(db_url)) == []


def test_each_database_has_a_journal_of_its_own(tmp_path: Path) -> None:
    one, two = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    assert journal_dir(one) != journal_dir(two)
    assert journal_dir("postgresql+psycopg://u:secret@h/db") == journal_dir(
        "postgresql+psycopg://u:other@h/db")
