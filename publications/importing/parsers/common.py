"""What every parser needs: reading the bytes of a file as text, cleaning values, and the
identifiers, pages and dates in the portal's own form."""

from __future__ import annotations

import codecs
import datetime
import json
import re
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import unquote

import orjson

from publications.importing.records import ImportedRecord, ImportFormatError, RecordProblem

# C0 and C1 control characters except tab and line feed (carriage returns are turned into line
# feeds before this runs).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
SPACES = re.compile(r"\s+")


# A date and how much of it the source gives: "year", "month" or "day".
Dated = tuple[datetime.date | None, str]


class Skip(Exception):
    """A record that cannot be imported; the message says why, for a librarian."""


# Reading the file


def decode(data: bytes) -> str:
    """The file as text: UTF-8 (with or without BOM) or UTF-16/32 by BOM; an XML file in the
    encoding it declares. Anything else is refused rather than guessed."""
    if not data or data.isspace():
        raise ImportFormatError("The file is empty.")
    for magic, what in MAGIC:
        if data.startswith(magic):
            raise ImportFormatError(f"This is {what}, not a bibliographic text file.")
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                raise ImportFormatError(
                    f"The file starts as {encoding.upper()} but is damaged further on."
                ) from None
            return _checked(text)
    try:
        text = data.decode("utf-8")
        if "\x00" in text:
            # UTF-16 of Latin text is valid UTF-8 too, with a NUL in every other byte.
            text = _utf16_without_bom(data) or text
    except UnicodeDecodeError as exc:
        text = _utf16_without_bom(data) or _declared_xml(data)
        if text is None:
            if _looks_binary(data):
                raise ImportFormatError(
                    "This is a binary file, not a bibliographic text file."
                ) from None
            line = data[: exc.start].count(b"\n") + 1
            raise ImportFormatError(
                f"The file is not UTF-8 text (byte 0x{data[exc.start]:02X} on line {line} "
                "cannot be read): save it as UTF-8 and import it again."
            ) from None
    return _checked(text)


MAGIC = [
    (b"\x1f\x8b", "a gzip-compressed file (unpack it first)"),
    (b"PK\x03\x04", "a ZIP archive or an Office document (export the records as text)"),
    (b"%PDF", "a PDF document"),
]
BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]


def _checked(text: str) -> str:
    if "\x00" in text:
        raise ImportFormatError("This is a binary file, not a bibliographic text file.")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text or text.isspace():
        raise ImportFormatError("The file is empty.")
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 of mostly Latin text has a zero in every other byte: reliable enough to read."""
    sample = data[:4096]
    if len(data) % 2 or len(sample) < 16:
        return None
    even, odd = sample[0::2], sample[1::2]
    for zeros, others, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) > 0.9 * len(zeros) and others.count(0) < 0.1 * len(others):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def _declared_xml(data: bytes) -> str | None:
    """An XML file that declares its encoding (ISO-8859-1, windows-1252…) is read in it."""
    match = re.match(rb"""\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""", data)
    if not match:
        return None
    try:
        return data.decode(match.group(1).decode("ascii"))
    except (LookupError, UnicodeDecodeError):
        return None


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    controls = sum(1 for byte in sample if byte < 9 or 13 < byte < 32)
    return controls > len(sample) / 100


def load_json(text: str, what: str) -> object:
    """A JSON document, or `JsonLines` when the file has one JSON object a line."""
    try:
        lines = JsonLines.of(text)
        if lines is not None:
            return lines
        return _json_loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(_json_message(exc, what)) from None
    except RecursionError:  # "[[[[…": no record is nested a thousand levels deep
        raise ImportFormatError(f"The {what} file is nested too deeply to hold records.") from None


class JsonLines:
    """A JSON-lines file, parsed a line at a time as it is read (a large file never sits in
    memory as objects, which also keeps Python's garbage collector from slowing down); a
    broken line is an `Unreadable`."""

    def __init__(self, text: str, first: dict) -> None:
        self.text = text
        self.first = first

    @classmethod
    def of(cls, text: str) -> JsonLines | None:
        """The file as JSON lines if its first line is a whole JSON object and more follow."""
        start = len(text) - len(text.lstrip())
        first_line, _, rest = text[start : start + 10_000_000].partition("\n")
        if not first_line.startswith("{") or not rest or rest.isspace():
            return None
        try:
            first = _json_loads(first_line)
        except json.JSONDecodeError:
            return None
        return cls(text, first) if isinstance(first, dict) else None

    def __iter__(self) -> Iterator[object]:
        for number, line in enumerate(self.text.split("\n"), 1):
            if line and not line.isspace():
                try:
                    yield _json_loads(line)
                except json.JSONDecodeError as exc:
                    yield Unreadable(f"line {number} is not complete JSON ({_reason(exc)})")
                except RecursionError:
                    yield Unreadable(f"line {number} is nested too deeply to be a record")


def _json_loads(text: str) -> object:
    """orjson where it can (half the time of the standard library on Crossref's large works);
    the standard library for what orjson refuses (lone surrogates, huge integers, NaN) and for
    its clearer error positions."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _json_message(exc: json.JSONDecodeError, what: str) -> str:
    # A string still open at the end, or an error where the text ends: the file was cut short.
    if exc.msg.startswith("Unterminated string") or exc.pos >= len(exc.doc.rstrip()):
        return f"The {what} file is cut off: it ends in the middle of a record."
    return (
        f"The {what} file is not valid JSON: {_reason(exc)} "
        f"(line {exc.lineno}, column {exc.colno})."
    )


def _reason(exc: json.JSONDecodeError) -> str:
    """'Unterminated string starting at' -> 'unterminated string starting'."""
    reason = exc.msg.removesuffix(" at")
    return reason[:1].lower() + reason[1:]


class Unreadable:
    """A record known to be there that could not be read at all (a broken JSON line)."""

    def __init__(self, message: str) -> None:
        self.message = message


def guarded(
    fmt: str, position: int, source_id: str, build: Callable[[], ImportedRecord]
) -> ImportedRecord | RecordProblem:
    """The record, or a RecordProblem saying why it could not be built."""
    try:
        return build()
    except Skip as exc:
        return RecordProblem(fmt, position, source_id, one_line(str(exc)))
    except Exception as exc:  # a record in an unforeseen shape must not stop a file
        return RecordProblem(
            fmt,
            position,
            source_id,
            one_line(f"it holds data in an unexpected shape ({type(exc).__name__}: {exc})"),
        )


# Cleaning values


def clean(value: object) -> str:
    """One line of text: control characters dropped, whitespace collapsed."""
    if type(value) is str:
        text = value
        if not text.isascii() and MOJIBAKE.search(text):
            text = repair_mojibake(text)
        if text.isprintable() and "  " not in text:
            return text.strip()  # the common case, without the work below
    elif value is None or isinstance(value, (dict, list, bool)):
        return ""
    else:
        text = str(value)
    if CONTROL.search(text):
        text = CONTROL.sub("", text)
    return " ".join(text.split())


# UTF-8 read as Latin-1 once or twice: "Ã©" for "é", "Ã¢Â\x80Â\x98" for "‘".
MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf]")


def repair_mojibake(text: str) -> str:
    """Text that a source stored after reading UTF-8 as Latin-1, read back. Only a text that
    turns wholly into valid UTF-8 is changed, which text that was right to begin with (almost)
    never does."""
    for _ in range(3):
        if not MOJIBAKE.search(text):
            break
        try:
            text = text.encode("latin-1").decode("utf-8")
        except UnicodeError:
            break
    return text


def preprint_server(name: str) -> str:
    """'arXiv' of 'arXiv:1501.04916 [physics]' (or 'bioRxiv', 'SSRN'…): not a journal; ''
    for a journal."""
    match = PREPRINT_SERVER.match(name)
    return match.group(0) if match else ""


PREPRINT_SERVER = re.compile(
    r"(?:arxiv|biorxiv|medrxiv|chemrxiv|psyarxiv|socarxiv|edarxiv|ssrn|research square|"
    r"preprints\.org|osf preprints|techrxiv|authorea)\b",
    re.I,
)


def clean_block(value: object) -> str:
    """Text that keeps its line breaks: control characters dropped, ends stripped."""
    if not isinstance(value, str):
        return clean(value)
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL.sub("", text).strip()


def one_line(text: str, limit: int = 300) -> str:
    text = SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def first(value: object) -> str:
    """The first non-empty string of a list (Crossref's titles), or the string itself."""
    if isinstance(value, list):
        for item in value:
            text = clean(item)
            if text:
                return text
        return ""
    return clean(value)


def unique(values: Iterable[str]) -> list[str]:
    """Non-empty values in order, each once (compared without case)."""
    seen: set[str] = set()
    result = []
    for value in values:
        key = value.casefold()
        if value and key not in seen:
            seen.add(key)
            result.append(value)
    return result


# Identifiers

DOI_PREFIX = re.compile(r"^(?:https?://)?(?:dx\.|www\.)?doi\.org/|^doi:\s*|^doi\s+", re.I)
DOI = re.compile(r"^10\.\d{4,9}/\S+$")
DOI_IN_TEXT = re.compile(r"10\.\d{4,9}/[^\s\"'<>]+")
ISSN = re.compile(r"(?<![\dXx-])(\d{4})[-\u2010\u2011\u2013 ]?(\d{3}[\dXx])(?![\dXx-])")
ORCID = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dXx])")


def normalise_doi(value: object) -> str:
    """'https://doi.org/10.1000/ABC' -> '10.1000/abc'; '' when it is not a DOI."""
    text = clean(value)
    if not text:
        return ""
    if DOI_PREFIX.match(text):
        text = unquote(DOI_PREFIX.sub("", text, count=1))
    text = text.strip().rstrip(".")
    return text.lower() if DOI.match(text) else ""


def find_doi(text: object) -> str:
    """The first DOI written anywhere in a text or URL ('…doi.org/10.1000%2Fabc' included)."""
    value = clean(text)
    if "10." not in value:
        return ""
    match = DOI_IN_TEXT.search(unquote(value))
    return match.group(0).rstrip(".,;:)]}").lower() if match else ""


def issns(*values: object) -> list[str]:
    """Every ISSN in the values, as '1234-567X', each once: '03064530 (ISSN)',
    '1006-4982, 1995-8196' and lists of them all work."""
    found = []
    for value in values:
        items = value if isinstance(value, list) else [value]
        for item in items:
            for match in ISSN.finditer(clean(item)):
                found.append(f"{match.group(1)}-{match.group(2).upper()}")
    return unique(found)


def looks_like_isbn(value: object) -> bool:
    digits = re.sub(r"[\s-]", "", clean(value)).upper()
    return bool(re.fullmatch(r"97[89]\d{10}|\d{9}[\dX]", digits))


def normalise_isbn(value: object) -> str:
    """The first ISBN of a value ('ISBN 978-90-386-4503-2 (print)'), hyphens as given."""
    text = re.sub(r"^\s*ISBN(?:-1[03])?:?\s*", "", clean(value), flags=re.I)
    for candidate in re.split(r"[,;]\s*|\s+(?=\d{3}[\d-]{7,})|\s*\(", text):
        candidate = candidate.strip()
        if looks_like_isbn(candidate):
            return candidate.upper()
    return ""


def scopus_eid(text: object) -> str:
    """Scopus's record id from one of its links ('…record.uri?eid=2-s2.0-85074596690&…')."""
    match = re.search(r"\beid=(2-s2\.0-\d+)", clean(text))
    return match.group(1) if match else ""


def normalise_orcid(value: object) -> str:
    """'https://orcid.org/0000-0002-1825-009x' -> '0000-0002-1825-009X'."""
    match = ORCID.search(clean(value))
    return "-".join(match.groups()).upper() if match else ""


# Pages

DASHES = re.compile(r"\s*[-\u2010-\u2015\u2212]+\s*")


def normalise_pages(value: object) -> str:
    """'74--78' and '74–78' -> '74-78'; '4068-4068' -> '4068'; 'e1234' stays."""
    text = clean(value)
    text = re.sub(r"^(?:pp?\.|pages?)\s*", "", text, flags=re.I)
    text = DASHES.sub("-", text).strip("-")
    match = re.fullmatch(r"([^-]+)-([^-]+)", text)
    if match and match.group(1) == match.group(2):
        return match.group(1)
    return text


def page_range(start: object, end: object) -> str:
    """Pages from a first and a last page (RIS SP/EP); a range in the first page is kept."""
    first_page, last_page = clean(start), clean(end)
    if first_page and last_page and not DASHES.search(first_page):
        return normalise_pages(f"{first_page}-{last_page}")
    return normalise_pages(first_page or last_page)


# Dates

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january", "janvier", "januar", "enero"),
            ("feb", "february", "février", "februar", "febrero"),
            ("mar", "march", "mars", "märz", "marzo"),
            ("apr", "april", "avril", "abril"),
            ("may", "mai", "mayo"),
            ("jun", "june", "juin", "juni", "junio"),
            ("jul", "july", "juillet", "juli", "julio"),
            ("aug", "august", "août", "agosto"),
            ("sep", "sept", "september", "septembre", "septiembre"),
            ("oct", "october", "octobre", "oktober", "octubre"),
            ("nov", "november", "novembre", "noviembre"),
            ("dec", "december", "décembre", "dezember", "diciembre"),
        ],
        start=1,
    )
    for name in names
}
YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|2[01]\d\d)(?!\d)")


def month_number(value: object) -> int | None:
    """1-12 from 10, '10', 'oct', 'Oct.', 'October'; None for seasons and the unknown."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1 <= value <= 12 else None
    text = clean(value).lower().rstrip(".")
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    if text in MONTHS:
        return MONTHS[text]
    # An abbreviation of a month's name ("Sept", "janv"), not any word that starts like one.
    if len(text) >= 3:
        return next((number for name, number in MONTHS.items() if name.startswith(text)), None)
    return None


def make_date(year: object, month: object = None, day: object = None) -> Dated:
    """A date and its precision ('year', 'month', 'day'), never more precise than the source:
    a year alone is the 1st of January at year precision."""
    match = YEAR.search(clean(year))
    if not match:
        return None, "year"
    number = int(match.group(1))
    month_value = month_number(month)
    if month_value is None:
        return datetime.date(number, 1, 1), "year"
    day_text = clean(day)
    if day_text.isdigit():
        try:
            return datetime.date(number, month_value, int(day_text)), "day"
        except ValueError:
            pass
    return datetime.date(number, month_value, 1), "month"


def date_from_text(value: object) -> Dated:
    """'2019/05/14', '2019-05', '1997/01//', '2019/10//undefined', '2009', 'Jan 2012',
    '12 March 2015'."""
    text = clean(value)
    match = re.match(r"(\d{4})(?:[-/.](\d{1,2})?(?:[-/.](\d{1,2}))?)?", text)
    if match:
        return make_date(match.group(1), match.group(2), match.group(3))
    year = YEAR.search(text)
    if not year:
        return None, "year"
    # A month only by its name: "03/12/2015" could be March or December.
    words = re.findall(r"[^\W\d_]+\.?|(?<!\d)\d{1,2}(?!\d)", text)
    month = next((word for word in words if word[0].isalpha() and month_number(word)), None)
    day = next((word for word in words if word.isdigit()), None)
    return make_date(year.group(1), month, day if month else None)


def more_precise(*dates: Dated) -> Dated:
    """The first of the dates that has the most precision."""
    rank = {"year": 0, "month": 1, "day": 2}
    best: Dated = (None, "year")
    for date, precision in dates:
        if date and (best[0] is None or rank[precision] > rank[best[1]]):
            best = (date, precision)
    return best
