"""BibTeX (and biblatex) with bibtexparser 2: @string macros resolved, TeX decoded to Unicode
with pylatexenc, names split the BibTeX way (First von Last, Jr). An entry with a syntax error
becomes a RecordProblem; the entries around it are read."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from functools import lru_cache

import bibtexparser
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    Entry,
    MiddlewareErrorBlock,
    ParsingFailedBlock,
)
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from publications.importing.records import ImportedRecord, ImportFormatError, RecordProblem

from . import markup, names
from .common import (
    Dated,
    Skip,
    clean,
    date_from_text,
    find_doi,
    guarded,
    issns,
    make_date,
    normalise_doi,
    normalise_isbn,
    normalise_pages,
    one_line,
    preprint_server,
    scopus_eid,
    unique,
)
from .languages import iso_639_1

FORMAT = "bibtex"
TYPES = {
    "article": "article",
    "inproceedings": "conference-contribution-in-proceedings",
    "conference": "conference-contribution-in-proceedings",
    "incollection": "chapter",
    "inbook": "chapter",
    "inreference": "chapter",
    "book": "book",
    "mvbook": "book",
    "booklet": "book",
    "proceedings": "anthology",
    "collection": "anthology",
    "phdthesis": "doctoral-thesis",
    "mastersthesis": "masters-thesis",
    "thesis": "doctoral-thesis",
    "techreport": "report",
    "report": "report",
    "manual": "report",
    "misc": "working-paper",
    "unpublished": "working-paper",
    "preprint": "working-paper",
}
JOURNAL_TYPES = {"article"}
NEEDS_TEX = re.compile(r"[\\{}$~]|--|``|''")


def records(text: str) -> Iterator[ImportedRecord | RecordProblem]:
    """Reads the whole file first (a file without any entry raises ImportFormatError), then
    yields its entries."""
    # bibtexparser logs each failed block; the RecordProblems below say the same for the reader.
    with _quiet("bibtexparser.splitter"):
        library = bibtexparser.parse_string(text)
    blocks = [block for block in library.blocks if isinstance(block, (Entry, ParsingFailedBlock))]
    if not any(_is_record(block) for block in blocks):
        raise ImportFormatError(
            "No BibTeX entries were found (an entry starts like “@article{key,”)."
        )
    return _records(blocks)


def _records(blocks: list) -> Iterator[ImportedRecord | RecordProblem]:
    position = 0
    for block in blocks:
        if not _is_record(block):
            continue
        position += 1
        if isinstance(block, DuplicateBlockKeyBlock):
            key = block.key
            yield RecordProblem(
                FORMAT, position, key, f"its key “{key}” is already used by an earlier entry"
            )
        elif isinstance(block, MiddlewareErrorBlock) and isinstance(
            block.ignore_error_block, Entry
        ):
            entry = block.ignore_error_block
            yield guarded(FORMAT, position, entry.key, lambda e=entry, p=position: record(e, p))
        elif isinstance(block, ParsingFailedBlock):
            yield RecordProblem(FORMAT, position, _key_in(block.raw), _syntax_message(block))
        else:
            yield guarded(FORMAT, position, block.key, lambda e=block, p=position: record(e, p))


def _is_record(block: object) -> bool:
    """Entries and broken entries count; broken @string and @comment blocks do not."""
    if isinstance(block, Entry):
        return True
    if isinstance(block, ParsingFailedBlock):
        inner = block.ignore_error_block
        if inner is not None:
            return isinstance(inner, Entry)
        return not re.match(r"\s*@\s*(?:string|preamble|comment)\b", block.raw or "", re.I)
    return False


def _key_in(raw: str | None) -> str:
    match = re.match(r"\s*@\s*\w+\s*[{(]\s*([^,\s{}()=]+)\s*,", raw or "")
    return match.group(1) if match else ""


def _syntax_message(block: ParsingFailedBlock) -> str:
    line = (block.start_line or 0) + 1
    reason = getattr(block.error, "abort_reason", "") or str(block.error)
    if "Unexpected block start" in reason:
        reason = "a brace or quote is not closed before the next entry starts"
    elif "end of file" in reason:
        reason = "the file ends inside this entry"
    return one_line(f"the entry starting on line {line} is not valid BibTeX: {reason}")


def record(entry: Entry, position: int) -> ImportedRecord:
    kind = entry.entry_type.lower()
    if kind not in TYPES:
        raise Skip(f"it is a BibTeX @{kind}, not a kind of publication the portal records")
    fields: dict[str, str] = {}
    for field in entry.fields:
        if isinstance(field.value, str):
            fields.setdefault(field.key.lower(), field.value)
    output_type = TYPES[kind]
    if kind == "thesis" and re.search(r"master|m\.?sc|\bma\b", fields.get("type", ""), re.I):
        output_type = "masters-thesis"
    authors = _names(fields.get("author"), "author")
    editors = _names(fields.get("editor"), "editor")
    if output_type == "book" and editors and not authors:
        output_type = "anthology"
    journal = tex(fields.get("journal") or fields.get("journaltitle"))
    publisher = tex(
        fields.get("publisher")
        or fields.get("school")
        or fields.get("institution")
        or fields.get("organization")
    )
    if output_type == "article" and (server := preprint_server(journal)):
        output_type, publisher, journal = "working-paper", publisher or server, ""
    in_journal = output_type in JOURNAL_TYPES
    date, precision = _date(fields)
    url = _plain(fields.get("url"))
    return ImportedRecord(
        format=FORMAT,
        position=position,
        source_id=entry.key,
        output_type=output_type,
        title=tex(fields.get("title")),
        subtitle=tex(fields.get("subtitle")),
        abstract=markup.abstract(tex_to_text(fields.get("abstract", ""))),
        authors=authors + editors,
        journal_title=journal if in_journal else "",
        journal_abbreviation=tex(fields.get("shortjournal")) if in_journal else "",
        issns=issns(_plain(fields.get("issn")).replace(";", ",")),
        host_title="" if in_journal else tex(fields.get("booktitle")),
        volume=_plain(fields.get("volume")),
        issue=_plain(fields.get("number") or fields.get("issue")) if in_journal else "",
        pages=normalise_pages(_plain(fields.get("pages"))),
        article_number=_plain(
            fields.get("eid")
            or fields.get("articleno")
            or fields.get("article-number")
            or fields.get("article_number")
        ),
        number_of_pages=_count(fields.get("pagetotal")),
        date=date,
        date_precision=precision,
        status="unpublished" if kind == "unpublished" else "published",
        doi=normalise_doi(_plain(fields.get("doi"))) or find_doi(url),
        pmid=_plain(fields.get("pmid")),
        isbn=normalise_isbn(_plain(fields.get("isbn"))),
        scopus_eid=scopus_eid(url),
        language=iso_639_1(tex(fields.get("language") or fields.get("langid"))),
        keywords=_keywords(fields.get("keywords") or fields.get("keyword")),
        publisher=publisher,
        place_of_publication=tex(fields.get("address") or fields.get("location")),
        edition=tex(fields.get("edition")),
        conference_name=tex(fields.get("eventtitle")),
        conference_location=tex(fields.get("venue")),
        url=url,
    )


def _names(value: str | None, role: str) -> list:
    result = []
    value = SPACED_ACCENT.sub(r"{\\\1{\2}}", value or "")
    for name in split_multiple_persons_names(value):
        name = name.strip()
        if not name or name.lower() == "others":
            continue  # "and others" is BibTeX's "et al."
        if _wholly_braced(name) or _group_without_braces(name):
            result.append(names.group(tex(name), role=role))
            continue
        parts = parse_single_name_into_parts(name, strict=False)
        result.append(
            names.person(
                tex(" ".join(parts.last)),
                tex(" ".join(parts.first)),
                particle=tex(" ".join(parts.von)),
                role=role,
            )
        )
    return result


def _group_without_braces(name: str) -> bool:
    """'{TUG} {Working} {Group} on a {\\TeX} {Directory} {Structure}': a group's name that
    should have been braced as a whole, not a person called Structure."""
    return "," not in name and len(name.split()) >= 3 and bool(names.GROUP_WORDS.search(name))


def _wholly_braced(name: str) -> bool:
    """'{World Health Organization}' is a group's name; '{\\relax Ch}ristian' is not."""
    if not name.startswith("{"):
        return False
    depth = 0
    for index, char in enumerate(name):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            return index == len(name) - 1
    return False


def _date(fields: dict[str, str]) -> Dated:
    if fields.get("date"):
        return date_from_text(_plain(fields["date"]))
    month = re.search(r"[A-Za-z]+|\d+", _plain(fields.get("month")))
    return make_date(
        _plain(fields.get("year")), month.group(0) if month else None, _plain(fields.get("day"))
    )


def _keywords(value: str | None) -> list[str]:
    text = tex(value)
    separator = ";" if ";" in text else ","
    return unique(clean(word) for word in text.split(separator))


def _count(value: str | None) -> int | None:
    match = re.match(r"\d+", _plain(value))
    return int(match.group(0)) if match else None


def _plain(value: str | None) -> str:
    """A value that is no prose (pages, DOI, ISSN): braces dropped, TeX left alone."""
    return clean((value or "").replace("{", "").replace("}", "").replace("\\_", "_"))


# TeX to Unicode


def tex(value: str | None) -> str:
    """One line of TeX as plain text: accents and logos decoded, braces dropped."""
    return clean(tex_to_text(value or ""))


def tex_to_text(value: str) -> str:
    if not value or not NEEDS_TEX.search(value):
        return value
    if "\\" in value:
        value = SPACING.sub("", value)
    try:
        return _decoder().latex_to_text(value)
    except Exception:  # pylatexenc gives up on some broken TeX; keep the text
        return value.replace("{", "").replace("}", "")


# TeX logos and the font switches of bibliographies (TUGboat's own macros among them); an
# unknown macro is printed as its name, which for a logo is better than dropping it.
LOGOS = {
    "TeX": "TeX",
    "LaTeX": "LaTeX",
    "LaTeXe": "LaTeX2e",
    "BibTeX": "BibTeX",
    "AmSTeX": "AMS-TeX",
    "AMSTeX": "AMS-TeX",
    "AmSLaTeX": "AMS-LaTeX",
    "MF": "METAFONT",
    "MP": "MetaPost",
    "TUB": "TUGboat",
    "TUG": "TUG",
    "PiCTeX": "PiCTeX",
    "SliTeX": "SliTeX",
    "XeTeX": "XeTeX",
    "LuaTeX": "LuaTeX",
    "ConTeXt": "ConTeXt",
    "eTeX": "e-TeX",
    "Dash": "—",
    "bs": "\\",
    "Mc": "Mc",
    "slash": "/",
    "thinspace": "\N{THIN SPACE}",
    "relax": "",
    "protect": "",
    "noopsort": "",
}
# Dropped, their argument kept: font switches and boxes.
FONT_SWITCHES = ("bf", "it", "sl", "tt", "rm", "sf", "sc", "em", "normalfont", "small", "large")
BOXES = ("llap", "rlap", "hbox", "vbox", "mbox", "smash", "strut", "/", "nobreak", "allowbreak")
# A length after a TeX primitive ("\raise0.5ex") is no text.
SPACING = re.compile(
    r"\\(?:raise|lower|kern|hskip|vskip|hspace\*?|vspace\*?)"
    r"\s*\{?-?[\d.]+\s*(?:ex|em|pt|mm|cm|in|bp|sp|pc)\}?"
)
# "\H o" (an accent whose letter follows a space) would be split from its letter with the name.
SPACED_ACCENT = re.compile(r"\\([`'^\"~=.uvHckrbd])\s+([A-Za-z])")


@lru_cache(maxsize=1)
def _decoder() -> LatexNodes2Text:
    context = get_default_latex_context_db()
    macros = [MacroTextSpec("url", simplify_repl="%s")]
    macros += [MacroTextSpec(name, simplify_repl=text) for name, text in LOGOS.items()]
    macros += [MacroTextSpec(name, simplify_repl="") for name in FONT_SWITCHES + BOXES]
    context.add_context_category("portal-bibliographies", prepend=True, macros=macros)
    context.set_unknown_macro_spec(MacroTextSpec("", simplify_repl=lambda node: node.macroname))
    return LatexNodes2Text(latex_context=context, math_mode="text")


@contextlib.contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    logger = logging.getLogger(logger_name)
    disabled = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = disabled
