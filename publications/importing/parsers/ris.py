"""RIS, as reference managers and databases export it (Zotero, EndNote, Scopus, PubMed, Embase,
Rayyan, Pure, Lens…), read with rispy. The file is cut into records here first, so that a record
without its closing "ER  - " line is reported instead of being merged into the next one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import rispy

from publications.importing.records import ImportedRecord, ImportFormatError, RecordProblem

from . import markup, names
from .common import (
    Dated,
    Skip,
    clean,
    clean_block,
    date_from_text,
    find_doi,
    guarded,
    issns,
    make_date,
    month_number,
    more_precise,
    normalise_doi,
    normalise_isbn,
    page_range,
    preprint_server,
    scopus_eid,
    unique,
)
from .languages import iso_639_1

FORMAT = "ris"
TAG_LINE = re.compile(r"([A-Z][A-Z0-9])  -(?: |$)")
# Repeated tags become lists; so do the abstract's lines, which keep its paragraphs.
LIST_TAGS = [*rispy.LIST_TYPE_TAGS, "AD", "AB", "N2", "SN"]
TYPES = {
    "JOUR": "article",
    "JFULL": "article",
    "EJOUR": "article",
    "MGZN": "article",
    "NEWS": "article",
    "INPR": "article",
    "ABST": "conference-abstract",
    "CHAP": "chapter",
    "ECHAP": "chapter",
    "ENCYC": "chapter",
    "DICT": "chapter",
    "BOOK": "book",
    "EBOOK": "book",
    "EDBOOK": "anthology",
    "CONF": "conference-contribution-in-proceedings",
    "CPAPER": "conference-contribution-in-proceedings",
    "THES": "doctoral-thesis",
    "RPRT": "report",
    "GOVDOC": "report",
    "STAND": "report",
    "UNPB": "working-paper",
    "MANSCPT": "working-paper",
}
# Types that say little: the record is an article when it names a journal. Rayyan exports
# CINAHL's case studies as CASE and its correction notices as GEN.
VAGUE_TYPES = {"GEN", "CASE", "ELEC", "ICOMM", "SER", ""}
# Some exporters write the type's name instead of its code.
TYPE_NAMES = {
    "journal article": "JOUR",
    "article": "JOUR",
    "book section": "CHAP",
    "book chapter": "CHAP",
    "book": "BOOK",
    "edited book": "EDBOOK",
    "conference paper": "CPAPER",
    "conference proceedings": "CONF",
    "conference proceeding": "CONF",
    "thesis": "THES",
    "report": "RPRT",
    "generic": "GEN",
}
# Scopus's and Embase's document types (M3) refine a JOUR record.
DOCUMENT_TYPES = {
    "review": "review-article",
    "short survey": "review-article",
    "letter": "letter",
    "editorial": "editorial",
    "comment": "comment",
    "conference paper": "conference-article",
    "conference abstract": "conference-abstract",
}
JOURNAL_TYPES = {"article", "review-article", "letter", "editorial", "comment"}
WITH_EDITORS = {"CHAP", "ECHAP", "BOOK", "EBOOK", "EDBOOK", "CONF", "CPAPER", "ENCYC", "DICT"}


@dataclass
class _Chunk:
    line: int
    lines: list[str] = field(default_factory=list)
    ended: bool = False


def records(text: str) -> Iterator[ImportedRecord | RecordProblem]:
    """Cuts the whole file into records first (no "TY  - " line at all raises
    ImportFormatError), then yields them."""
    chunks = _split(text)
    if not chunks:
        raise ImportFormatError("No RIS records were found (a record starts with a line “TY  - ”).")
    return _records(chunks)


def _split(text: str) -> list[_Chunk]:
    chunks: list[_Chunk] = []
    current: _Chunk | None = None
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.lstrip("\ufeff")
        match = TAG_LINE.match(line)
        tag = match.group(1) if match else None
        if tag == "TY":
            current = _Chunk(number, [line])
            chunks.append(current)
        elif current is not None and not current.ended:
            current.lines.append(line)
            current.ended = tag == "ER"
    return chunks


def _records(chunks: list[_Chunk]) -> Iterator[ImportedRecord | RecordProblem]:
    parser = rispy.RisParser(list_tags=LIST_TAGS, enforce_list_tags=False)
    for position, chunk in enumerate(chunks, 1):
        if not chunk.ended:
            yield RecordProblem(
                FORMAT,
                position,
                _id_in(chunk.lines),
                f"the record starting on line {chunk.line} has no end line “ER  - ” "
                "(the file may be cut off)",
            )
            continue
        yield guarded(
            FORMAT,
            position,
            _id_in(chunk.lines),
            lambda c=chunk, p=position: record(parser.parse_lines(iter(c.lines))[0], p),
        )


def _id_in(lines: list[str]) -> str:
    for tag in ("ID", "AN", "DO"):
        for line in lines:
            if line.startswith(f"{tag}  - "):
                return clean(line[6:])
    return ""


class _Fields:
    """A rispy record read by tag meaning: every value a list of cleaned strings."""

    def __init__(self, entry: dict) -> None:
        self.entry = entry

    def all(self, key: str) -> list[str]:
        value = self.entry.get(key)
        if value is None and key.isupper() and len(key) == 2:
            value = self.entry.get("unknown_tag", {}).get(key)
        items = value if isinstance(value, list) else [value]
        return [text for text in (clean(item) for item in items) if text]

    def one(self, *keys: str) -> str:
        for key in keys:
            values = self.all(key)
            if values:
                return values[0]
        return ""


def record(entry: dict, position: int) -> ImportedRecord:
    fields = _Fields(entry)
    code = fields.one("type_of_reference").upper()
    code = TYPE_NAMES.get(code.lower(), code)
    journal = fields.one("alternate_title3", "journal_name")
    if code in ("JOUR", "JFULL", "EJOUR", "MGZN", "NEWS", "INPR", *VAGUE_TYPES):
        journal = journal or fields.one("secondary_title", "alternate_title2", "alternate_title1")
    output_type = _output_type(code, fields, has_journal=bool(journal))
    publisher = fields.one("publisher")
    if output_type == "article" and (server := preprint_server(journal)):
        output_type, publisher, journal = "working-paper", publisher or server, ""
    in_journal = output_type in JOURNAL_TYPES
    abbreviation = fields.one("alternate_title2", "alternate_title1", "J1")
    title = fields.one("title", "primary_title", "BT", "CT", "short_title")
    subtitle = ""
    host = ""
    secondary = fields.one("secondary_title")
    if not in_journal:
        host = fields.one("BT") if title != fields.one("BT") else ""
        if code in WITH_EDITORS and code not in ("BOOK", "EBOOK", "EDBOOK"):
            host = secondary or host
        elif secondary[:1].islower():
            subtitle = secondary  # Pure writes a thesis's or book's subtitle in T2
    authors = [
        names.from_string(text) for text in fields.all("authors") + fields.all("first_authors")
    ]
    if code in WITH_EDITORS:
        editors = fields.all("secondary_authors") + fields.all("ED")
        authors += [names.from_string(text, role="editor") for text in editors]
    urls = fields.all("urls")
    notes = fields.all("notes")
    date, precision = _date(fields)
    isbn, serials = "", []
    for value in fields.all("issn"):
        candidate = normalise_isbn(value)
        if candidate:
            isbn = isbn or candidate
        else:
            serials.append(value)
    return ImportedRecord(
        format=FORMAT,
        position=position,
        source_id=fields.one("id", "accession_number"),
        output_type=output_type,
        title=title,
        subtitle=subtitle,
        # Each line of an abstract is a paragraph (EndNote writes paragraphs as lines).
        abstract=markup.abstract(
            "\n\n".join(clean_block(line) for line in _raw(entry, "abstract", "notes_abstract"))
        ),
        authors=[name for name in authors if name],
        journal_title=journal if in_journal else "",
        journal_abbreviation=abbreviation if in_journal and abbreviation != journal else "",
        issns=issns(serials),
        host_title=host,
        volume=fields.one("volume", "VO"),
        issue=fields.one("number"),
        pages=page_range(fields.one("start_page"), fields.one("end_page")),
        article_number=fields.one("custom7") if in_journal else "",
        date=date,
        date_precision=precision,
        status={"INPR": "accepted", "UNPB": "unpublished"}.get(code, "published"),
        doi=normalise_doi(fields.one("doi"))
        or next((doi for doi in map(find_doi, urls + notes) if doi), ""),
        pmid=_pmid(fields, urls + notes),
        isbn=isbn,
        scopus_eid=next((eid for eid in map(scopus_eid, urls) if eid), ""),
        language=iso_639_1(fields.one("language")),
        keywords=_keywords(fields.all("keywords")),
        publisher=publisher,
        place_of_publication=fields.one("place_published"),
        edition=fields.one("edition"),
        url=next((url for url in urls if url.startswith("http") and "doi.org/" not in url), ""),
    )


def _raw(entry: dict, *keys: str) -> list[str]:
    for key in keys:
        value = entry.get(key)
        if value:
            return value if isinstance(value, list) else [value]
    return []


def _output_type(code: str, fields: _Fields, *, has_journal: bool) -> str:
    if code in VAGUE_TYPES:
        if has_journal:
            return "article"
        if code in ("GEN", ""):
            return "working-paper"
        raise Skip(f"its RIS type {code} is not a kind of publication and it names no journal")
    if code not in TYPES:
        raise Skip(f"its RIS type {code} is not a kind of publication the portal records")
    output_type = TYPES[code]
    kind = fields.one("type_of_work").lower()
    if code == "JOUR" and kind in DOCUMENT_TYPES:
        output_type = DOCUMENT_TYPES[kind]
    if code == "THES" and re.search(r"master|m\.?sc|\bma\b", kind):
        output_type = "masters-thesis"
    return output_type


def _date(fields: _Fields) -> Dated:
    by_year = more_precise(
        date_from_text(fields.one("year")), date_from_text(fields.one("publication_year"))
    )
    text = fields.one("date")
    full = date_from_text(text)
    if full[0] is None and by_year[0] and month_number(text.split(" ")[0].rstrip(".")):
        # Rayyan writes the month alone in DA ("Jan") and the year in PY.
        full = make_date(by_year[0].year, text.split(" ")[0].rstrip("."))
    if full[0] and (by_year[0] is None or full[0].year == by_year[0].year):
        return more_precise(full, by_year)
    return by_year


def _pmid(fields: _Fields, texts: list[str]) -> str:
    database = (fields.one("name_of_database") + fields.one("database_provider")).lower()
    accession = fields.one("accession_number")
    if accession.isdigit() and any(name in database for name in ("pubmed", "medline", "nlm")):
        return accession
    if "scopus" in database and fields.one("custom2").isdigit():
        return fields.one("custom2")  # Scopus writes the PubMed ID in C2
    for text in texts:
        match = re.search(r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|/pubmed/|\bPMID:?\s*)(\d+)", text)
        if match:
            return match.group(1)
    return ""


def _keywords(values: list[str]) -> list[str]:
    words = []
    for value in values:
        words += value.split(";") if ";" in value else [value]
    return unique(clean(word) for word in words)
