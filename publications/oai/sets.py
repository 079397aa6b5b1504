"""The OAI sets: how a harvester selects part of the repository.

- `type` (Output types): all public records (every record has an output type);
  `type:<output type>` (`type:article`, `type:doctoral-thesis`; named "Contribution to
  journal › Article"): those of the type.
- `subject` (ASJC subject areas): records with any ASJC subject area; `subject:<area>`
  (`subject:2700`, "ASJC 2700 Medicine"): every code of the area, 2700 itself included;
  `subject:<area>:<code>` (`subject:2700:2705`, "ASJC 2705 Cardiology and …"): the code.
- `organisation` (Organisations): records with an author affiliated with a unit of the
  institution; `organisation:<slug>` (named as the unit): affiliated with the unit or any unit
  below it.

Organisation sets are flat (the slug alone) so a spec stays the same when a unit moves in the
tree; like the portal's organisation filter, a unit's set holds its sub-units' records. External
organisations are not sets. A record's own specs come from the database function
portal_oai_set_specs() (migration 0012), which the tombstones use too; the selections below
are written to agree with it, and the tests check that they do.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Q, QuerySet

from publications.models import (
    CATEGORY_OF_TYPE,
    Authorship,
    Organisation,
    OutputType,
    Publication,
    SubjectArea,
)
from publications.oai.sql import AnyOf

# Narrows public publications to a set, given the keyset's lower bound (ids above it).
Selector = Callable[[QuerySet, int], QuerySet]


CODE_RE = re.compile(r"[0-9]{4}")


def internal_units() -> QuerySet:
    return Organisation.objects.internal().public().exclude(slug="")


# A selector first reads the ids of the subject areas or units the set stands for (one query)
# and hands them to PostgreSQL as a list: from a subquery the planner cannot tell a code with 200
# records from one with 20,000 and, at 1,000,000 records, chose plans that read every record for
# the small ones.
#
# The id bound is repeated inside the subqueries below: PostgreSQL does not carry `id > after`
# across a join, and without it every page would read the set's rows from the first record on.


def with_subject(codes: Q | None) -> Selector:
    """Records with a subject area whose code meets the condition (None: any subject area)."""
    through = Publication.subject_areas.through

    def select(queryset: QuerySet, after: int) -> QuerySet:
        rows = through.objects.filter(publication_id=OuterRef("pk"), publication_id__gt=after)
        if codes is not None:
            areas = SubjectArea.objects.filter(codes).order_by().values_list("pk", flat=True)
            rows = rows.filter(AnyOf("subjectarea_id", list(areas)))
        return queryset.filter(Exists(rows))

    return select


def affiliated_with(units: QuerySet) -> Selector:
    """Records with an author affiliated with one of the organisations."""
    through = Authorship.affiliations.through

    def select(queryset: QuerySet, after: int) -> QuerySet:
        ids = list(units.order_by().values_list("pk", flat=True))
        rows = through.objects.filter(
            AnyOf("organisation_id", ids),
            authorship__publication=OuterRef("pk"),
            authorship__publication_id__gt=after,
        )
        return queryset.filter(Exists(rows))

    return select


def all_records(queryset: QuerySet, after: int) -> QuerySet:
    return queryset


def selector(spec: str) -> Selector | None:
    """How to narrow public publications to the set, or None when there is no such set (the
    harvest then matches no records). No query is run until the selector is applied."""
    head, _, rest = spec.partition(":")
    if head == "type":
        if not rest:
            return all_records
        if rest in OutputType.values:
            return lambda queryset, after: queryset.filter(output_type=rest)
        return None
    if head == "subject":
        if not rest:
            return with_subject(None)
        parts = rest.split(":")
        if len(parts) > 2 or not all(CODE_RE.fullmatch(part) for part in parts):
            return None
        area = int(parts[0])
        if area % 100 or not 1000 <= area <= 3600:
            return None
        if len(parts) == 1:  # the area and all its codes, as PublicationQuerySet.in_subject_codes
            return with_subject(Q(code__gte=area, code__lt=area + 100))
        code = int(parts[1])
        if code // 100 * 100 != area or code % 100 == 0:
            return None
        return with_subject(Q(code=code))
    if head == "organisation":
        if ":" in rest:
            return None
        # The units of the institution (one, by its slug), and every organisation below them.
        heads = internal_units().filter(slug=rest) if rest else internal_units()
        heads = heads.order_by().values("pk")
        return affiliated_with(Organisation.objects.filter(lineage__overlap=ArraySubquery(heads)))
    return None


def countable(spec: str) -> bool:
    """Whether an index counts the set's records: the type sets, by the output type each record
    holds. A subject or organisation set is counted only by reading every member's subject areas
    or authors (seconds at 1,000,000 records)."""
    return not spec or spec.partition(":")[0] == "type"


@dataclass(frozen=True)
class OAISet:
    spec: str
    name: str


TOP_LEVEL = [
    OAISet("type", "Output types"),
    OAISet("subject", "ASJC subject areas"),
    OAISet("organisation", "Organisations"),
]


def fixed_sets() -> list[OAISet]:
    """The sets that do not depend on the organisations: the three top-level ones, every output
    type, every ASJC area and code (one query)."""
    sets = list(TOP_LEVEL)
    sets += [
        OAISet(f"type:{kind}", f"{CATEGORY_OF_TYPE[kind]} › {label}")
        for kind, label in OutputType.choices
    ]
    for code, display_name in SubjectArea.objects.order_by("code").values_list(
        "code", "display_name"
    ):
        area = code // 100 * 100
        if code == area:
            name = display_name.removesuffix("(all)").strip()
            sets.append(OAISet(f"subject:{code}", f"ASJC {code} {name}"))
        else:
            sets.append(OAISet(f"subject:{area}:{code}", f"ASJC {code} {display_name}"))
    return sets


def organisation_sets(after: int, limit: int) -> list[tuple[int, OAISet]]:
    """The units of the institution after the given id, in id order: (id, set)."""
    rows = internal_units().filter(pk__gt=after).order_by("pk").values_list("pk", "slug", "name")
    return [(pk, OAISet(f"organisation:{slug}", name)) for pk, slug, name in rows[:limit]]


def organisation_set_count() -> int:
    return internal_units().count()
