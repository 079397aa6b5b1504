"""One record as CSL-JSON, BibTeX and RIS, from a publication loaded with for_detail() (no
queries). BibTeX is written by bibtexparser and RIS by rispy; this module maps the fields."""

from __future__ import annotations

import re
import unicodedata

import bibtexparser
import rispy
from bibtexparser.model import Entry, Field

from publications.models import Authorship, DatePrecision, Publication

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


def authors_of(publication: Publication, role: str = "author") -> list[Authorship]:
    return [a for a in publication.authorships.all() if a.role == role]


def given_of(authorship: Authorship) -> str:
    person = authorship.person
    return (person.given_name or person.initials) if person else ""


def keywords_of(publication: Publication) -> list[str]:
    return [pk.keyword.term for pk in publication.publication_keywords.all()]


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


def csl_name(authorship: Authorship) -> dict:
    """A CSL name: a person's family name (with any particle apart) and given name or initials,
    or a group's name as a literal."""
    if authorship.person is None:
        return {"literal": authorship.display_name}
    particle, family = split_particle(authorship.person.family_name)
    name = {"family": family}
    if particle:
        name["non-dropping-particle"] = particle
    if given := given_of(authorship):
        name["given"] = given
    return name


def csl_json(publication: Publication, url: str = "") -> dict:
    """The record as a CSL-JSON item (citeproc's input and the .json export)."""
    item: dict = {
        "id": publication.slug,
        "type": TYPES.get(publication.output_type, ("article", "misc", "GEN"))[0],
        "title": publication.full_title,
        "author": [csl_name(a) for a in authors_of(publication)],
        "language": publication.language,
    }
    editors = [csl_name(a) for a in authors_of(publication, "editor")]
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
        "keyword": ", ".join(keywords_of(publication)),
        "publisher": publication.publisher or (journal.publisher if journal else ""),
        "publisher-place": publication.place_of_publication,
        "edition": publication.edition,
        "event-title": publication.conference_name,
        "event-place": publication.conference_location,
        "genre": publication.get_output_type_display()
        if publication.output_type in {"working-paper", "doctoral-thesis", "masters-thesis"}
        else "",
        "URL": url,
    }
    item.update({key: value for key, value in optional.items() if value})
    return item


# BibTeX

BIBTEX_SPECIALS = re.compile(r"([&%$#_{}])")


def bibtex_escape(text: str) -> str:
    """Escapes BibTeX's special characters; letters stay Unicode (biber and modern BibTeX read
    UTF-8)."""
    text = text.replace("\\", r"\textbackslash{}")
    text = BIBTEX_SPECIALS.sub(r"\\\1", text)
    return text.replace("~", r"\textasciitilde{}").replace("^", r"\textasciicircum{}")


def protect_capitals(title: str) -> str:
    """Braces around words whose capitals a style must keep (HIV, IL-2, Ghezzi), so a style that
    lowercases titles leaves them alone; the first word's initial capital needs none."""
    words = title.split(" ")
    protected = []
    for index, word in enumerate(words):
        later_capital = any(char.isupper() for char in word[1:])
        capitalised_inside = index > 0 and word[:1].isupper()
        protected.append(f"{{{word}}}" if later_capital or capitalised_inside else word)
    return " ".join(protected)


def bibtex_name(authorship: Authorship) -> str:
    if authorship.person is None:
        return "{" + bibtex_escape(authorship.display_name) + "}"
    given = given_of(authorship)
    family = bibtex_escape(authorship.person.family_name)
    return f"{family}, {bibtex_escape(given)}" if given else family


def ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def bibtex_key(publication: Publication) -> str:
    """A stable key: first author's family name, year, first long title word
    ('ghezzi1997experiences')."""
    authors = authors_of(publication)
    first = authors[0] if authors else None
    family = (
        first.person.family_name
        if first and first.person
        else (first.display_name if first else "anon")
    )
    words = [w for w in re.findall(r"\w+", publication.title) if len(w) > 3] or ["untitled"]
    year = str(publication.date.year) if publication.date else "nd"
    return (ascii_word(family) or "anon") + year + ascii_word(words[0])


def braced(text: str) -> str:
    return "{" + text + "}"


def bibtex(publication: Publication, url: str = "") -> str:
    entry_type = TYPES.get(publication.output_type, ("", "misc", ""))[1]
    fields: list[tuple[str, str]] = []
    authors = authors_of(publication)
    if authors:
        fields.append(("author", braced(" and ".join(bibtex_name(a) for a in authors))))
    editors = authors_of(publication, "editor")
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
        ("keywords", ", ".join(keywords_of(publication))),
        ("abstract", publication.abstract_text),
        ("language", publication.get_language_display().lower()),
        ("url", url),
    ]
    for name, value in simple:
        if value:
            escaped = value if name in {"doi", "url"} else bibtex_escape(value)
            fields.append((name, braced(escaped)))
    if entry_type in {"phdthesis", "mastersthesis"} and publication.publisher:
        fields.append(("school", braced(bibtex_escape(publication.publisher))))
    entry = Entry(entry_type, bibtex_key(publication), [Field(k, v) for k, v in fields])
    # Values carry their own braces, so month stays the bare macro `jan`.
    return bibtexparser.write_string(bibtexparser.Library([entry]), unparse_stack=[])


# RIS


class RisWriter(rispy.RisWriter):
    """rispy's writer without its "1." counter line, which is no RIS tag."""

    def set_header(self, count: int) -> str:
        return ""


def ris_name(authorship: Authorship) -> str:
    if authorship.person is None:
        return authorship.display_name
    given = given_of(authorship)
    return f"{authorship.person.family_name}, {given}" if given else authorship.person.family_name


def ris(publication: Publication, url: str = "") -> str:
    journal = publication.journal
    reference: dict = {
        "type_of_reference": TYPES.get(publication.output_type, ("", "", "GEN"))[2],
        "title": publication.full_title,
        "authors": [ris_name(a) for a in authors_of(publication)],
        "language": publication.language,
    }
    if publication.date:
        month = (
            f"{publication.date.month:02d}"
            if publication.date_precision != DatePrecision.YEAR
            else ""
        )
        day = (
            f"{publication.date.day:02d}" if publication.date_precision == DatePrecision.DAY else ""
        )
        reference["year"] = f"{publication.date.year}/{month}/{day}/"
    optional = {
        "journal_name": journal.title if journal else "",
        "secondary_title": journal.title if journal else publication.host_title,
        "alternate_title2": journal.abbreviation if journal else "",
        "volume": publication.volume,
        "number": publication.issue,
        "custom7": publication.article_number,  # C7, RIS's article number
        "start_page": str(publication.page_start or ""),
        "end_page": str(publication.page_end or ""),
        "issn": (journal.issn or journal.eissn) if journal else publication.isbn,
        "doi": publication.doi,
        "keywords": keywords_of(publication),
        "abstract": publication.abstract_text,
        "publisher": publication.publisher,
        "place_published": publication.place_of_publication,
        "urls": [url] if url else [],
    }
    reference.update({key: value for key, value in optional.items() if value})
    editors = [ris_name(a) for a in authors_of(publication, "editor")]
    if editors:
        reference["secondary_authors"] = editors
    text = rispy.dumps([reference], implementation=RisWriter)
    return text.lstrip("\n")


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


class Echo:
    """A file-like object whose write() returns the line, for csv.writer in a stream."""

    def write(self, value: str) -> str:
        return value


def spreadsheet_safe(value: str) -> str:
    """A cell that a spreadsheet would run as a formula (=, +, -, @) is prefixed with '."""
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def csv_row(publication: Publication, url: str) -> list[str]:
    journal = publication.journal
    values = [
        url,
        publication.full_title,
        "; ".join(a.display_name for a in publication.authorships.all()),
        str(publication.year or ""),
        publication.date_iso,
        publication.get_output_type_display(),
        journal.title if journal else publication.host_title,
        publication.volume,
        publication.issue,
        publication.page_range,
        publication.article_number,
        publication.doi,
        (journal.issn or journal.eissn) if journal else "",
        publication.isbn,
        "; ".join(keywords_of(publication)),
        publication.language,
        "true" if publication.peer_reviewed else "false",
        publication.open_access,
        publication.status,
    ]
    return [spreadsheet_safe(value) for value in values]
