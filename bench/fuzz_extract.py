"""Fuzzing the extractor: fixture pages, mutated, through extraction and normalisation; none may raise.

    python bench/fuzz_extract.py                      # five minutes
    python bench/fuzz_extract.py --seconds 30 --seed 7

Every page of tests/sites and the generated Guangdong column is mutated (bytes flipped,
cut, duplicated, tags and entities broken, nesting blown up, encodings lied about) and
run through the whole page path: page_problem, decode_page, extract_list,
extract_article and normalize. A page may be refused with a reason (``Unusable``);
anything else it raises is a failure, saved under --out (a temporary folder) with its traceback. The kept
HTML must stay within the sanitiser's allow-list. Prints pages per second and the
failures; exits 1 when there was one. tests/test_fuzz.py runs the same checks briefly.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lxml import html as lxml_html

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipelines.body import ALLOWED_ATTRIBUTES, ALLOWED_TAGS  # noqa: E402
from pipelines.normalize import Unusable, normalize  # noqa: E402
from scrapers.extract import decode_page, extract_article, extract_list, page_problem  # noqa: E402

SITES = ROOT / "tests" / "sites"
BASE = "http://fuzz.zone.gov.cn"


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    body: bytes
    content_type: str | None


def corpus() -> list[Page]:
    """The fixture pages of every zone family, and a generated Guangdong column."""
    import json

    pages = []
    for file in sorted(SITES.rglob("*.htm*")):
        site = file.relative_to(SITES).parts[0]
        path = "/" + file.relative_to(SITES / site).as_posix()
        headers_file = SITES / site / "_headers.json"
        headers = json.loads(headers_file.read_text("utf-8")) if headers_file.exists() else {}
        pages.append(Page(f"{site}{path}", BASE + path, file.read_bytes(), headers.get(path)))
    pages += _generated()
    return pages


def _generated() -> list[Page]:
    from tests.gdsite import GdColumn

    class Collect:
        base = BASE

        def __init__(self) -> None:
            self.pages: dict[str, str] = {}

        def add(self, path: str, body: str, *_: object) -> None:
            self.pages[path] = body.replace("{base}", BASE)

    sink = Collect()
    GdColumn(sink, per_page=6).publish(9)  # type: ignore[arg-type]
    return [Page(f"generated{path}", BASE + path, body.encode(), "text/html; charset=utf-8")
            for path, body in sorted(sink.pages.items())]


# ---------------------------------------------------------------- mutations

TOKENS = [
    b"<", b">", b"</div>", b"</p></p></p>", b"<div>", b"<table><tr><td>", b"<script>alert(1)</script>",
    b"<img src=x onerror=alert(1)>", b'<a href="javascript:alert(1)">x</a>', b"<!--", b"-->",
    b"<![CDATA[", b"]]>", b"&#0;", b"&#x110000;", b"&#99999999999;", b"&nbsp", b"&amp;amp;", b"\0",
    b"\xff\xfe", b"\xef\xbb\xbf", b"\xe4\xb8", b"\x81\x30", b'<meta charset="utf-16">',
    b'<meta http-equiv="Content-Type" content="text/html; charset=x-unknown">',
    b'<meta http-equiv="refresh" content="0;url=http://[::1/">', b"<base href='http://[zz'>",
    b"<a href='http://a.cn:99999/content/post_1234567.html'>x</a>", b"<a href='//'>x</a>",
    b'<a class="next" href="index_99999999999999999999.html">\xe4\xb8\x8b\xe4\xb8\x80\xe9\xa1\xb5</a>',
    "发布时间：2024-02-30 25:61".encode(), "来源：".encode(), "责任编辑：".encode(),
    "文/".encode() * 50, "时间：9999年99月99日".encode(), b"<h1></h1>", b"<title>", b"</title>",
    b'<meta name="PubDate" content="0000-00-00">', b"<svg><foreignObject><p>x</p></svg>",
    b"<math><mi>x</mi></math>", b"\r", b"\r\n" * 40, "\u202e\u200b\ufeff".encode(),
    "\ud7ff\ue000\U0010fffd".encode(), b"<p>" + b"x" * 5000, b" " * 3000,
]


def flip_bytes(body: bytes, rng: random.Random) -> bytes:
    data = bytearray(body)
    for _ in range(rng.randint(1, 20)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def truncate(body: bytes, rng: random.Random) -> bytes:
    return body[: rng.randint(0, len(body))]


def delete_slice(body: bytes, rng: random.Random) -> bytes:
    start = rng.randint(0, len(body))
    return body[:start] + body[start + rng.randint(1, 2000):]


def duplicate_slice(body: bytes, rng: random.Random) -> bytes:
    start = rng.randint(0, len(body))
    chunk = body[start:start + rng.randint(1, 3000)]
    at = rng.randint(0, len(body))
    return body[:at] + chunk * rng.randint(1, 5) + body[at:]


def insert_tokens(body: bytes, rng: random.Random) -> bytes:
    for _ in range(rng.randint(1, 8)):
        at = rng.randint(0, len(body))
        body = body[:at] + rng.choice(TOKENS) + body[at:]
    return body


def nest_deeply(body: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([200, 1000, 5000])
    tag = rng.choice([b"div", b"span", b"table", b"p", b"font", b"li"])
    at = rng.randint(0, len(body))
    return body[:at] + b"<" + tag + b">" * 1 + (b"<" + tag + b">") * depth + body[at:]


def drop_tags(body: bytes, rng: random.Random) -> bytes:
    names = rng.sample([b"html", b"head", b"body", b"title", b"h1", b"p", b"div", b"meta"], 3)
    return re.sub(rb"</?(?:" + b"|".join(names) + rb")\b[^>]*>", b"", body)


def recode(body: bytes, rng: random.Random) -> bytes:
    text = body.decode("utf-8", "replace")
    return text.encode(rng.choice(["gb18030", "big5", "utf-16", "latin-1", "cp1252", "shift_jis"]),
                       "replace")


MUTATORS: tuple[Callable[[bytes, random.Random], bytes], ...] = (
    flip_bytes, truncate, delete_slice, duplicate_slice, insert_tokens, nest_deeply, drop_tags,
    recode,
)
CONTENT_TYPES = [None, "text/html", "text/html; charset=utf-8", "text/html; charset=gb2312",
                 "text/html; charset=iso-8859-1", "text/plain", "application/octet-stream",
                 "text/html; charset=utf-16", "text/html; charset=nonsense"]


def mutate(page: Page, rng: random.Random) -> Page:
    body = page.body
    for _ in range(rng.randint(1, 4)):
        body = rng.choice(MUTATORS)(body, rng)
    content_type = rng.choice([page.content_type, *CONTENT_TYPES])
    return Page(page.name, page.url, body, content_type)


# ---------------------------------------------------------------- the oracle

_EVENT_ATTR = re.compile(r"^on", re.IGNORECASE)


def check(page: Page) -> None:
    """Run a page through every step of a crawl; raise AssertionError or the step's own error."""
    page_problem(page.body, page.content_type)
    decode_page(page.body, page.content_type)
    extract_list(page.body, page.url, content_type=page.content_type)
    raw = extract_article(page.body, page.url, content_type=page.content_type)
    raw.url = page.url
    raw.site = "fuzz"
    raw.site_name = "Fuzz High-tech Zone"
    raw.timezone = "Asia/Shanghai"
    try:
        record = normalize(raw)
    except Unusable:
        return
    assert record.title and record.body_text, "a stored article needs a title and a body"
    assert_sanitised(record.body_html)


def assert_sanitised(fragment: str) -> None:
    if not fragment.strip():
        return
    for element in lxml_html.fragment_fromstring(fragment, create_parent="div").iterdescendants():
        tag = element.tag if isinstance(element.tag, str) else "#comment"
        assert tag in ALLOWED_TAGS, f"<{tag}> kept in body_html"
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}
        for name, value in element.attrib.items():
            assert name in allowed and not _EVENT_ATTR.match(name), f"{tag}@{name} kept"
            assert not value.strip().lower().startswith(("javascript:", "data:", "vbscript:")), \
                f"{tag}@{name}={value!r} kept"


# ---------------------------------------------------------------- the long run

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--out", type=Path,
                        default=Path(tempfile.gettempdir()) / "zonenews-fuzz-failures")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    pages = corpus()
    failures: Counter[str] = Counter()
    runs = 0
    started = time.monotonic()
    print(f"seed {seed}, {len(pages)} pages in the corpus, {args.seconds:.0f} s")
    while time.monotonic() - started < args.seconds:
        page = mutate(rng.choice(pages), rng)
        runs += 1
        try:
            check(page)
        except Exception as exc:
            where = traceback.extract_tb(exc.__traceback__)[-1]
            key = f"{type(exc).__name__} at {Path(where.filename).name}:{where.lineno}"
            failures[key] += 1
            if failures[key] == 1:
                _save(args.out, page, exc)
    elapsed = time.monotonic() - started
    print(f"{runs} mutated pages in {elapsed:.1f} s: {runs / elapsed:.0f} pages/s, "
          f"{sum(failures.values())} failures of {len(failures)} kinds")
    for key, n in failures.most_common():
        print(f"  {n:6d}  {key}")
    return 1 if failures else 0


def _save(folder: Path, page: Page, exc: BaseException) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(page.body).hexdigest()[:12]
    (folder / f"{digest}.html").write_bytes(page.body)
    (folder / f"{digest}.txt").write_text(
        f"from: {page.name}\nurl: {page.url}\ncontent-type: {page.content_type}\n\n"
        + "".join(traceback.format_exception(exc)), "utf-8")


if __name__ == "__main__":
    sys.exit(main())
