"""Resumption tokens that hold the whole state of a list request, so the server keeps none and a
token never expires: the request's arguments, the last id delivered (the lists are in id order,
so a keyset: records added or edited during a harvest can neither repeat nor push another out
of its page), how many were delivered and the list's size when it began (when it was counted:
an empty field otherwise).

A token is the fields joined by "|" (a character no field can contain), base64url-encoded
without padding so it needs no escaping in a URL. Anything else is a badResumptionToken."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, replace

from publications.oai.protocol import (
    BIGINT_MAX,
    METADATA_PREFIX_RE,
    SET_SPEC_RE,
    OAIError,
    parse_range,
)

VERSION = "1"
KINDS = {"ListRecords": "R", "ListIdentifiers": "I", "ListSets": "S"}
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,600}")


@dataclass(frozen=True)
class Token:
    verb: str
    metadata_prefix: str = ""
    set_spec: str = ""
    from_value: str = ""
    until_value: str = ""
    after: int = 0  # the last id delivered
    cursor: int = 0  # how many were delivered before the page this token asks for
    total: int | None = None  # completeListSize, counted when the list began; None: not counted

    def next(self, after: int, delivered: int, total: int | None) -> Token:
        return replace(self, after=after, cursor=self.cursor + delivered, total=total)

    def encode(self) -> str:
        fields = [
            VERSION,
            KINDS[self.verb],
            self.metadata_prefix,
            self.set_spec,
            self.from_value,
            self.until_value,
            str(self.after),
            str(self.cursor),
            "" if self.total is None else str(self.total),
        ]
        raw = "|".join(fields).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def bad_token(message: str = "The resumption token is invalid.") -> OAIError:
    return OAIError("badResumptionToken", message)


def number(value: str, *, minimum: int) -> int:
    if not (value.isascii() and value.isdigit()) or len(value) > 19:
        raise bad_token()
    result = int(value)
    if not minimum <= result <= BIGINT_MAX:
        raise bad_token()
    return result


def decode(value: str, verb: str) -> Token:
    """The token, checked field by field: a token of another verb, of another version, or with
    any field out of its syntax is a badResumptionToken."""
    if not TOKEN_RE.fullmatch(value):
        raise bad_token()
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("utf-8")
    except (binascii.Error, ValueError):
        raise bad_token() from None
    fields = raw.split("|")
    if len(fields) != 9 or fields[0] != VERSION:
        raise bad_token()
    _, kind, prefix, set_spec, from_value, until_value, after, cursor, total = fields
    if kind != KINDS.get(verb):
        raise bad_token(f"The resumption token is not one of {verb}.")
    if verb == "ListSets":
        if prefix or set_spec or from_value or until_value:
            raise bad_token()
    elif not METADATA_PREFIX_RE.fullmatch(prefix):
        raise bad_token()
    if set_spec and not SET_SPEC_RE.fullmatch(set_spec):
        raise bad_token()
    try:
        parse_range(from_value or None, until_value or None)
    except OAIError:
        raise bad_token() from None
    token = Token(
        verb=verb,
        metadata_prefix=prefix,
        set_spec=set_spec,
        from_value=from_value,
        until_value=until_value,
        after=number(after, minimum=0),
        cursor=number(cursor, minimum=0),
        total=number(total, minimum=1) if total else None,
    )
    if token.encode() != value:  # one token per state: no padding or spelling variants
        raise bad_token()
    return token
