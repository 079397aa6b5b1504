"""MEDLINE text, as PubMed's "Save as PubMed format" writes it: a record per PMID, one tagged
line per value ("TI  - ", "FAU - "), continuation lines indented by six spaces. No maintained
small library reads it, and the format is simple enough to read here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from publications.importing.records import (
    ImportedName,
    ImportedRecord,
    ImportFormatError,
    RecordProblem,
)

from . import markup, names
from .common import (
    clean,
    find_doi,
    guarded,
    issns,
    make_date,
    normalise_doi,
    unique,
)
from .languages import iso_639_1
from .pubmed import date_of_medline, medline_pages, medline_title, output_type_of

FORMAT = "medline-text"
TAG_LINE = re.compile(r"([A-Z][A-Z0-9]{1,3}) *- ?(.*)")
# "BACKGROUND: …" and "MATERIALS AND METHODS: …" at the start of a sentence start a paragraph.
ABSTRACT_LABEL = re.compile(r"(?:^|(?<=[.?!] ))([A-Z][A-Z ,&/-]{1,}[A-Z]):\s")


def records(text: str) -> Iterator[ImportedRecord | RecordProblem]:
    """Reads the whole file first (no PMID line at all raises ImportFormatError), then yields
    its records."""
    found = _split(text)
    if not found:
        raise ImportFormatError(
            "No MEDLINE records were found (a record starts with a line “PMID- ”)."
        )
    return _records(found)


def _split(text: str) -> list[list[list[str]]]:
    found: list[list[list[str]]] = []
    current: list[list[str]] | None = None
    for line in text.split("\n"):
        if not line.strip():
            continue
        match = TAG_LINE.fullmatch(line.rstrip()) if line[4:6].startswith("-") else None
        if match:
            tag, value = match.group(1), match.group(2).strip()
            if tag == "PMID":
                current = []
                found.append(current)
            if current is not None:
                current.append([tag, value])
        elif line[:1].isspace() and current:
            current[-1][1] = f"{current[-1][1]} {line.strip()}".strip()
    return found


def _records(found: list[list[list[str]]]) -> Iterator[ImportedRecord | RecordProblem]:
    for position, fields in enumerate(found, 1):
        pmid = clean(fields[0][1]) if fields else ""
        yield guarded(FORMAT, position, pmid, lambda f=fields, p=position: record(f, p))


@dataclass
class _Name:
    full: str = ""
    short: str = ""
    literal: str = ""
    orcid: str = ""
    role: str = "author"
    affiliations: list[str] = field(default_factory=list)

    def build(self) -> ImportedName | None:
        if self.literal:
            return names.group(self.literal, affiliations=self.affiliations, role=self.role)
        if self.full and "," in self.full:
            family, given = (part.strip() for part in self.full.split(",", 1))
            short_initials = self.short.rsplit(" ", 1)[-1] if " " in self.short else ""
            return names.person(
                family,
                given,
                initials=short_initials,
                orcid=self.orcid,
                affiliations=self.affiliations,
                role=self.role,
            )
        name = names.from_string(self.full or self.short, role=self.role)
        if name is not None:
            name.orcid = self.orcid
            name.affiliations = list(self.affiliations)
        return name


def record(fields: list[list[str]], position: int) -> ImportedRecord:
    values: dict[str, list[str]] = {}
    people: list[_Name] = []
    early_affiliations: list[str] = []
    for tag, value in fields:
        values.setdefault(tag, []).append(value)
        role = "editor" if tag in ("FED", "ED") else "author"
        if tag in ("FAU", "FED"):
            people.append(_Name(full=value, role=role))
        elif tag in ("AU", "ED"):
            last = people[-1] if people else None
            if last and last.full and not last.short and last.role == role:
                last.short = value
            else:
                people.append(_Name(short=value, role=role))
        elif tag == "CN":
            people.append(_Name(literal=value))
        elif tag == "AD":
            # Since 2014 each author's affiliations follow the author; before, one AD came
            # first and belonged to the first author.
            (people[-1].affiliations if people else early_affiliations).append(value)
        elif tag == "AUID" and people and "orcid" in value.lower():
            people[-1].orcid = value
    if early_affiliations and people:
        people[0].affiliations[:0] = early_affiliations

    def one(tag: str) -> str:
        return clean(values.get(tag, [""])[0])

    identifiers = values.get("LID", []) + values.get("AID", [])
    doi = next((find_doi(value) for value in identifiers if value.endswith("[doi]")), "")
    pii = next((clean(value[:-5]) for value in identifiers if value.endswith("[pii]")), "")
    pages = medline_pages(one("PG"))
    date, precision = date_of_medline(one("DP"))
    if date is None and re.fullmatch(r"\d{8}", one("DEP")):
        electronic = one("DEP")
        date, precision = make_date(electronic[:4], electronic[4:6], electronic[6:])
    keywords = values.get("OT", []) + [
        heading.split("/")[0].lstrip("*") for heading in values.get("MH", [])
    ]
    return ImportedRecord(
        format=FORMAT,
        position=position,
        source_id=one("PMID"),
        output_type=output_type_of(values.get("PT", [])),
        title=medline_title(one("TI")) or medline_title(one("VTI")),
        abstract=_abstract(one("AB")),
        authors=[name for name in (person.build() for person in people) if name],
        journal_title=one("JT"),
        journal_abbreviation=one("TA"),
        issns=issns(values.get("IS", [])),
        volume=one("VI"),
        issue=one("IP"),
        pages=pages,
        article_number=pii if not pages and re.fullmatch(r"[eE]?\d+", pii) else "",
        date=date,
        date_precision=precision,
        status="epub" if one("PST") == "aheadofprint" else "published",
        doi=normalise_doi(doi),
        pmid=one("PMID"),
        language=iso_639_1(one("LA")),
        keywords=unique(clean(keyword) for keyword in keywords),
    )


def _abstract(text: str) -> str:
    """MEDLINE text runs a structured abstract together: its labels start the paragraphs."""
    if not text:
        return ""
    starts = [match.start(1) for match in ABSTRACT_LABEL.finditer(text)]
    if not starts or starts[0]:
        starts.insert(0, 0)
    parts = []
    for start, end in zip(starts, [*starts[1:], len(text)], strict=False):
        piece = text[start:end].strip()
        label = ABSTRACT_LABEL.match(piece)
        if label:
            piece = f"<b>{label.group(1)}:</b> {piece[label.end() :]}"
        parts.append(piece)
    return markup.paragraphs(parts)
