"""Identifier syntax and check digits: DOI, ISSN, ORCID, ROR, with messages for librarians."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
DOI_PREFIX_RE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
ISSN_RE = re.compile(r"^\d{4}-\d{3}[\dX]$")
ORCID_RE = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
ORCID_PREFIX_RE = re.compile(r"^https?://orcid\.org/", re.IGNORECASE)
ROR_RE = re.compile(r"^0[0-9a-hjkmnp-tv-z]{6}\d{2}$")
ROR_PREFIX_RE = re.compile(r"^https?://ror\.org/", re.IGNORECASE)
CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def normalise_doi(value: str) -> str:
    """'https://doi.org/10.1000/ABC' -> '10.1000/abc' (DOIs are case-insensitive)."""
    return DOI_PREFIX_RE.sub("", (value or "").strip()).strip().lower()


def validate_doi(value: str) -> None:
    if value and not DOI_RE.match(normalise_doi(value)):
        raise ValidationError(
            "“%(value)s” is not a DOI. A DOI starts with “10.”, a registrant number, a slash and "
            "a suffix, e.g. 10.1000/xyz123.",
            code="invalid_doi",
            params={"value": value},
        )


def issn_check_digit(first_seven: str) -> str:
    total = sum(
        int(digit) * weight for digit, weight in zip(first_seven, range(8, 1, -1), strict=True)
    )
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def normalise_issn(value: str) -> str:
    """'03930974' or '0393 0974' -> '0393-0974'; anything else is returned stripped, upper-case."""
    compact = re.sub(r"[\s-]", "", (value or "").strip()).upper()
    if len(compact) == 8:
        return f"{compact[:4]}-{compact[4:]}"
    return (value or "").strip().upper()


def validate_issn(value: str) -> None:
    if not value:
        return
    issn = normalise_issn(value)
    if not ISSN_RE.match(issn):
        raise ValidationError(
            "“%(value)s” is not an ISSN. An ISSN has eight characters, four digits, a hyphen, "
            "three digits and a check digit (0–9 or X), e.g. 0393-0974.",
            code="invalid_issn",
            params={"value": value},
        )
    expected = issn_check_digit(issn.replace("-", "")[:7])
    if issn[-1] != expected:
        raise ValidationError(
            "The ISSN “%(value)s” has a wrong check digit: it should end in %(expected)s. "
            "Check it for a typing error.",
            code="issn_check_digit",
            params={"value": value, "expected": expected},
        )


def orcid_check_digit(base_digits: str) -> str:
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def normalise_orcid(value: str) -> str:
    """'https://orcid.org/0000-0002-1825-0097' -> '0000-0002-1825-0097'."""
    return ORCID_PREFIX_RE.sub("", (value or "").strip()).upper()


def validate_orcid(value: str) -> None:
    if not value:
        return
    orcid = normalise_orcid(value)
    if not ORCID_RE.match(orcid):
        raise ValidationError(
            "“%(value)s” is not an ORCID iD. An ORCID iD is four groups of four characters "
            "separated by hyphens, e.g. 0000-0002-1825-0097.",
            code="invalid_orcid",
            params={"value": value},
        )
    digits = orcid.replace("-", "")
    expected = orcid_check_digit(digits[:15])
    if digits[15] != expected:
        raise ValidationError(
            "The ORCID iD “%(value)s” has a wrong check digit: it should end in %(expected)s. "
            "Copy it from the researcher's ORCID record.",
            code="orcid_check_digit",
            params={"value": value, "expected": expected},
        )


def normalise_ror(value: str) -> str:
    """'https://ror.org/05f950310' -> '05f950310'."""
    return ROR_PREFIX_RE.sub("", (value or "").strip()).lower()


def ror_checksum(body: str) -> str:
    number = 0
    for char in body:
        number = number * 32 + CROCKFORD.index(char)
    return f"{98 - (number * 100) % 97:02d}"


def validate_ror(value: str) -> None:
    if not value:
        return
    ror = normalise_ror(value)
    if not ROR_RE.match(ror):
        raise ValidationError(
            "“%(value)s” is not a ROR ID. A ROR ID is nine characters starting with 0, "
            "e.g. 05f950310 (from https://ror.org/05f950310).",
            code="invalid_ror",
            params={"value": value},
        )
    if ror_checksum(ror[1:7]) != ror[7:]:
        raise ValidationError(
            "The ROR ID “%(value)s” has a wrong checksum. Copy it from the organisation's ROR "
            "record.",
            code="ror_checksum",
            params={"value": value},
        )
