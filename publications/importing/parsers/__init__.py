"""The importer's file parsers: bytes in, one `ImportedRecord` or `RecordProblem` per record out.

    for item in parse(data):          # or parse(data, "ris")
        ...

`parse()` reads and checks the whole file before it returns, so a file that cannot be read at
all (wrong format, cut off, garbled, not UTF-8, empty) raises `ImportFormatError` right there,
with a one-line message for a librarian; iterating then never raises it. A record that cannot
be read becomes a `RecordProblem` and the records after it are still read. Parsers never touch
the database."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from publications.importing.records import ImportedRecord, ImportFormatError, RecordProblem

from . import bibtex, crossref, csl_json, medline_text, pubmed, ris
from .common import JsonLines, decode, load_json, one_line

FORMATS = ("crossref", "pubmed", "bibtex", "ris", "csl-json")
LABELS = {
    "crossref": "Crossref JSON",
    "pubmed": "PubMed/MEDLINE",
    "bibtex": "BibTeX",
    "ris": "RIS",
    "csl-json": "CSL-JSON",
}
# Where each text format's first record starts; the earliest in the file tells the format.
MARKERS = {
    "ris": re.compile(r"^\ufeff?TY  - ", re.M),
    "medline-text": re.compile(r"^PMID- ?\d", re.M),
    "bibtex": re.compile(r"^[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]", re.M),
}
UNKNOWN = (
    "The file's format is not recognised: expected Crossref JSON, PubMed or MEDLINE (XML or "
    "text), BibTeX, RIS or CSL-JSON."
)


def detect(data: bytes) -> str:
    """The format of a file, from its content: one of FORMATS."""
    kind, _ = _sniff(decode(data))
    return _family(kind)


def parse(data: bytes, fmt: str = "auto") -> Iterator[ImportedRecord | RecordProblem]:
    """The records of a file, in file order. `fmt` is "auto" or one of FORMATS; a file whose
    content is plainly another format than the one asked for is refused."""
    if fmt != "auto" and fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}: use 'auto' or one of {', '.join(FORMATS)}.")
    text = decode(data)
    try:
        kind, document = _sniff(text, required=fmt == "auto")
        if fmt != "auto":
            if kind and _family(kind) != fmt:
                raise ImportFormatError(
                    f"This file looks like {LABELS[_family(kind)]}, not {LABELS[fmt]}."
                )
            kind = kind or fmt
        return _read(kind, text, document)
    except ImportFormatError:
        raise
    except Exception as exc:  # a library failing on a strange file is a bad file
        raise ImportFormatError(
            one_line(f"The file could not be read ({type(exc).__name__}: {exc}).")
        ) from exc


def _read(kind: str, text: str, document: object) -> Iterator[ImportedRecord | RecordProblem]:
    if kind in ("crossref", "csl-json"):
        if document is None:
            document = load_json(text, LABELS[kind])
        if kind == "crossref":
            return crossref.records(_nonempty(crossref.works(document)))
        return csl_json.records(_nonempty(csl_json.items_of(document)))
    if kind == "pubmed":
        if not text.lstrip().startswith("<"):
            return medline_text.records(text)
        return pubmed.records(text)
    if kind == "medline-text":
        return medline_text.records(text)
    if kind == "bibtex":
        return bibtex.records(text)
    return ris.records(text)


def _nonempty(items: Iterable[object]) -> Iterable[object]:
    if isinstance(items, list) and not items:
        raise ImportFormatError("The JSON file holds no records.")
    return items


def _sniff(text: str, *, required: bool = True) -> tuple[str, object]:
    """The kind of content ("crossref", "csl-json", "pubmed", "medline-text", "bibtex", "ris";
    "" when unsure and not `required`) and, for JSON, the document already loaded."""
    start = text.lstrip("\ufeff \t\n")[:1]
    if start in ("{", "["):
        document = load_json(text, "JSON")
        return _json_kind(document, required), document
    if start == "<":
        if re.match(r"\s*(?:<!doctype html|<html)", text[:1000], re.I):
            raise ImportFormatError("This is a web page (HTML), not an export file.")
        return "pubmed", None
    head = text[:200_000]
    found = [
        (match.start(), kind)
        for kind, pattern in MARKERS.items()
        if (match := pattern.search(head))
    ]
    if found:
        return min(found)[1], None
    if required:
        raise ImportFormatError(UNKNOWN)
    return "", None


def _json_kind(document: object, required: bool) -> str:
    if isinstance(document, JsonLines):
        items: Iterable[object] = [document.first]
    elif isinstance(document, dict) and isinstance(document.get("items"), list):
        items = document["items"]
    else:
        items = crossref.works(document)
    objects = [item for item in items if isinstance(item, dict)][:20]
    for item in objects:
        if crossref.is_crossref(item):
            return "crossref"
        if csl_json.is_csl(item):
            return "csl-json"
    if required:
        raise ImportFormatError(
            "This JSON file holds neither Crossref works nor CSL-JSON items."
            if objects
            else "The JSON file holds no records."
        )
    return ""


def _family(kind: str) -> str:
    return "pubmed" if kind in ("pubmed", "medline-text") else kind
