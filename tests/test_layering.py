"""Each side keeps to its room: the store's side never imports the crawl's, and of the crawl's
modules only those that start and record runs (the runner and the launchers that hand crawls to
child processes or Scrapyd nodes) open the database."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATABASE = ("sqlalchemy", "pipelines.db", "pipelines.models")


def imported(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "pipelines").rglob("*.py")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_the_store_side_imports_nothing_of_the_crawl(path: Path) -> None:
    crawl = {name for name in imported(path) if name.split(".")[0] == "scrapers"}
    assert not crawl


# The runner starts the runs and hands the crawl its CrawlStore; the launchers start and follow runs.
RUN_SIDE = ("scrapers/runner.py", "scrapers/launchers/")


@pytest.mark.parametrize("path", sorted(p for p in (ROOT / "scrapers").rglob("*.py")
                                        if not str(p.relative_to(ROOT)).startswith(RUN_SIDE)),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_the_crawl_asks_the_store_through_functions_it_is_given(path: Path) -> None:
    assert not {name for name in imported(path) if name.startswith(DATABASE)}
