"""From an ImportedRecord to the portal's fields: checks, identifiers, the record's keys for
re-import, the publication's fields, names as printed, search text."""

from __future__ import annotations

import functools
import hashlib
import unicodedata

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from publications import validators
from publications.importing.records import ImportedName, ImportedRecord
from publications.models import (
    LANGUAGE_CHOICES,
    Authorship,
    DatePrecision,
    Journal,
    OutputType,
    Person,
    Publication,
    PublicationStatus,
    initials_of,
)

LANGUAGES = {code for code, _ in LANGUAGE_CHOICES}
# Record fields copied onto the publication; an empty imported value never blanks a stored one.
COPIED = [
    "title",
    "subtitle",
    "abstract",
    "volume",
    "issue",
    "pages",
    "article_number",
    "host_title",
    "edition",
    "publisher",
    "place_of_publication",
    "conference_name",
    "conference_location",
    "pmid",
    "isbn",
    "scopus_eid",
]
LIMITS = {field.name: field.max_length for field in Publication._meta.fields if field.max_length}
# The longest author lists in print run to about 15,000 names (COVIDSurg, 2021). Beyond this a
# record is refused with a message rather than written: a 30,000-name list no longer fits one
# statement (PostgreSQL's stack depth) and took minutes one author at a time.
MAX_AUTHORS = 20_000
# Indexing services give a record a few dozen keywords; thousands are a broken export.
MAX_KEYWORDS = 1_000
# Abstracts run to a few thousand characters. A megabyte of text overflows the search vector
# (PostgreSQL's tsvector holds 1 MB), which failed the record with a message about tsvectors.
MAX_ABSTRACT = 100_000


class RecordError(ValueError):
    """A record that cannot become a publication; the message says why, for a librarian."""


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case and accents folded, spaces collapsed: how names and titles are compared. Cached:
    an import folds the same names, affiliations and journal titles over and over."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.lower().split())


BOOK_TYPES = {OutputType.BOOK, OutputType.ANTHOLOGY, OutputType.CHAPTER}
BATCH = 1000  # new records written together (fewer, larger statements and commits)
CLEAN_EXCLUDE = ["slug", "journal", "keywords", "subject_areas", "source_ids"]


def wants_journal(record: ImportedRecord) -> bool:
    return bool(record.journal_title or record.issns) and record.output_type not in BOOK_TYPES


def record_issns(record: ImportedRecord) -> list[str]:
    return [issn for issn in (normal_issn(value) for value in record.issns) if issn]


def journal_key(record: ImportedRecord) -> str:
    return "|".join(record_issns(record)) or fold(record.journal_title)


def record_keys(record: ImportedRecord) -> set[str]:
    """What makes two records the same publication: DOI, PubMed ID, or the source's own id."""
    keys = set()
    if record.doi:
        keys.add(f"doi:{record.doi}")
    if record.pmid:
        keys.add(f"pmid:{record.pmid}")
    keys.add(f"source:{source_key(record)}")
    return keys


def existing_keys(records: list[ImportedRecord]) -> set[str]:
    """Which of these records' keys the portal already has (one query)."""
    dois = [record.doi for record in records if record.doi]
    pmids = [record.pmid for record in records if record.pmid]
    sources = [source_key(record) for record in records]
    if not (dois or pmids or sources):
        return set()
    # Three indexed lookups (the DOI and PMID indexes are partial, on non-empty values), united:
    # as one OR, PostgreSQL read all 1,000,000 records per batch (6 s). For an overlap with a
    # thousand source ids the planner expects every row to match and would read the table
    # anyway, so sequential scans are ruled out for this one statement: the GIN index is read
    # once for all the ids.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            """
            SELECT doi, pmid, source_ids FROM publications_publication
            WHERE lower(doi) = ANY(%s) AND doi <> ''
            UNION
            SELECT doi, pmid, source_ids FROM publications_publication
            WHERE pmid = ANY(%s) AND pmid <> ''
            UNION
            SELECT doi, pmid, source_ids FROM publications_publication
            WHERE source_ids && %s::varchar[]
            """,
            [[doi.lower() for doi in dois], pmids, sources],
        )
        found = cursor.fetchall()
        cursor.execute("SET LOCAL enable_seqscan = DEFAULT")
    keys = set()
    for doi, pmid, source_ids in found:
        keys |= {f"doi:{doi.lower()}", f"pmid:{pmid}"} | {f"source:{s}" for s in source_ids}
    return keys


def clean_terms(terms: list[str]) -> list[str]:
    return [term for term in (" ".join(t.split())[:200] for t in terms) if term]


def terms_of(record: ImportedRecord) -> list[str]:
    return clean_terms(record.keywords)


def unique_terms(terms: list[str]) -> list[str]:
    """The terms in order, each once (case-insensitively)."""
    seen: set[str] = set()
    return [t for t in terms if not (t.lower() in seen or seen.add(t.lower()))]


def search_names(
    names: list[ImportedName], people: list[Person | None], journal: Journal | None
) -> str:
    """Authors' printed, given and family names and the journal's title, as
    refresh_search_text() joins them (SQL's concat_ws: empty strings kept, NULLs skipped)."""
    authors = []
    for name, person in zip(names, people, strict=True):
        parts = [printed_name(name)[:300]]
        if person is not None:
            parts += [person.given_name, person.family_name]
        authors.append(" ".join(parts))
    text = [" ".join(authors)] if authors else []
    if journal is not None:
        text.append(journal.title)
    return " ".join(text)


def authorship_for(
    publication: Publication, person: Person | None, position: int, name: ImportedName
) -> Authorship:
    return Authorship(
        publication=publication,
        person=person,
        position=position,
        role=name.role if name.role in {"author", "editor"} else "author",
        name_as_printed=printed_name(name)[:300],
    )


AUTHORSHIP_COLUMNS = [
    "publication_id",
    "person_id",
    "position",
    "role",
    "name_as_printed",
    "corresponding",
]


def authorship_row(
    publication_id: int, person_id: int | None, position: int, name: ImportedName
) -> tuple:
    """authorship_for's values, in AUTHORSHIP_COLUMNS order, for a COPY."""
    role = name.role if name.role in {"author", "editor"} else "author"
    return (publication_id, person_id, position, role, printed_name(name)[:300], False)


def source_key(record: ImportedRecord) -> str:
    """The record's id in its source ("bibtex:ghezzi1997"); a record without one (an RIS record
    with no ID) is known by its content: folded title, year and first author."""
    if record.source_id:
        return f"{record.format}:{record.source_id}"[:300]
    first = record.authors[0] if record.authors else None
    author = fold(first.family_name or first.literal) if first else ""
    year = record.date.year if record.date else ""
    content = f"{fold(record.title)}|{year}|{author}"
    return f"{record.format}:content:{hashlib.sha1(content.encode()).hexdigest()}"


def check(record: ImportedRecord) -> None:
    if not record.title.strip():
        raise RecordError("it has no title")
    if record.doi and not validators.DOI_RE.match(record.doi):
        raise RecordError(f"its DOI {record.doi[:80]!r} is not a DOI (10.<prefix>/<suffix>)")
    if record.output_type not in OutputType.values:
        raise RecordError(f"its type {record.output_type!r} is not an output type")
    if len(record.authors) > MAX_AUTHORS:
        raise RecordError(
            f"it has {len(record.authors):,} authors and editors: the portal takes at most "
            f"{MAX_AUTHORS:,} a record"
        )
    if len(record.abstract) > MAX_ABSTRACT:
        raise RecordError(
            f"its abstract has {len(record.abstract):,} characters: the portal takes at most "
            f"{MAX_ABSTRACT:,}"
        )
    if len(record.keywords) > MAX_KEYWORDS:
        raise RecordError(
            f"it has {len(record.keywords):,} keywords: the portal takes at most "
            f"{MAX_KEYWORDS:,} a record"
        )


def valid_orcid(value: str) -> str:
    """The ORCID iD normalised, or "" when it is malformed or its check digit is wrong."""
    if not value:
        return ""
    try:
        orcid = validators.normalise_orcid(value)
        validators.validate_orcid(orcid)
    except (ValidationError, ValueError):
        return ""
    return orcid


def normal_issn(value: str) -> str:
    try:
        issn = validators.normalise_issn(value)
        validators.validate_issn(issn)
    except (ValidationError, ValueError):
        return ""
    return issn


def apply_fields(publication: Publication, record: ImportedRecord, journal: Journal | None) -> None:
    for name in COPIED:
        value = getattr(record, name)
        if value:
            limit = LIMITS.get(name)
            setattr(publication, name, value[:limit] if limit else value)
    if record.doi:
        publication.doi = record.doi
    if journal is not None:
        publication.journal = journal
    if record.output_type:
        publication.output_type = record.output_type
    if record.language in LANGUAGES:
        publication.language = record.language
    if record.date:
        publication.date = precise_date(record)
        publication.date_precision = record.date_precision
    if record.status in PublicationStatus.values:
        publication.status = record.status
    if record.number_of_pages and not publication.number_of_pages:
        publication.number_of_pages = record.number_of_pages
    key = source_key(record)
    if key not in publication.source_ids:
        publication.source_ids = [*publication.source_ids, key]
    publication.peer_reviewed = publication.peer_reviewed or record.output_type in {
        OutputType.ARTICLE,
        OutputType.REVIEW_ARTICLE,
    }


def precise_date(record: ImportedRecord):
    """The date as the model stores it at its precision (1 January, or the 1st)."""
    date = record.date
    if record.date_precision == DatePrecision.YEAR:
        return date.replace(month=1, day=1)
    if record.date_precision == DatePrecision.MONTH:
        return date.replace(day=1)
    return date


def snapshot(publication: Publication) -> tuple:
    names = [*COPIED, "doi", "journal_id", "output_type", "language", "date", "date_precision"]
    return tuple(getattr(publication, name) for name in [*names, "status", "source_ids"])


def printed_name(name: ImportedName) -> str:
    if name.literal:
        return name.literal
    initials = name.initials or initials_of(name.given)
    return f"{initials} {name.family_name}".strip()


def first_initial(person: Person) -> str:
    """The first letter of a person's initials (or given name), lower-cased; "" without."""
    return (person.initials or initials_of(person.given_name))[:1].lower()


def same_first_initial(person: Person, initials: str) -> bool:
    """No initials on either side is no contradiction; otherwise the first letters agree."""
    theirs = first_initial(person)
    ours = initials[:1].lower()
    return not theirs or not ours or theirs == ours


def describe(error: Exception) -> str:
    """One line for a librarian: a validation error's messages, else the error's first line."""
    if isinstance(error, ValidationError):
        if hasattr(error, "message_dict"):
            return "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
            )
        return " ".join(error.messages)
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
