"""One record as CSL-JSON, BibTeX, RIS and a CSV row, from a publication loaded with
for_detail() or a listing's ExportRecord (no queries). BibTeX and RIS are written here, in the
layout of bibtexparser's and rispy's writers, which cost about 25 µs a record each: a quarter
of a second in a 10,000-record export. The tests read them back with those libraries' parsers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from itertools import islice

from publications.export_rows import ExportName, ExportRecord, record_of
from publications.models import DatePrecision, Publication

MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

# Output type -> (CSL type, BibTeX entry type, RIS type).
TYPES = {
    "article": ("article-journal", "article", "JOUR"),
    "review-article": ("article-journal", "article", "JOUR"),
    "letter": ("article-journal", "article", "JOUR"),
    "editorial": ("article-journal", "article", "JOUR"),
    "comment": ("article-journal", "article", "JOUR"),
    "conference-article": ("article-journal", "article", "JOUR"),
    "chapter": ("chapter", "incollection", "CHAP"),
    "conference-contribution-in-proceedings": ("paper-conference", "inproceedings", "CPAPER"),
    "book": ("book", "book", "BOOK"),
    "anthology": ("book", "book", "EDBOOK"),
    "report": ("report", "techreport", "RPRT"),
    "conference-paper": ("paper-conference", "inproceedings", "CONF"),
    "conference-poster": ("speech", "misc", "CONF"),
    "conference-abstract": ("paper-conference", "misc", "ABST"),
    "doctoral-thesis": ("thesis", "phdthesis", "THES"),
    "masters-thesis": ("thesis", "mastersthesis", "THES"),
    "working-paper": ("report", "techreport", "RPRT"),
}


def choice_labels(field_name: str) -> dict[str, str]:
    """What get_<field>_display() gives for each value, looked up once."""
    field = Publication._meta.get_field(field_name)
    return {value: str(label) for value, label in field.flatchoices}


OUTPUT_TYPE_NAMES = choice_labels("output_type")
LANGUAGE_NAMES = choice_labels("language")


def as_record(publication: Publication | ExportRecord) -> ExportRecord:
    return publication if isinstance(publication, ExportRecord) else record_of(publication)


def names_of(record: ExportRecord, role: str = "author") -> list[ExportName]:
    return [name for name in record.names if name.role == role]


# CSL-JSON


def split_particle(family_name: str) -> tuple[str, str]:
    """("van der", "Zee") from "van der Zee": the lowercase words before the family name proper
    are its non-dropping particle, which a style prints ("van der Zee, J.") or sorts by ("Zee,
    J. van der") as it wants. A name with no capitalised word is left whole."""
    words = family_name.split(" ")
    for index, word in enumerate(words):
        if word[:1].isupper() or not word[:1].isalpha():
            return " ".join(words[:index]), " ".join(words[index:])
    return "", family_name


def csl_name(name: ExportName) -> dict:
    """A CSL name: a person's family name (with any particle apart) and given name or initials,
    or a group's name as a literal."""
    if name.family_name is None:
        return {"literal": name.display_name}
    particle, family = split_particle(name.family_name)
    item = {"family": family}
    if particle:
        item["non-dropping-particle"] = particle
    if name.given:
        item["given"] = name.given
    return item


def csl_json(publication: Publication | ExportRecord, url: str = "") -> dict:
    """The record as a CSL-JSON item (citeproc's input and the .json export)."""
    publication = as_record(publication)
    item: dict = {
        "id": publication.slug,
        "type": TYPES.get(publication.output_type, ("article", "misc", "GEN"))[0],
        "title": publication.full_title,
        "author": [csl_name(a) for a in names_of(publication)],
        "language": publication.language,
    }
    editors = [csl_name(a) for a in names_of(publication, "editor")]
    if editors:
        item["editor"] = editors
    if publication.date:
        parts = [publication.date.year]
        if publication.date_precision != DatePrecision.YEAR:
            parts.append(publication.date.month)
        if publication.date_precision == DatePrecision.DAY:
            parts.append(publication.date.day)
        item["issued"] = {"date-parts": [parts]}
    journal = publication.journal
    container = journal.title if journal else publication.host_title
    optional = {
        "container-title": container,
        "container-title-short": journal.abbreviation if journal else "",
        "ISSN": (journal.issn or journal.eissn) if journal else "",
        "volume": publication.volume,
        "issue": publication.issue,
        "page": publication.page_range,
        "number": publication.article_number,
        "number-of-pages": str(publication.number_of_pages or "") if not journal else "",
        "DOI": publication.doi,
        "PMID": publication.pmid,
        "ISBN": publication.isbn,
        "abstract": publication.abstract_text,
        "keyword": ", ".join(publication.keywords),
        "publisher": publication.publisher or (journal.publisher if journal else ""),
        "publisher-place": publication.place_of_publication,
        "edition": publication.edition,
        "event-title": publication.conference_name,
        "event-place": publication.conference_location,
        "genre": OUTPUT_TYPE_NAMES.get(publication.output_type, publication.output_type)
        if publication.output_type in {"working-paper", "doctoral-thesis", "masters-thesis"}
        else "",
        "URL": url,
    }
    item.update({key: value for key, value in optional.items() if value})
    return item


# BibTeX

# Applied in this order, so the braces of a backslash's \textbackslash{} are escaped by the next
# step (\textbackslash\{\}), as the exports have always written it.
BIBTEX_ESCAPES = [
    ("\\", r"\textbackslash{}"),
    *((char, "\\" + char) for char in "&%$#_{}"),
    ("~", r"\textasciitilde{}"),
    ("^", r"\textasciicircum{}"),
]


def bibtex_escape(text: str) -> str:
    """Escapes BibTeX's special characters; letters stay Unicode (biber and modern BibTeX read
    UTF-8). A replace() only for the characters present: most values have none."""
    for char, escaped in BIBTEX_ESCAPES:
        if char in text:
            text = text.replace(char, escaped)
    return text


def has_capital(text: str) -> bool:
    if text.isascii():  # lower() changes exactly the capitals A-Z: one call, not one per letter
        return text != text.lower()
    return any(char.isupper() for char in text)


def protect_capitals(title: str) -> str:
    """Braces around words whose capitals a style must keep (HIV, IL-2, Ghezzi), so a style that
    lowercases titles leaves them alone; the first word's initial capital needs none."""
    words = title.split(" ")
    protected = []
    for index, word in enumerate(words):
        later_capital = has_capital(word[1:])
        capitalised_inside = index > 0 and word[:1].isupper()
        protected.append(f"{{{word}}}" if later_capital or capitalised_inside else word)
    return " ".join(protected)


def bibtex_name(name: ExportName) -> str:
    if name.family_name is None:
        return "{" + bibtex_escape(name.display_name) + "}"
    family = bibtex_escape(name.family_name)
    return f"{family}, {bibtex_escape(name.given)}" if name.given else family


def ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def bibtex_key(publication: ExportRecord) -> str:
    """A stable key: first author's family name, year, first long title word
    ('ghezzi1997experiences')."""
    authors = names_of(publication)
    first = authors[0] if authors else None
    family = (
        first.family_name
        if first and first.family_name is not None
        else (first.display_name if first else "anon")
    )
    words = [w for w in re.findall(r"\w+", publication.title) if len(w) > 3] or ["untitled"]
    year = str(publication.date.year) if publication.date else "nd"
    return (ascii_word(family) or "anon") + year + ascii_word(words[0])


def braced(text: str) -> str:
    return "{" + text + "}"


def bibtex(publication: Publication | ExportRecord, url: str = "") -> str:
    publication = as_record(publication)
    entry_type = TYPES.get(publication.output_type, ("", "misc", ""))[1]
    fields: list[tuple[str, str]] = []
    authors = names_of(publication)
    if authors:
        fields.append(("author", braced(" and ".join(bibtex_name(a) for a in authors))))
    editors = names_of(publication, "editor")
    if editors:
        fields.append(("editor", braced(" and ".join(bibtex_name(a) for a in editors))))
    fields.append(("title", braced(protect_capitals(bibtex_escape(publication.full_title)))))
    journal = publication.journal
    if journal:
        fields.append(("journal", braced(bibtex_escape(journal.title))))
    elif publication.host_title:
        fields.append(("booktitle", braced(bibtex_escape(publication.host_title))))
    if publication.date:
        fields.append(("year", str(publication.date.year)))
        if publication.date_precision != DatePrecision.YEAR:
            fields.append(("month", MONTHS[publication.date.month - 1]))  # a bare macro
    simple = [
        ("volume", publication.volume),
        ("number", publication.issue),
        ("pages", publication.page_range.replace("-", "--")),
        ("eid", publication.article_number),
        ("publisher", publication.publisher or (journal.publisher if journal else "")),
        ("address", publication.place_of_publication),
        ("edition", publication.edition),
        ("isbn", publication.isbn),
        ("issn", (journal.issn or journal.eissn) if journal else ""),
        ("doi", publication.doi),
        ("keywords", ", ".join(publication.keywords)),
        ("abstract", publication.abstract_text),
        ("language", LANGUAGE_NAMES.get(publication.language, publication.language).lower()),
        ("url", url),
    ]
    for name, value in simple:
        if value:
            escaped = value if name in {"doi", "url"} else bibtex_escape(value)
            fields.append((name, braced(escaped)))
    if entry_type in {"phdthesis", "mastersthesis"} and publication.publisher:
        fields.append(("school", braced(bibtex_escape(publication.publisher))))
    # As bibtexparser writes an entry: a tab before each field, no comma after the last. Values
    # carry their own braces, so month stays the bare macro `jan`.
    body = ",\n".join(f"\t{name} = {value}" for name, value in fields)
    return f"@{entry_type}{{{bibtex_key(publication)},\n{body}\n}}\n"


# RIS


def ris_name(name: ExportName) -> str:
    if name.family_name is None:
        return name.display_name
    return f"{name.family_name}, {name.given}" if name.given else name.family_name


def ris(publication: Publication | ExportRecord, url: str = "") -> str:
    """The record in RIS as rispy writes it (without its "1." counter line, which is no tag)."""
    publication = as_record(publication)
    journal = publication.journal
    lines = [
        ("TY", TYPES.get(publication.output_type, ("", "", "GEN"))[2]),
        ("TI", publication.full_title),
        *(("AU", ris_name(a)) for a in names_of(publication)),
        ("LA", publication.language),
    ]
    if publication.date:
        month = (
            f"{publication.date.month:02d}"
            if publication.date_precision != DatePrecision.YEAR
            else ""
        )
        day = (
            f"{publication.date.day:02d}" if publication.date_precision == DatePrecision.DAY else ""
        )
        lines.append(("PY", f"{publication.date.year}/{month}/{day}/"))
    # In rispy's order; a list is a line per item (none if empty), any other empty value none.
    optional = [
        ("JO", journal.title if journal else ""),
        ("T2", journal.title if journal else publication.host_title),
        ("JA", journal.abbreviation if journal else ""),
        ("VL", publication.volume),
        ("IS", publication.issue),
        ("C7", publication.article_number),  # RIS's article number
        ("SP", str(publication.page_start or "")),
        ("EP", str(publication.page_end or "")),
        ("SN", (journal.issn or journal.eissn) if journal else publication.isbn),
        ("DO", publication.doi),
        ("KW", publication.keywords),
        ("AB", publication.abstract_text),
        ("PB", publication.publisher),
        ("CY", publication.place_of_publication),
        ("UR", [url] if url else []),
        ("A2", [ris_name(a) for a in names_of(publication, "editor")]),
    ]
    for tag, value in optional:
        if isinstance(value, list):
            lines += [(tag, item) for item in value]
        elif value:
            lines.append((tag, value))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {value}\n" for tag, value in lines)


# Listings, streamed

CSV_COLUMNS = [
    "url",
    "title",
    "authors",
    "year",
    "date",
    "type",
    "journal",
    "volume",
    "issue",
    "pages",
    "article_number",
    "doi",
    "issn",
    "isbn",
    "keywords",
    "language",
    "peer_reviewed",
    "open_access",
    "status",
]


def joined(texts: Iterable[str], count: int) -> Iterator[str]:
    """A stream of texts as one text per `count` of them, as a write per record would cost the
    server a call each; but the first alone, so that the response starts at once."""
    texts = iter(texts)
    for first in texts:
        yield first
        break
    while batch := list(islice(texts, count)):
        yield "".join(batch)


class Echo:
    """A file-like object whose write() returns the line, for csv.writer in a stream."""

    def write(self, value: str) -> str:
        return value


def spreadsheet_safe(value: str) -> str:
    """A cell that a spreadsheet would run as a formula (=, +, -, @) is prefixed with '."""
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def csv_row(publication: ExportRecord, url: str) -> list[str]:
    journal = publication.journal
    values = [
        url,
        publication.full_title,
        "; ".join(name.display_name for name in publication.names),
        str(publication.date.year) if publication.date else "",
        publication.date_iso,
        OUTPUT_TYPE_NAMES.get(publication.output_type, publication.output_type),
        journal.title if journal else publication.host_title,
        publication.volume,
        publication.issue,
        publication.page_range,
        publication.article_number,
        publication.doi,
        (journal.issn or journal.eissn) if journal else "",
        publication.isbn,
        "; ".join(publication.keywords),
        publication.language,
        "true" if publication.peer_reviewed else "false",
        publication.open_access,
        publication.status,
    ]
    return [spreadsheet_safe(value) for value in values]
