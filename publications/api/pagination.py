"""Cursor (keyset) pagination: a page starts strictly after (or ends strictly before) the sort-key
values of a row, so it costs the same at any depth, and rows added or removed meanwhile neither
repeat nor go missing from the pages that follow.

The sort keys of publications are read from the listing's own ordering (listing.ordering), ending
in the primary key, so each order is total and the API's pages hold exactly the listing's rows in
the listing's order. A cursor is the keys of one row, signed (SECRET_KEY) so that it is opaque and
cannot be forged; a cursor that does not verify, or that belongs to another order, is a 400.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.db.models.functions import Cast

SALT = "publications.api.cursor"
MAX_CURSOR_LENGTH = 4000  # a cursor holds at most a title of 1,000 characters, compressed
AFTER, BEFORE = "a", "b"


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class SortKey:
    expression: Any
    descending: bool
    nulls_last: bool
    nullable: bool

    def ordered(self, alias: str) -> OrderBy:
        """ORDER BY the key's annotation (a constant rank, such as a DOI search's, cannot be
        ordered by in place: PostgreSQL refuses ORDER BY 1.0)."""
        return OrderBy(
            F(alias),
            descending=self.descending,
            nulls_last=True if self.nulls_last else None,
            nulls_first=None if self.nulls_last else True,
        )

    def reversed(self) -> SortKey:
        return SortKey(self.expression, not self.descending, not self.nulls_last, self.nullable)


def sort_keys(model: type[models.Model], ordering: list) -> list[SortKey]:
    """The keys of an order_by() list (field names, F() or other expressions, asc()/desc()),
    with PostgreSQL's default place for NULLs where the ordering does not say: last ascending,
    first descending."""
    keys = []
    for term in ordering:
        descending, nulls_last = False, None
        if isinstance(term, OrderBy):
            descending = term.descending
            nulls_last = True if term.nulls_last else (False if term.nulls_first else None)
            term = term.expression
        if isinstance(term, str):
            if term.startswith("-"):
                descending, term = True, term[1:]
            term = F(term)
        nullable = False
        if isinstance(term, F) and term.name != "pk":
            try:
                nullable = model._meta.get_field(term.name).null
            except FieldDoesNotExist:
                nullable = False  # an annotation such as the search rank
        if nulls_last is None:
            nulls_last = not descending
        keys.append(SortKey(term, descending, nulls_last, nullable))
    return keys


@dataclass(frozen=True)
class Cursor:
    order: str  # the name of the order the cursor belongs to
    direction: str  # AFTER or BEFORE the row
    values: list

    def encode(self) -> str:
        payload = {"o": self.order, "d": self.direction, "v": [plain(v) for v in self.values]}
        return signing.dumps(payload, salt=SALT, compress=True)


def plain(value: Any) -> Any:
    """A key value as JSON keeps it; the field's to_python() restores it when decoded."""
    return value.isoformat() if isinstance(value, datetime.date) else value


def decode_cursor(raw: str, order: str) -> Cursor:
    if len(raw) > MAX_CURSOR_LENGTH:
        raise InvalidCursor("The cursor is too long to be one of ours.")
    try:
        payload = signing.loads(raw, salt=SALT)
    except signing.BadSignature as error:
        raise InvalidCursor(
            "The cursor is not one this API made: use the `next` or `previous` link of a response."
        ) from error
    if not isinstance(payload, dict) or not isinstance(payload.get("v"), list):
        raise InvalidCursor("The cursor is malformed.")
    if payload.get("o") != order:
        raise InvalidCursor(
            "The cursor belongs to another order (sort): keep the query string of the link."
        )
    if payload.get("d") not in (AFTER, BEFORE):
        raise InvalidCursor("The cursor is malformed.")
    return Cursor(order=order, direction=payload["d"], values=payload["v"])


def key_alias(index: int) -> str:
    return f"_key{index}"


def after_position(keys: list[SortKey], values: list) -> Q:
    """Rows strictly after the position `values` in the order of `keys`: beyond on the first key,
    or equal on it and beyond on the second, and so on."""
    disjuncts, equal = [], Q()
    for index, (key, value) in enumerate(zip(keys, values, strict=True)):
        alias = key_alias(index)
        if value is None:
            beyond = None if key.nulls_last else Q(**{f"{alias}__isnull": False})
            same = Q(**{f"{alias}__isnull": True})
        else:
            beyond = Q(**{f"{alias}__{'lt' if key.descending else 'gt'}": value})
            if key.nullable and key.nulls_last:
                beyond |= Q(**{f"{alias}__isnull": True})
            same = Q(**{alias: value})
        if beyond is not None:
            disjuncts.append(equal & beyond)
        equal &= same
    return reduce(or_, disjuncts) if disjuncts else Q(pk__in=[])


def checked_values(queryset: QuerySet, keys: list[SortKey], values: list) -> list:
    """The cursor's values as their fields take them (dates from ISO text); InvalidCursor if they
    do not fit the order's keys."""
    if len(values) != len(keys):
        raise InvalidCursor("The cursor is malformed.")
    checked = []
    for index, (key, value) in enumerate(zip(keys, values, strict=True)):
        if value is None:
            if not key.nullable:
                raise InvalidCursor("The cursor is malformed.")
            checked.append(None)
            continue
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise InvalidCursor("The cursor is malformed.")
        field = queryset.query.annotations[key_alias(index)].output_field
        try:
            checked.append(field.to_python(value))
        except (ValidationError, TypeError, ValueError) as error:
            raise InvalidCursor("The cursor is malformed.") from error
    return checked


def exact(queryset: QuerySet, key: SortKey):
    """The key as a value that survives the trip to JSON and back unchanged. A search rank is a
    `real`, which psycopg reads from its shortest decimal text into a different double; compared
    with that, the row the cursor names would no longer equal itself. As a double, it does."""
    expression = key.expression
    annotation = isinstance(expression, F) and queryset.query.annotations.get(expression.name)
    if annotation and isinstance(annotation.output_field, models.FloatField):
        return Cast(expression, models.FloatField())
    return expression


def positions(
    queryset: QuerySet, keys: list[SortKey], values: list | None, limit: int
) -> list[tuple]:
    """(pk, *key values) of the first `limit` rows after the position `values` (None: from the
    start) in the order of `keys`.

    The position's condition is an OR over the keys, which no index can seek to; an AND-ed range
    on the first key can, so a deep page costs what the first does. Where NULLs of the first key
    come last, they are outside that range: they are read by a second query, only when the range
    runs out before the page is full (the page that crosses from dated to undated records)."""
    aliases = [key_alias(i) for i in range(len(keys))]
    ordered = queryset.order_by(*(key.ordered(key_alias(i)) for i, key in enumerate(keys)))
    if values is None:
        return list(ordered.values_list("pk", *aliases)[:limit])
    first, alias = keys[0], aliases[0]
    after = ordered.filter(after_position(keys, values))
    if values[0] is None:
        return list(after.values_list("pk", *aliases)[:limit])
    bound = Q(**{f"{alias}__{'lte' if first.descending else 'gte'}": values[0]})
    found = list(after.filter(bound).values_list("pk", *aliases)[:limit])
    if len(found) < limit and first.nullable and first.nulls_last:
        undated = ordered.filter(**{f"{alias}__isnull": True})
        found += undated.values_list("pk", *aliases)[: limit - len(found)]
    return found


@dataclass
class Page:
    pks: list  # the primary keys of the page's rows, in order
    next: Cursor | None
    previous: Cursor | None


def keyset_page(
    queryset: QuerySet,
    keys: list[SortKey],
    *,
    order: str,
    cursor: Cursor | None,
    size: int,
) -> Page:
    """The primary keys of one page of `queryset` in the order of `keys`, after or before the
    cursor's row, and the cursors of the pages beside it. Only the keys are read (a narrow sort,
    or an index scan), size + 1 of them: the extra one says whether there are more. The caller
    reads the page's rows by primary key."""
    queryset = queryset.annotate(
        **{key_alias(i): exact(queryset, key) for i, key in enumerate(keys)}
    )
    backwards = cursor is not None and cursor.direction == BEFORE
    effective = [key.reversed() for key in keys] if backwards else keys
    values = checked_values(queryset, keys, cursor.values) if cursor is not None else None
    found = positions(queryset, effective, values, size + 1)
    more = len(found) > size
    found = found[:size]
    if backwards:
        found.reverse()
        has_next, has_previous = bool(found), more
    else:
        has_next, has_previous = more, cursor is not None and bool(found)

    def position(row: tuple, direction: str) -> Cursor:
        return Cursor(order=order, direction=direction, values=list(row[1:]))

    return Page(
        pks=[row[0] for row in found],
        next=position(found[-1], AFTER) if has_next else None,
        previous=position(found[0], BEFORE) if has_previous else None,
    )


def in_order(queryset: QuerySet, pks: list, fields: list[str]) -> list[dict]:
    """The rows of `queryset` with these primary keys, as dicts of `fields`, in the order of
    `pks` (one query; a row gone since the keys were read is left out)."""
    found = queryset.filter(pk__in=pks).order_by().values("pk", *fields)
    rows = {row["pk"]: row for row in found}
    return [rows[pk] for pk in pks if pk in rows]
