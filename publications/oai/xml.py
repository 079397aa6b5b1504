"""XML written as strings: a harvest writes hundreds of thousands of elements, and escaping text
into a list that is joined once is several times faster than building a tree."""

from __future__ import annotations

import datetime
import re

# Characters XML 1.0 does not allow at all (control characters other than tab, newline and
# carriage return; U+FFFE and U+FFFF; lone surrogates). Imported text does contain them.
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean(value: str) -> str:
    """The text without the characters XML 1.0 cannot carry."""
    return ILLEGAL.sub("", value) if ILLEGAL.search(value) else value


def text(value: str) -> str:
    """Text content: markup characters escaped, illegal characters dropped."""
    return clean(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attr(value: str) -> str:
    """An attribute value in double quotes: as text(), with quotes and the whitespace an XML
    parser would otherwise normalise away escaped."""
    return (
        text(value)
        .replace('"', "&quot;")
        .replace("\t", "&#9;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
    )


def element(name: str, value: str, attributes: str = "") -> str:
    """<name attributes>value</name>, or "" when the value is empty once cleaned (an empty
    element says nothing, and several schemas forbid one)."""
    if not value:
        return ""
    value = text(value).strip()
    if not value:
        return ""
    return f"<{name}{attributes}>{value}</{name}>"


def utc(moment: datetime.datetime) -> str:
    """A datestamp at the repository's granularity: 2024-05-01T12:00:00Z."""
    if moment.tzinfo is not None and moment.utcoffset():
        moment = moment.astimezone(datetime.UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}Z"
