"""The people table: every name credited on an article, one row per name and role.

The credit lists stay in ``articles`` (they are the record's fields). They are repeated
here so that "credited to this person" is an index lookup on the name; a filter on the
JSON text (LIKE) reads every row it is asked about and no index can help it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from sqlalchemy import ColumnElement, delete, insert, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import NullType, TypeEngine

from pipelines.db import in_parts
from pipelines.models import Article, ArticlePerson

CREDIT_ROLES = ("authors", "photographers", "editors", "responsible_editors")


def people_rows(article_id: int, credits: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rows of one article: each non-empty name once per role it holds.

    Migration 0005 fills the table for older archives by the same rule, in SQL.
    """
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for role in CREDIT_ROLES:
        for name in credits.get(role) or ():
            if isinstance(name, str) and name:
                rows[role, name] = {"article_id": article_id, "role": role, "name": name}
    return list(rows.values())


def replace_people(session: Session, credits: Iterable[tuple[int, Mapping[str, Any]]],
                   *, stored_before: bool = True) -> None:
    """Make the rows of these articles say what their credit lists say, in the session's
    transaction: called by the store for every article it writes or changes.

    ``stored_before`` False skips the delete, for articles inserted in this transaction.
    """
    given = list(credits)
    if not given:
        return
    ids = [article_id for article_id, _ in given]
    if stored_before:
        for part in in_parts(ids):
            session.execute(delete(ArticlePerson).where(ArticlePerson.article_id.in_(part)))
    rows = [row for article_id, c in given for row in people_rows(article_id, c)]
    if rows:
        session.execute(insert(ArticlePerson), rows)


class _AmongIds(FunctionElement[bool]):
    """``id`` is one of the ids a subquery gives: ``IN`` on SQLite; on PostgreSQL
    ``= ANY(ARRAY(…))``, which reads the subquery once, first. As ``IN``, PostgreSQL may
    instead walk the whole archive newest first probing the subquery row by row, hoping to
    meet a page of a person's few hundred articles early (or, for a name nobody has, never)."""

    # Untyped: a Boolean function would be compared with 1 on SQLite, hiding the IN from its
    # planner.
    type = cast("TypeEngine[bool]", NullType())
    inherit_cache = True
    name = "among_ids"


@compiles(_AmongIds)
def _among_ids_in(element: _AmongIds, compiler: SQLCompiler, **kw: Any) -> str:
    id_column, ids = element.clauses
    return str(compiler.process(id_column.in_(ids.element), **kw))


@compiles(_AmongIds, "postgresql")
def _among_ids_any(element: _AmongIds, compiler: SQLCompiler, **kw: Any) -> str:
    id_column, ids = element.clauses
    return f"{compiler.process(id_column, **kw)} = ANY(ARRAY{compiler.process(ids, **kw)})"


def credited(name: str) -> ColumnElement[bool]:
    """Articles crediting ``name`` in any role (the whole name, as the lists hold it): read
    from the people index first, the few thousand articles of a name at most."""
    ids = select(ArticlePerson.article_id).where(ArticlePerson.name == name).scalar_subquery()
    return _AmongIds(Article.id, ids)
