"""Crossref REST API works (api.crossref.org/works): one `{"status": "ok", "message": {...}}`
response, a `message.items` list response, a bare work, a list of works, or JSON lines."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from publications.importing.records import ImportedRecord, ImportFormatError, RecordProblem

from . import markup, names
from .common import (
    Dated,
    JsonLines,
    Skip,
    Unreadable,
    clean,
    first,
    guarded,
    issns,
    make_date,
    normalise_doi,
    normalise_isbn,
    normalise_pages,
)
from .languages import iso_639_1

FORMAT = "crossref"
# Crossref's work types to the portal's output types; the types that are not publications
# (datasets, grants, peer reviews, whole journals…) are left out and reported.
TYPES = {
    "journal-article": "article",
    "book-chapter": "chapter",
    "book-section": "chapter",
    "book-part": "chapter",
    "reference-entry": "chapter",
    "proceedings-article": "conference-contribution-in-proceedings",
    "book": "book",
    "monograph": "book",
    "reference-book": "book",
    "edited-book": "anthology",
    "proceedings": "anthology",
    "posted-content": "working-paper",
    "report": "report",
    "report-component": "report",
    "standard": "report",
    "dissertation": "doctoral-thesis",
}
JOURNAL_TYPES = {"article", "review-article", "letter", "editorial", "comment"}
# Which of a work's dates is its publication date, best first.
DATE_KEYS = ("published", "published-print", "published-online", "issued")


def works(document: object) -> Iterable[object]:
    """The works of a Crossref JSON document, whichever of its shapes it has; JSON lines are
    unwrapped as they are read."""
    if isinstance(document, JsonLines):
        return (work for item in document for work in _unwrap_line(item))
    items = document if isinstance(document, list) else [document]
    return [work for item in items for work in _unwrap(item)]


def _unwrap_line(item: object) -> list[object]:
    try:
        return _unwrap(item)
    except ImportFormatError as exc:
        return [Unreadable(str(exc))]


def _unwrap(item: object) -> list[object]:
    if not (isinstance(item, dict) and "message" in item):
        return [item]
    if item.get("status") not in (None, "ok"):
        message = clean(str(item["message"]))[:200]
        raise ImportFormatError(f"The Crossref response reports an error: {message}")
    message = item["message"]
    if isinstance(message, dict) and isinstance(message.get("items"), list):
        return message["items"]
    return [message]


def is_crossref(item: dict) -> bool:
    """Whether a JSON object looks like a Crossref work rather than a CSL-JSON item."""
    if "message" in item and ("message-type" in item or "status" in item):
        return True
    if isinstance(item.get("title"), list) or isinstance(item.get("container-title"), list):
        return True
    if isinstance(item.get("title"), str):
        return False  # Crossref's titles are lists; CSL's are strings ("book" is in both)
    return item.get("type") in TYPES or bool(
        {"issn-type", "reference-count", "is-referenced-by-count", "member", "prefix"} & set(item)
    )


def records(items: Iterable[object]) -> Iterator[ImportedRecord | RecordProblem]:
    for position, item in enumerate(items, 1):
        if isinstance(item, Unreadable):
            yield RecordProblem(FORMAT, position, "", item.message)
        elif not isinstance(item, dict):
            yield RecordProblem(FORMAT, position, "", "it is not a Crossref work (a JSON object)")
        else:
            doi = normalise_doi(item.get("DOI"))
            yield guarded(FORMAT, position, doi, lambda item=item, p=position: record(item, p))


def record(work: dict, position: int) -> ImportedRecord:
    kind = clean(work.get("type")) or "journal-article"
    if kind not in TYPES:
        raise Skip(f"it is a Crossref “{kind}”, not a kind of publication the portal records")
    output_type = TYPES[kind]
    authors = _names(work.get("author"), "author")
    editors = _names(work.get("editor"), "editor")
    if output_type == "book" and editors and not authors:
        output_type = "anthology"
    container = markup.inline_to_text(first(work.get("container-title")))
    in_journal = output_type in JOURNAL_TYPES
    date, precision = _date(work)
    event = work.get("event") if isinstance(work.get("event"), dict) else {}
    return ImportedRecord(
        format=FORMAT,
        position=position,
        source_id=normalise_doi(work.get("DOI")),
        output_type=output_type,
        title=markup.inline_to_text(first(work.get("title"))),
        subtitle=markup.inline_to_text(first(work.get("subtitle"))),
        abstract=markup.jats_to_html(work.get("abstract")),
        authors=authors + editors,
        journal_title=container if in_journal else "",
        journal_abbreviation=first(work.get("short-container-title")) if in_journal else "",
        issns=_issns(work),
        host_title="" if in_journal else container,
        volume=clean(work.get("volume")),
        issue=clean(work.get("issue")),
        pages=_pages(work),
        article_number=clean(work.get("article-number")),
        date=date,
        date_precision=precision,
        doi=normalise_doi(work.get("DOI")),
        isbn=_isbn(work),
        language=iso_639_1(work.get("language")),
        publisher=clean(work.get("publisher")),
        place_of_publication=clean(work.get("publisher-location")),
        edition=clean(work.get("edition-number")),
        conference_name=clean(event.get("name")),
        conference_location=clean(event.get("location")),
    )


def _names(entries: object, role: str) -> list:
    if not isinstance(entries, list):
        return []
    result = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        affiliations = [
            affiliation.get("name")
            for affiliation in entry.get("affiliation") or []
            if isinstance(affiliation, dict)
        ]
        if entry.get("family") or entry.get("given"):
            name = names.person(
                entry.get("family"),
                entry.get("given"),
                orcid=entry.get("ORCID"),
                affiliations=affiliations,
                role=role,
            )
        elif entry.get("name"):
            name = names.group(entry["name"], affiliations=affiliations, role=role)
        else:
            continue
        result.append((entry.get("sequence"), name))
    # The one author marked "first" leads even when a deposit lists it further down.
    leads = [index for index, (sequence, _) in enumerate(result) if sequence == "first"]
    if len(leads) == 1 and leads[0]:
        result.insert(0, result.pop(leads[0]))
    return [name for _, name in result]


def _pages(work: dict) -> str:
    """The page range; not the article number again, which some publishers also deposit as the
    page (PeerJ's "e17172", Elsevier's "100463")."""
    pages = normalise_pages(work.get("page"))
    return "" if pages == clean(work.get("article-number")) else pages


def _date(work: dict) -> Dated:
    for key in DATE_KEYS:
        value = work.get(key)
        parts = value.get("date-parts") if isinstance(value, dict) else None
        if parts and isinstance(parts[0], list) and parts[0] and parts[0][0]:
            date_parts = list(parts[0][:3]) + [None, None]
            date, precision = make_date(*date_parts[:3])
            if date:
                return date, precision
    return None, "year"


def _issns(work: dict) -> list[str]:
    typed = work.get("issn-type") if isinstance(work.get("issn-type"), list) else []
    order = {"print": 0, "electronic": 1}
    ranked = sorted(
        (entry for entry in typed if isinstance(entry, dict)),
        key=lambda entry: order.get(entry.get("type"), 2),
    )
    return issns([entry.get("value") for entry in ranked], work.get("ISSN"))


def _isbn(work: dict) -> str:
    typed = work.get("isbn-type") if isinstance(work.get("isbn-type"), list) else []
    typed = sorted(
        (entry for entry in typed if isinstance(entry, dict)),
        key=lambda entry: entry.get("type") != "print",
    )
    values = [entry.get("value") for entry in typed]
    values += work.get("ISBN") if isinstance(work.get("ISBN"), list) else []
    for value in values:
        isbn = normalise_isbn(value)
        if isbn:
            return isbn
    return ""
