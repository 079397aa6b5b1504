"""Abstracts hold plain text (typed in the admin) or HTML sanitised to a small allow-list
(imported from JATS or HTML sources). Pages show the HTML, sanitised again on the way out;
exports, feeds and metadata get plain text."""

from __future__ import annotations

import html
import re

import nh3
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"p", "i", "b", "em", "strong", "sub", "sup", "br"}
CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes={},
    strip_comments=True,
    link_rel=None,
)
MARKUP = re.compile(r"</?(?:p|i|b|em|strong|sub|sup|br)\s*/?>", re.I)
BREAKS = re.compile(r"</p\s*>|<br\s*/?>", re.I)
SPACES = re.compile(r"[ \t]+")
BLANK_LINES = re.compile(r"\s*\n\s*\n\s*")


def is_markup(text: str) -> bool:
    return bool(text) and bool(MARKUP.search(text))


def to_html(text: str) -> SafeString:
    """The abstract for a page: sanitised HTML as it is, plain text in paragraphs (escaped)."""
    if is_markup(text):
        return mark_safe(CLEANER.clean(text))  # noqa: S308 (nh3 keeps only the allow-list)
    return mark_safe(linebreaks(text, autoescape=True))  # noqa: S308 (escaped by linebreaks)


def to_text(text: str) -> str:
    """The abstract as plain text, paragraphs separated by a blank line."""
    if not is_markup(text):
        return text
    text = BREAKS.sub("\n\n", text)
    text = html.unescape(nh3.clean(text, tags=set(), clean_content_tags={"script", "style"}))
    text = SPACES.sub(" ", text)
    return BLANK_LINES.sub("\n\n", text).strip()
