"""Page → raw fields: meta tags, known CMS skins, a density fallback, pagination.

Each name loads its module on first use: reading a list page (the check before a
crawl) needs none of the article finders.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .article import extract_article
    from .encoding import decode_page
    from .listing import ListLink, ListPage, extract_list
    from .overrides import SELECTOR_FIELDS, validate_selector
    from .sniff import page_problem

_MODULE_OF = {
    "extract_article": "article",
    "decode_page": "encoding",
    "ListLink": "listing",
    "ListPage": "listing",
    "extract_list": "listing",
    "SELECTOR_FIELDS": "overrides",
    "validate_selector": "overrides",
    "page_problem": "sniff",
}

__all__ = ["SELECTOR_FIELDS", "ListLink", "ListPage", "decode_page", "extract_article",
           "extract_list", "page_problem", "validate_selector"]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)
