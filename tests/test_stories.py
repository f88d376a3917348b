"""Stories and facts after a real crawl of three sites that republish each other.

The zone's stories reprinted by the media group (new title, an added sentence, a cut
paragraph, other furniture and credits) are one story with the zone's article as its
representative; stories that share only the zone's boilerplate paragraph stay apart; the
English translation is linked to its original by the amount they both state, as the weaker
kind of link. The same answers come from SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli import main
from tests.conftest import pg_schema, zonenews
from tests.siteserver import FixtureServer
from tests.storysites import publish_sites


class Crawl:
    def __init__(self, db: str, sites: Path, paths: dict[str, str]) -> None:
        self.db, self.sites, self.paths = db, sites, paths
        self.ids: dict[str, int] = {}
        for rec in self.json("articles", "--limit", "0"):
            for name, path in paths.items():
                if str(rec["url"]).endswith(path):
                    self.ids[name] = int(rec["id"])  # type: ignore[call-overload]

    def run(self, *args: str) -> tuple[int, str]:
        """The command as a user runs it, in this process: read commands start no reactor."""
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main([*args, "--db", self.db, "--sites", str(self.sites)])
        return code, out.getvalue()

    def json(self, *args: str) -> list[dict[str, object]]:
        code, out = self.run(*args, "--format", "json")
        assert code == 0
        return json.loads(out)  # type: ignore[no-any-return]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def crawl(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    tmp = tmp_path_factory.mktemp("stories")
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            db = f"sqlite:///{tmp / 'z.db'}"
        else:
            db = stack.enter_context(pg_schema())
        server = stack.enter_context(FixtureServer())
        sites = tmp / "sites"
        paths = publish_sites(server, sites)
        # The three sites side by side in one crawl: which article is stored first is not known,
        # and the stories must not depend on it.
        proc = zonenews("crawl", "zone", "media", "en", db=db, sites=sites)
        assert proc.returncode == 0, proc.stderr
        # The crawl has started its derivation; this one waits for it and does what is left.
        assert zonenews("facts", "--derive", db=db, sites=sites).returncode == 0
        yield Crawl(db, sites, paths)


@pytest.mark.slow
def test_republished_stories_are_one_story_each_and_boilerplate_merges_nothing(crawl: Crawl) -> None:
    ids = crawl.ids
    assert len(ids) == 13, ids
    stories = crawl.json("stories")
    by_members = {frozenset(s["article_ids"]): s for s in stories}  # type: ignore[call-overload]
    battery = by_members[frozenset({ids["zone-battery"], ids["media-battery"], ids["en-battery"]})]
    chip = by_members[frozenset({ids["zone-chip"], ids["media-chip"]})]
    robot = by_members[frozenset({ids["zone-robot"], ids["en-robot"]})]
    assert len(stories) == 3
    # The earliest original represents the story, whichever site was crawled first.
    assert battery["representative_id"] == ids["zone-battery"]
    assert chip["representative_id"] == ids["zone-chip"]
    assert battery["sites"] == ["en", "media", "zone"]
    # The translation shares no text with its original: it is linked by the amount, weaker.
    assert battery["linked_by_facts"] == [ids["en-battery"]]
    assert chip["linked_by_facts"] == []
    # No amount here: the company the translation spells in pinyin, in the same zone.
    assert robot["linked_by_facts"] == [ids["en-robot"]]
    assert robot["representative_id"] == ids["zone-robot"]
    # Newest first.
    assert [s["id"] for s in stories] == [robot["id"], chip["id"], battery["id"]]
    clustered = {i for s in stories for i in s["article_ids"]}  # type: ignore[attr-defined]
    # The same zone, the zone's boilerplate in English, the same company in another zone: apart.
    for alone in ("zone-forum", "zone-park", "media-own", "en-fair", "en-apartments", "en-hengqin"):
        assert ids[alone] not in clustered

    code, table = crawl.run("stories")
    assert code == 0 and "zone" in table and f"~{ids['en-battery']}" in table

    unique = {r["id"] for r in crawl.json("articles", "--unique", "--limit", "0")}
    assert unique == {ids[n] for n in ("zone-battery", "zone-chip", "zone-forum", "zone-park",
                                       "zone-robot", "media-own", "en-fair", "en-apartments",
                                       "en-hengqin")}
    # Within a site, each story shows by that site's copy: none drops out of the listing.
    for site, names in (("media", ("media-battery", "media-chip", "media-own")),
                        ("en", ("en-battery", "en-robot", "en-fair", "en-apartments", "en-hengqin")),
                        ("zone", ("zone-battery", "zone-chip", "zone-forum", "zone-park",
                                  "zone-robot"))):
        shown = [int(str(r["id"])) for r in crawl.json("articles", "--site", site, "--unique",
                                                         "--limit", "0")]
        assert sorted(shown) == sorted(ids[n] for n in names), site
    assert {r["id"] for r in crawl.json("articles", "--min-amount", "3e9", "--unique",
                                        "--limit", "0")} == {ids["zone-battery"], ids["zone-chip"]}


@pytest.mark.slow
def test_facts_of_the_crawled_articles_and_the_article_filters(crawl: Crawl) -> None:
    ids = crawl.ids
    facts = crawl.json("facts", "--site", "zone", "--kind", "amount")
    battery = [f for f in facts if f["article_id"] == ids["zone-battery"]]
    assert {(f["amount"], f["currency"], f["approximate"]) for f in battery} == {
        ("1600000000", "CNY", True), ("3000000000", "CNY", False)}
    assert all(f["kind"] == "amount" for f in facts)
    assert "该项目总投资约16亿元" in next(f["sentence"] for f in battery  # type: ignore[operator]
                                       if f["amount"] == "1600000000")

    en = crawl.json("facts", "--site", "en")
    assert ("amount", "1600000000", "CNY") in {(f["kind"], f["amount"], f["currency"]) for f in en}
    assert ("organisation", "Zhuhai CosMX Battery Co., Ltd") in {(f["kind"], f["value"]) for f in en}

    orgs = {f["value"] for f in crawl.json("facts", "--kind", "organisation")}
    assert {"珠海冠宇电池股份有限公司", "珠海越亚半导体股份有限公司", "珠海高新区管委会"} <= orgs

    def found(*args: str) -> set[int]:
        return {int(str(r["id"])) for r in crawl.json("articles", "--limit", "0", *args)}

    assert found("--min-amount", "3e9") == {ids["zone-battery"], ids["media-battery"],
                                            ids["en-battery"], ids["zone-chip"], ids["media-chip"]}
    assert found("--min-amount", "3.5e9") == {ids["zone-chip"], ids["media-chip"]}
    assert found("--org", "越亚") == {ids["zone-chip"], ids["media-chip"]}
    assert found("--industry", "semiconductors") >= {ids["zone-chip"], ids["media-chip"]}
    assert ids["zone-forum"] not in found("--industry", "semiconductors")
    assert found("--event", "groundbreaking") == {ids["zone-battery"], ids["media-battery"],
                                                  ids["en-battery"]}
    assert found("--event", "signing", "--org", "越亚", "--unique") == {ids["zone-chip"]}
