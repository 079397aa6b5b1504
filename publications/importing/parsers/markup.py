"""Markup in what the sources send. Abstracts become HTML sanitised to a small allow-list (every
format goes through `abstract()`); titles and other one-line fields become plain text, where
anything that is not known inline formatting (a `<script>` tag, say) stays as literal text."""

from __future__ import annotations

import html
import re

import nh3

from .common import CONTROL, MOJIBAKE, clean, repair_mojibake

ALLOWED_TAGS = {"p", "i", "b", "em", "strong", "sub", "sup", "br"}
# Tags removed with everything inside them, not only the tags.
DROPPED_WITH_CONTENT = {"script", "style", "template", "object", "embed", "iframe", "noscript"}
CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes={},
    strip_comments=True,
    link_rel=None,
)

# A "<" that does not open or close a tag is text ("p<0.05", "x<y"): escaped before cleaning,
# or the HTML parser would take "<y" for the start of a tag and swallow the text after it.
STRAY_LT = re.compile(r"<(?!/?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>|!--)")
BLOCK_TAG = re.compile(r"<(?:p|br|div|li|ul|ol|h[1-6]|section|blockquote|table|tr)\b", re.I)
TO_PARAGRAPH = re.compile(r"<(/?)(?:div|li|h[1-6]|section|blockquote|dd|dt|tr)\b[^>]*>", re.I)
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|<br>)*</p>")
# Patterns that start with a literal character: the regex engine skips to it quickly, which
# matters for the thousands of abstracts of a large file.
LINE_BREAKS = re.compile(r"\n[ \t\n]*")
DOUBLE_SPACES = re.compile(r"  +")
# Spaces that HTML ignores or that pretty-printed sources leave inside brackets
# ("(\n  <i>Tridacna</i>\n  )"), as plain replacements (the text is collapsed first).
SPACED_TAGS = [
    (f"{before}{tag}{after}", tag)
    for tag in ("<p>", "</p>", "<br>")
    for before, after in ((" ", ""), ("", " "))
] + [("( ", "("), (" )", ")")]


def abstract(value: object) -> str:
    """An abstract as sanitised HTML in paragraphs. Plain text is split into paragraphs at
    blank lines; markup outside the allow-list goes, and scripts go with their content."""
    if not isinstance(value, str) or not value.strip():
        return ""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii() and MOJIBAKE.search(text):
        text = repair_mojibake(text)
    text = CONTROL.sub("", text)
    text = STRAY_LT.sub("&lt;", text)
    if BLOCK_TAG.search(text):
        text = TO_PARAGRAPH.sub(r"<\1p>", text)
    else:
        paragraphs = [part.strip() for part in PARAGRAPH_BREAK.split(text.strip())]
        text = "".join(f"<p>{part}</p>" for part in paragraphs if part)
    return tidy(CLEANER.clean(text))


def tidy(fragment: str) -> str:
    """Whitespace collapsed, empty paragraphs dropped, no space at the edges of paragraphs."""
    fragment = collapse_spaces(fragment)
    for spaced, tight in SPACED_TAGS:
        fragment = fragment.replace(spaced, tight)
    fragment = EMPTY_PARAGRAPH.sub("", fragment).strip()
    if fragment and not fragment.startswith("<p>"):
        # Text before the first paragraph (nested paragraphs, a bare sentence) gets its own.
        head, separator, rest = fragment.partition("<p>")
        fragment = f"<p>{head}</p>" + (separator + rest if separator else "")
        fragment = EMPTY_PARAGRAPH.sub("", fragment)
    return fragment


def collapse_spaces(text: str) -> str:
    """Runs of spaces, tabs and line breaks as one space; no-break and thin spaces stay."""
    if "\n" in text:
        text = LINE_BREAKS.sub(" ", text)
    if "\t" in text or "\f" in text:
        text = text.replace("\t", " ").replace("\f", " ")
    if "  " in text:
        text = DOUBLE_SPACES.sub(" ", text)
    return text


def paragraphs(parts: list[str]) -> str:
    """An abstract from paragraphs that may hold inline markup (PubMed's AbstractText)."""
    return abstract("\n\n".join(part for part in parts if part.strip()))


# JATS, as Crossref sends abstracts

JATS_TITLE = re.compile(r"<jats:title\b[^>]*>(.*?)</jats:title>\s*(<jats:p\b[^>]*>)?", re.S)
# The plain JATS tags, replaced as strings (fast); any other JATS or MathML tag is dropped and
# the text inside it stays (sections, lists, links, small capitals, formulas).
JATS_TAGS = [
    (f"<{slash}jats:{name}>", f"<{slash}{tag}>")
    for name, tag in [("p", "p"), ("italic", "i"), ("bold", "b"), ("sub", "sub"), ("sup", "sup")]
    for slash in ("", "/")
] + [("<jats:break/>", "<br>")]
OTHER_JATS_TAG = re.compile(r"</?(?:jats|mml):[^>]*>")
ABSTRACT_HEADINGS = {"abstract", "summary", "résumé", "resumen", "resumo", "zusammenfassung"}


def jats_to_html(value: object) -> str:
    """A JATS abstract (Crossref's `abstract`) as sanitised HTML: paragraphs, italics, bold,
    sub- and superscripts kept; the "Abstract" heading dropped; section headings ("Methods")
    become a bold lead-in of their first paragraph."""
    if not isinstance(value, str) or not value.strip():
        return ""
    # A line break before a sub- or superscript is the deposit's indentation, not a space.
    text = re.sub(r"\n\s*(?=<jats:su[bp]>)", "", value)
    if "<jats:title" in text:
        text = JATS_TITLE.sub(_jats_heading, text)
    for jats, tag in JATS_TAGS:
        text = text.replace(jats, tag)
    return abstract(OTHER_JATS_TAG.sub("", text))


def _jats_heading(match: re.Match) -> str:
    heading = clean(re.sub(r"<[^>]+>", "", match.group(1)))
    paragraph = "<p>" if match.group(2) else ""
    if not heading or heading.lower().rstrip(":.") in ABSTRACT_HEADINGS:
        return paragraph
    if paragraph:
        return f"<p><b>{heading.rstrip(':')}:</b> "
    return f"<p><b>{heading}</b></p>"


# Titles and other one-line fields

INLINE_TAG = re.compile(
    r"</?(?:i|b|em|strong|sub|sup|u|sc|scp|span|font|tt|small|big|math|"
    r"(?:mml|jats):[\w-]+)(?:\s[^<>]*)?/?>",
    re.I,
)


def inline_to_text(value: object) -> str:
    """A title as plain text: Crossref's and CSL's inline formatting (<i>, <sup>, <scp>,
    MathML) removed and entities decoded. Other angle-bracketed text is kept as text."""
    if not isinstance(value, str):
        return clean(value)
    text = INLINE_TAG.sub("", value) if "<" in value else value
    if "&" in text:
        text = html.unescape(text)
    return clean(text).replace("( ", "(").replace(" )", ")")


def html_to_text(fragment: str) -> str:
    """A sanitised abstract as plain text, paragraphs separated by blank lines (for meta tags,
    feeds and exports that cannot carry HTML)."""
    text = re.sub(r"</p>\s*", "\n\n", fragment)
    text = re.sub(r"<br>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text).strip()
