"""What every importer produces: one `ImportedRecord` per record of a file, in the portal's own
vocabulary (output types, statuses, ISO 639-1 languages, dates with their precision), or a
`RecordProblem` for a record that cannot be read. The engine (`publications.importing.engine`)
matches persons and journals and writes the rows; the parsers never touch the database."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


class ImportFormatError(ValueError):
    """The file as a whole cannot be read in this format (wrong format, truncated, garbled,
    undecodable). The message is one line, written for a librarian."""


@dataclass
class ImportedName:
    """An author or editor as the source gives it. A person has `family` (without its particle)
    and `given` and/or `initials`; a group or corporate author has only `literal`."""

    family: str = ""
    given: str = ""
    particle: str = ""  # a non-dropping particle: "van der" of "van der Zee"
    initials: str = ""  # "G.A."
    literal: str = ""  # "ISIS-1 Collaborative Group"
    orcid: str = ""  # "0000-0002-1825-0097", without the https://orcid.org/ prefix
    affiliations: list[str] = field(default_factory=list)  # organisation names as printed
    role: str = "author"  # "author" or "editor"

    @property
    def family_name(self) -> str:
        """The family name as the portal stores it, particle included ("van der Zee")."""
        return f"{self.particle} {self.family}".strip()


@dataclass
class ImportedRecord:
    """One record. Strings are "" and lists empty when the source lacks them."""

    format: str  # "crossref", "pubmed", "medline", "bibtex", "ris", "csl-json"
    position: int  # 1-based position of the record in its file
    source_id: str = ""  # the source's own id: a BibTeX key, an RIS ID, a PMID, a DOI
    output_type: str = "article"  # a publications.models.OutputType value
    title: str = ""
    subtitle: str = ""
    abstract: str = ""  # plain text, or HTML already sanitised to the allow-list
    authors: list[ImportedName] = field(default_factory=list)  # authors then editors, in order
    journal_title: str = ""
    journal_abbreviation: str = ""
    issns: list[str] = field(default_factory=list)  # "0393-974X", print and electronic
    host_title: str = ""  # the book or proceedings of a chapter or paper
    volume: str = ""
    issue: str = ""
    pages: str = ""  # as the portal prints them: "616-617", "e1234", "74"
    article_number: str = ""
    number_of_pages: int | None = None
    date: datetime.date | None = None
    date_precision: str = "year"  # "year", "month" or "day": how much of `date` is known
    status: str = "published"  # a publications.models.PublicationStatus value
    doi: str = ""  # lower case, without https://doi.org/
    pmid: str = ""
    isbn: str = ""
    scopus_eid: str = ""
    language: str = ""  # ISO 639-1 ("en"), "" when unknown
    keywords: list[str] = field(default_factory=list)
    publisher: str = ""
    place_of_publication: str = ""
    edition: str = ""
    conference_name: str = ""
    conference_location: str = ""
    url: str = ""

    @property
    def label(self) -> str:
        """How a problem report names the record: its position and id."""
        ident = self.doi or self.pmid or self.source_id
        return f"record {self.position}" + (f" ({shortened(ident)})" if ident else "")


@dataclass
class RecordProblem:
    """A record that could not be read; the others go on."""

    format: str
    position: int
    source_id: str
    message: str

    @property
    def label(self) -> str:
        ident = self.source_id
        return f"record {self.position}" + (f" ({shortened(ident)})" if ident else "")


def shortened(ident: str, limit: int = 80) -> str:
    """An identifier as a one-line problem report quotes it: a megabyte-long "DOI" is cut."""
    return ident if len(ident) <= limit else ident[: limit - 1] + "…"
