"""Page → raw fields: meta tags, known CMS skins, a density fallback, pagination."""

from __future__ import annotations

from .article import extract_article
from .encoding import decode_page
from .listing import ListLink, ListPage, extract_list
from .overrides import SELECTOR_FIELDS, validate_selector

__all__ = ["SELECTOR_FIELDS", "ListLink", "ListPage", "decode_page", "extract_article",
           "extract_list", "validate_selector"]
