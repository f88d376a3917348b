"""Site files: load, validate with messages that say what to fix, merge built-in and user folders."""

from __future__ import annotations

import importlib
import math
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import regex

from pipelines.urls import URL_RULES

# The parser of Python's own re module, to size a pattern before the regex module compiles it;
# its names are internal, so it is reached by name rather than typed.
sre: Any = importlib.import_module("re._parser")

BUILTIN_DIR = Path(__file__).parent / "sites"
SITES_ENV = "ZONENEWS_SITES"
# The user's own folder: where `zonenews sites add` writes when no folder is named, and read
# by every command when it exists.
USER_DIR = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "zonenews" / "sites"

_KEY_RE = re.compile(r"[a-z0-9-]+")
_LANGUAGE_RE = re.compile(r"[a-z]{2,3}(-[A-Za-z]+)?")
_DURATION_RE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
SELECTOR_FIELDS = frozenset(
    {"title", "published_at", "body", "source", "authors", "section", "summary", "tags",
     "next_page", "links"}
)
TOP_KEYS = frozenset(
    {"key", "name", "start_urls", "article_url_pattern", "timezone", "language", "max_pages",
     "concurrency", "delay", "obey_robots", "timeout", "allowed_domains", "schedule", "selectors",
     "keep_raw", "health", "alerts", "url_rules"}
)
SCHEDULE_KEYS = frozenset({"interval", "cron", "enabled"})
DEFAULT_TIMEOUT = 2 * 3600.0
# Bounds past which a value is a mistake, not a choice: each would stall a crawl, flood a site
# or overflow a timer.
MAX_INTERVAL = 366 * 86400.0
MAX_TIMEOUT = 7 * 86400.0
MAX_DELAY = 3600.0
MAX_PAGES = 100_000
MAX_CONCURRENCY = 64
# A sane URL pattern answers in microseconds; one that needs this long on one URL backtracks
# catastrophically. After a few such URLs, URLs as long as the shortest slow one are not tried
# again (backtracking grows with the length), so shorter article URLs still match.
MATCH_TIMEOUT = 0.1
MAX_TIMEOUTS = 3
# The regex module writes out every required repeat when it compiles: (x{1000}){1000} costs
# 280 MB and x{4294967294} all the memory there is. No URL needs more than this many.
MAX_PATTERN_SIZE = 10_000


def _expanded_size(items: Iterable[tuple[Any, Any]]) -> int:
    """How many pattern elements a compiled pattern holds once its required repeats are written out."""
    size = 0
    for op, av in items:
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, _high, sub = av
            size += max(low, 1) * _expanded_size(sub)
        elif op in (sre.SUBPATTERN, sre.ATOMIC_GROUP, sre.ASSERT, sre.ASSERT_NOT):
            size += _expanded_size(av[-1])
        elif op is sre.BRANCH:
            size += sum(_expanded_size(branch) for branch in av[1])
        elif op is sre.GROUPREF_EXISTS:
            size += sum(_expanded_size(branch) for branch in av[1:] if branch)
        else:
            size += 1
    return size


class UrlPattern:
    """A site's article_url_pattern, searched with a time bound.

    Python's own ``re`` cannot be interrupted: a pattern like ``(a+)+$`` against a long URL
    would hold a crawl (and its SIGTERM handler) for hours. The ``regex`` module reads the
    same syntax and gives up after ``timeout``.
    """

    def __init__(self, pattern: str) -> None:
        """Raise ValueError for a pattern that is not Python regex syntax or would not fit."""
        try:
            parsed = sre.parse(pattern)
        except (re.error, OverflowError, RecursionError) as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        if _expanded_size(parsed) > MAX_PATTERN_SIZE:
            raise ValueError(f"repeats more than {MAX_PATTERN_SIZE:,} times in all; "
                             "use + or * instead of large {n} counts")
        self.pattern = pattern
        try:
            self._compiled = regex.compile(pattern)
        except (regex.error, OverflowError, RecursionError) as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        self.timeouts = 0
        self._slow_length = math.inf    # the shortest URL the pattern could not answer in time

    def search(self, url: str) -> bool:
        """Whether ``url`` matches; TimeoutError when the pattern cannot tell in time."""
        if self.timeouts >= MAX_TIMEOUTS and len(url) >= self._slow_length:
            raise TimeoutError(f"article_url_pattern {self.pattern!r} is too slow on long URLs")
        try:
            return self._compiled.search(url, timeout=MATCH_TIMEOUT) is not None
        except TimeoutError:
            self.timeouts += 1
            self._slow_length = min(self._slow_length, len(url))
            raise

    def __repr__(self) -> str:
        return f"UrlPattern({self.pattern!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UrlPattern) and other.pattern == self.pattern

    def __hash__(self) -> int:
        return hash(self.pattern)


class SiteFileError(ValueError):
    """A site file that cannot be used; ``str()`` is the one line a user sees."""

    def __init__(self, path: Path | str, key: str, message: str) -> None:
        self.path = str(path)
        self.key = key
        self.message = message
        super().__init__(f"{self.path}: {key}: {message}")


@dataclass(frozen=True)
class Schedule:
    interval: float | None = None   # seconds
    cron: str | None = None         # five fields, in the site's timezone
    enabled: bool = True


@dataclass(frozen=True)
class Site:
    key: str
    name: str
    start_urls: tuple[str, ...]
    article_url_pattern: UrlPattern
    path: str = ""
    timezone: str = "Asia/Shanghai"
    language: str | None = None
    max_pages: int | None = None
    concurrency: int = 4
    delay: float = 0.0
    obey_robots: bool = True
    timeout: float = DEFAULT_TIMEOUT
    allowed_domains: frozenset[str] = frozenset()
    schedule: Schedule | None = None
    selectors: Mapping[str, str] = field(default_factory=dict)
    keep_raw: bool = True
    health: Mapping[str, float] = field(default_factory=dict)
    alerts: tuple[str, ...] = ()
    url_rules: frozenset[str] = frozenset()   # names of pipelines.urls.URL_RULES

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def scheduled(self) -> bool:
        return self.schedule is not None and self.schedule.enabled


@dataclass
class SiteCatalog:
    """Every usable site, plus the files that were refused (the others keep working)."""

    sites: dict[str, Site] = field(default_factory=dict)
    errors: list[SiteFileError] = field(default_factory=list)

    def get(self, key: str) -> Site:
        try:
            return self.sites[key]
        except KeyError:
            known = ", ".join(sorted(self.sites)) or "none"
            raise KeyError(f"unknown site {key!r} (known: {known})") from None


def parse_duration(value: Any, longest: float = MAX_INTERVAL) -> float:
    """Seconds in ``"30s"``, ``"15m"``, ``"6h"``, ``"1d"`` or a plain number of seconds.

    ``inf`` and ``nan`` are numbers to TOML, and either would reach a timer that cannot take it.
    """
    if isinstance(value, bool):
        raise ValueError("must be a duration such as \"30s\", \"15m\", \"6h\" or \"1d\"")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        m = _DURATION_RE.fullmatch(str(value))
        if not m:
            raise ValueError(f"{value!r} is not a duration such as \"30s\", \"15m\", \"6h\" or \"1d\"")
        seconds = float(m.group(1)) * _UNIT_SECONDS[m.group(2)]
    if not math.isfinite(seconds) or seconds <= 0 or seconds > longest:
        raise ValueError(f"must be longer than zero and at most {format_seconds(longest)} "
                         f"(e.g. \"30m\" or \"6h\")")
    return seconds


def format_seconds(seconds: float) -> str:
    """``604800`` → ``"7d"``: a bound as a user would write it in a site file."""
    for unit in ("d", "h", "m"):
        if seconds >= _UNIT_SECONDS[unit] and seconds % _UNIT_SECONDS[unit] == 0:
            return f"{int(seconds // _UNIT_SECONDS[unit])}{unit}"
    return f"{seconds:g}s"


def _is_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _check_cron(expr: str, timezone: str) -> None:
    from apscheduler.triggers.cron import CronTrigger

    if len(expr.split()) != 5:
        raise ValueError(f"{expr!r} must have five fields (minute hour day month weekday)")
    CronTrigger.from_crontab(expr, timezone=timezone)


def parse_site(data: Mapping[str, Any], path: Path | str = "<site>") -> Site:
    """Validate one site file's table; raise SiteFileError naming the first bad key."""

    def fail(key: str, message: str) -> SiteFileError:
        return SiteFileError(path, key, message)

    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise fail(unknown[0], f"unknown key (known keys: {', '.join(sorted(TOP_KEYS))})")
    for required in ("key", "name", "start_urls", "article_url_pattern"):
        if required not in data:
            raise fail(required, "missing; every site file needs key, name, start_urls and "
                                 "article_url_pattern")
    key = data["key"]
    if not isinstance(key, str) or not _KEY_RE.fullmatch(key):
        raise fail("key", "must be lower-case letters, digits and '-' (e.g. \"zhuhai-hitech\")")
    name = data["name"]
    if not isinstance(name, str) or not name.strip():
        raise fail("name", "must be a non-empty string")
    start_urls = data["start_urls"]
    if (not isinstance(start_urls, list) or not start_urls
            or not all(_is_http_url(u) for u in start_urls)):
        raise fail("start_urls", "must be a non-empty list of http(s) URLs")
    pattern = data["article_url_pattern"]
    if not isinstance(pattern, str) or not pattern:
        raise fail("article_url_pattern", "must be a regular expression (a string)")
    try:
        compiled = UrlPattern(pattern)
    except ValueError as exc:
        raise fail("article_url_pattern", str(exc)) from None

    timezone = data.get("timezone", "Asia/Shanghai")
    try:
        ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        raise fail("timezone", f"{timezone!r} is not an IANA time zone such as \"Asia/Shanghai\"") \
            from None
    language = data.get("language")
    if language is not None and (not isinstance(language, str)
                                 or not _LANGUAGE_RE.fullmatch(language)):
        raise fail("language", "must be a language code such as \"zh\" or \"en\"")

    def positive_int(k: str, most: int) -> int | None:
        v = data.get(k)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= most:
            raise fail(k, f"must be a whole number from 1 to {most:,}")
        return v

    max_pages = positive_int("max_pages", MAX_PAGES)
    concurrency = positive_int("concurrency", MAX_CONCURRENCY) or 4
    delay = data.get("delay", 0.0)
    if (isinstance(delay, bool) or not isinstance(delay, int | float)
            or not 0 <= delay <= MAX_DELAY):   # false for nan too
        raise fail("delay", f"must be a number of seconds from 0 to {MAX_DELAY:g}")
    obey_robots = data.get("obey_robots", True)
    if not isinstance(obey_robots, bool):
        raise fail("obey_robots", "must be true or false")
    timeout = DEFAULT_TIMEOUT
    if "timeout" in data:
        try:
            timeout = parse_duration(data["timeout"], MAX_TIMEOUT)
        except ValueError as exc:
            raise fail("timeout", str(exc)) from None
    domains = data.get("allowed_domains")
    if domains is None:
        allowed = frozenset((urlsplit(u).hostname or "").lower() for u in start_urls)
    elif isinstance(domains, list) and domains and all(
            isinstance(d, str) and d and "/" not in d for d in domains):
        allowed = frozenset(d.lower().lstrip(".") for d in domains)
    else:
        raise fail("allowed_domains", "must be a non-empty list of host names")

    schedule = None
    if "schedule" in data:
        schedule = _parse_schedule(data["schedule"], str(timezone), fail)

    selectors = data.get("selectors", {})
    if not isinstance(selectors, dict):
        raise fail("selectors", "must be a table of field = \"CSS or XPath\"")
    for sel_field, expr in selectors.items():
        if sel_field not in SELECTOR_FIELDS:
            raise fail(f"selectors.{sel_field}",
                       f"unknown field (known: {', '.join(sorted(SELECTOR_FIELDS))})")
        if not isinstance(expr, str) or not expr.strip():
            raise fail(f"selectors.{sel_field}", "must be a CSS or XPath expression (a string)")
        from scrapers.extract import validate_selector

        try:
            validate_selector(sel_field, expr)
        except ValueError as exc:
            raise fail(f"selectors.{sel_field}", str(exc)) from None

    keep_raw = data.get("keep_raw", True)
    if not isinstance(keep_raw, bool):
        raise fail("keep_raw", "must be true or false")
    health = _parse_health(data.get("health", {}), fail)
    alerts = data.get("alerts", [])
    if not isinstance(alerts, list) or not all(isinstance(u, str) and "://" in u for u in alerts):
        raise fail("alerts", "must be a list of apprise URLs such as \"json://host/path\"")
    url_rules = data.get("url_rules", [])
    if not isinstance(url_rules, list) or not all(
            isinstance(r, str) and r in URL_RULES for r in url_rules):
        raise fail("url_rules", f"must be a list of rule names (known: {', '.join(sorted(URL_RULES))})")

    return Site(
        key=key, name=name.strip(), start_urls=tuple(start_urls), article_url_pattern=compiled,
        path=str(path), timezone=str(timezone), language=language, max_pages=max_pages,
        concurrency=concurrency, delay=float(delay), obey_robots=obey_robots, timeout=timeout,
        allowed_domains=allowed, schedule=schedule, selectors=dict(selectors),
        keep_raw=keep_raw, health=health, alerts=tuple(alerts), url_rules=frozenset(url_rules),
    )


def _parse_health(raw: Any, fail: Any) -> dict[str, float]:
    """The ``[health]`` table: thresholds that replace the defaults of ``pipelines.health``."""
    from pipelines.health import THRESHOLDS

    if not isinstance(raw, dict):
        raise fail("health", "must be a table of threshold = number")
    out: dict[str, float] = {}
    for name, value in raw.items():
        if name not in THRESHOLDS:
            raise fail(f"health.{name}", f"unknown threshold (known: {', '.join(sorted(THRESHOLDS))})")
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise fail(f"health.{name}", f"must be a number, 0 or more ({THRESHOLDS[name]})")
        out[name] = float(value)
    return out


def _parse_schedule(raw: Any, timezone: str, fail: Any) -> Schedule:
    if not isinstance(raw, dict):
        raise fail("schedule", "must be a table with interval or cron")
    unknown = sorted(set(raw) - SCHEDULE_KEYS)
    if unknown:
        raise fail(f"schedule.{unknown[0]}", "unknown key (known: interval, cron, enabled)")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise fail("schedule.enabled", "must be true or false")
    if not enabled and "interval" not in raw and "cron" not in raw:
        return Schedule(enabled=False)   # switched off: when it would run does not matter
    if ("interval" in raw) == ("cron" in raw):
        raise fail("schedule", "needs exactly one of interval = \"15m\" or cron = \"*/30 * * * *\"")
    if "interval" in raw:
        try:
            return Schedule(interval=parse_duration(raw["interval"]), enabled=enabled)
        except ValueError as exc:
            raise fail("schedule.interval", str(exc)) from None
    cron = raw["cron"]
    if not isinstance(cron, str):
        raise fail("schedule.cron", "must be a string of five fields such as \"*/30 * * * *\"")
    try:
        _check_cron(cron, timezone)
    except ValueError as exc:
        raise fail("schedule.cron", str(exc)) from None
    return Schedule(cron=cron, enabled=enabled)


def read_site_table(path: Path) -> dict[str, Any]:
    """A site file's TOML table; a regular expression written in double quotes (where TOML
    reads ``\\d`` as an escape) gets the hint that fixes it."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        hint = ""
        if "escape" in str(exc).lower() or "\\" in str(exc):
            hint = (" (write regular expressions in single quotes, where a backslash is "
                    "itself: article_url_pattern = '/post_\\d+\\.html$')")
        raise SiteFileError(path, "(file)", f"not valid TOML: {exc}{hint}") from None
    except OSError as exc:
        raise SiteFileError(path, "(file)", f"cannot be read: {exc.strerror}") from None


def load_site_file(path: Path) -> Site:
    return parse_site(read_site_table(path), path)


def is_override(data: Mapping[str, Any]) -> bool:
    """A file that names an existing site by its key and changes only some of its keys (a
    two-line ``[schedule] enabled = false`` switches a built-in site off): it lacks what a
    site of its own needs."""
    return "key" in data and not {"name", "start_urls", "article_url_pattern"} & set(data)


def merge_override(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """The site table with the override's keys; tables (``schedule``, ``selectors``) are
    merged key by key, so ``enabled = false`` keeps the site's interval."""
    merged = dict(base)
    for name, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(name), dict):
            merged[name] = {**base[name], **value}
        else:
            merged[name] = value
    return merged


def site_dirs(extra: Sequence[str | Path] = ()) -> list[Path]:
    """The folders searched for site files: built-in first, then the user's folder (when it
    exists), then ZONENEWS_SITES, then --sites."""
    dirs = [BUILTIN_DIR] + ([USER_DIR] if USER_DIR.is_dir() else [])
    env = os.environ.get(SITES_ENV, "")
    dirs += [Path(p) for p in env.split(os.pathsep) if p]
    dirs += [Path(p) for p in extra]
    return dirs


def load_sites(dirs: Iterable[Path]) -> SiteCatalog:
    """Every site in ``dirs``; a later folder's file replaces an earlier one with the same key,
    or changes some of its keys when it is an override (``is_override``)."""
    catalog = SiteCatalog()
    tables: dict[str, dict[str, Any]] = {}
    for folder in dirs:
        if not folder.is_dir():
            catalog.errors.append(SiteFileError(folder, "(folder)", "is not a folder"))
            continue
        seen_here: dict[str, Path] = {}
        for path in sorted(folder.glob("*.toml")):
            try:
                data = read_site_table(path)
                key = data.get("key")
                if is_override(data):
                    if not isinstance(key, str) or key not in tables:
                        raise SiteFileError(path, "key", (
                            f"{key!r} names no site to change; a site of its own needs key, "
                            "name, start_urls and article_url_pattern"))
                    data = merge_override(tables[key], data)
                site = parse_site(data, path)
            except SiteFileError as exc:
                catalog.errors.append(exc)
                continue
            if site.key in seen_here:
                catalog.errors.append(SiteFileError(
                    path, "key", f"{site.key!r} is already used by {seen_here[site.key]}"))
                continue
            seen_here[site.key] = path
            tables[site.key] = data
            catalog.sites[site.key] = site
    return catalog


def load_catalog(extra_dirs: Sequence[str | Path] = ()) -> SiteCatalog:
    return load_sites(site_dirs(extra_dirs))
