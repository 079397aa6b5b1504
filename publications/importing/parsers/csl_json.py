"""CSL-JSON, as Zotero, Mendeley and citeproc tools export it: a list of items, or one item."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from publications.importing.records import ImportedRecord, RecordProblem

from . import markup, names
from .bibtex import tex_to_text
from .common import (
    Dated,
    JsonLines,
    Skip,
    Unreadable,
    clean,
    date_from_text,
    guarded,
    issns,
    make_date,
    normalise_doi,
    normalise_isbn,
    normalise_pages,
    preprint_server,
    unique,
)
from .languages import iso_639_1

FORMAT = "csl-json"
TYPES = {
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "review": "article",
    "review-book": "article",
    "article": "working-paper",  # CSL's "article" is a preprint or a working paper
    "manuscript": "working-paper",
    "chapter": "chapter",
    "entry": "chapter",
    "entry-dictionary": "chapter",
    "entry-encyclopedia": "chapter",
    "paper-conference": "conference-contribution-in-proceedings",
    "speech": "conference-paper",
    "book": "book",
    "thesis": "doctoral-thesis",
    "report": "report",
    "standard": "report",
}
JOURNAL_TYPES = {"article"}
STATUSES = {
    "in press": "accepted",
    "forthcoming": "accepted",
    "accepted": "accepted",
    "advance online publication": "epub",
    "ahead of print": "epub",
    "epub ahead of print": "epub",
    "submitted": "submitted",
}
# A TeX accent left in a title by a BibTeX-to-CSL conversion ("Exposici\'on").
TEX_ACCENT = re.compile(r"\\[`'^\"~=.uvHckr]|\{\\")


def items_of(document: object) -> Iterable[object]:
    if isinstance(document, JsonLines):
        return document
    if isinstance(document, dict) and isinstance(document.get("items"), list):
        return document["items"]
    return document if isinstance(document, list) else [document]


def is_csl(item: dict) -> bool:
    """Whether a JSON object looks like a CSL-JSON item."""
    return item.get("type") in TYPES or isinstance(item.get("title"), str)


def records(items: Iterable[object]) -> Iterator[ImportedRecord | RecordProblem]:
    for position, item in enumerate(items, 1):
        if isinstance(item, Unreadable):
            yield RecordProblem(FORMAT, position, "", item.message)
        elif not isinstance(item, dict):
            yield RecordProblem(FORMAT, position, "", "it is not a CSL-JSON item (a JSON object)")
        else:
            ident = clean(item.get("id")) or normalise_doi(item.get("DOI"))
            yield guarded(FORMAT, position, ident, lambda item=item, p=position: record(item, p))


def record(item: dict, position: int) -> ImportedRecord:
    kind = clean(item.get("type"))
    if kind not in TYPES:
        raise Skip(f"it is a CSL “{kind or 'untyped'}” item, not a kind of publication")
    output_type = TYPES[kind]
    if kind == "thesis" and re.search(r"master|m\.?sc|m\.?a\b", clean(item.get("genre")), re.I):
        output_type = "masters-thesis"
    authors = _names(item.get("author"), "author")
    editors = _names(item.get("editor"), "editor")
    if output_type == "book" and editors and not authors:
        output_type = "anthology"
    container = _title(item.get("container-title"))
    publisher = clean(item.get("publisher"))
    if output_type == "article" and (server := preprint_server(container)):
        # Zotero types arXiv papers as journal articles in the journal "arXiv:1501.04916".
        output_type, publisher, container = "working-paper", publisher or server, ""
    in_journal = output_type in JOURNAL_TYPES
    date, precision = _date(item.get("issued"))
    note = clean(item.get("note"))
    pmid_in_note = re.search(r"\bPMID:\s*(\d+)", note)
    abstract = item.get("abstract")
    page = normalise_pages(item.get("page"))
    return ImportedRecord(
        format=FORMAT,
        position=position,
        source_id=clean(item.get("id")),
        output_type=output_type,
        title=_title(item.get("title")),
        abstract=markup.jats_to_html(abstract)
        if isinstance(abstract, str) and "<jats:" in abstract
        else markup.abstract(abstract),
        authors=authors + editors,
        journal_title=container if in_journal else "",
        journal_abbreviation=clean(
            item.get("container-title-short") or item.get("journalAbbreviation")
        )
        if in_journal
        else "",
        issns=issns(item.get("ISSN")),
        host_title="" if in_journal else container,
        volume=clean(item.get("volume")),
        issue=clean(item.get("issue")),
        pages="" if in_journal and page == clean(item.get("number")) else page,
        article_number=clean(item.get("number")) if in_journal else "",
        number_of_pages=_count(item.get("number-of-pages")),
        date=date,
        date_precision=precision,
        status=STATUSES.get(clean(item.get("status")).lower(), "published"),
        doi=normalise_doi(item.get("DOI")),
        pmid=clean(item.get("PMID")) or (pmid_in_note.group(1) if pmid_in_note else ""),
        isbn=normalise_isbn(item.get("ISBN")),
        language=iso_639_1(item.get("language")),
        keywords=_keywords(item.get("keyword")),
        publisher=publisher,
        place_of_publication=clean(item.get("publisher-place")),
        edition=clean(item.get("edition")),
        conference_name=clean(item.get("event-title") or item.get("event")),
        conference_location=clean(item.get("event-place")),
        url=clean(item.get("URL")),
    )


def _title(value: object) -> str:
    text = value if isinstance(value, str) else ""
    if TEX_ACCENT.search(text):
        text = tex_to_text(text)
    return markup.inline_to_text(text)


def _names(entries: object, role: str) -> list:
    result = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        if entry.get("family") or entry.get("given"):
            particle = " ".join(
                clean(entry.get(key))
                for key in ("dropping-particle", "non-dropping-particle")
                if clean(entry.get(key))
            )
            result.append(
                names.person(
                    entry.get("family"),
                    entry.get("given"),
                    particle=particle,
                    orcid=entry.get("ORCID"),
                    role=role,
                )
            )
        elif entry.get("literal"):
            result.append(names.group(entry["literal"], role=role))
    return result


def _date(value: object) -> Dated:
    if isinstance(value, str):
        return date_from_text(value)
    if not isinstance(value, dict):
        return None, "year"
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        padded = list(parts[0][:3]) + [None, None]
        date, precision = make_date(*padded[:3])
        if date:
            return date, precision
    return date_from_text(value.get("raw") or value.get("literal"))


def _keywords(value: object) -> list[str]:
    if isinstance(value, list):
        return unique(clean(word) for word in value)
    text = clean(value)
    separator = ";" if ";" in text else ","
    return unique(clean(word) for word in text.split(separator))


def _count(value: object) -> int | None:
    match = re.match(r"\d+", clean(value))
    return int(match.group(0)) if match else None
