"""The queries of a harvest, a constant number per page whatever its size:

1-3. the page's headers: public records and tombstones after the last id delivered, in id
   order (a keyset on each table), and the live records' sets;
4. the page's records' values, with their journals;
5. their authors, in order; 6. their keywords, in order; 7. their ASJC subject areas;
8. for formats that name affiliations (oai_openaire, mods), the affiliations of their authors.

A subject or organisation set first reads the ids of its subject areas or units (one query more).
The first page of a whole-repository or type list also counts it (completeListSize): for the
whole repository, the public records' running sum and the tombstones; for a type, the data
version and two counts, which are cached until the data changes.
"""

from __future__ import annotations

import datetime
import heapq
import itertools
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Min, Q, QuerySet

from publications.figures import Figures
from publications.models import (
    Authorship,
    Publication,
    PublicationKeyword,
    PublicationTombstone,
)
from publications.oai import sets
from publications.oai.protocol import DateRange
from publications.oai.sets import Selector
from publications.oai.sql import AnyOf
from publications.querysets import public_publication_count


@dataclass(frozen=True)
class Selection:
    """What a ListIdentifiers or ListRecords request selects: a datestamp range and a set."""

    dates: DateRange
    set_spec: str = ""
    narrow: Selector | None = None  # the set's selection of live records; None: no set given

    def live(self, after: int = 0) -> QuerySet:
        """The public records selected, with ids above `after`."""
        queryset = Publication.objects.public()
        if after:  # with `id > 0` the planner counted a whole list along a larger index
            queryset = queryset.filter(pk__gt=after)
        if self.dates.start is not None:
            queryset = queryset.filter(modified__gte=self.dates.start)
        if self.dates.end is not None:
            queryset = queryset.filter(modified__lt=self.dates.end)
        return self.narrow(queryset, after) if self.narrow else queryset

    def deleted(self, after: int = 0) -> QuerySet:
        """The tombstones selected, with ids above `after`."""
        queryset = PublicationTombstone.objects.filter(pk__gt=after)
        if self.dates.start is not None:
            queryset = queryset.filter(deleted__gte=self.dates.start)
        if self.dates.end is not None:
            queryset = queryset.filter(deleted__lt=self.dates.end)
        if self.set_spec:
            # A tombstone whose sets are not known is reported in every set.
            queryset = queryset.filter(
                Q(set_specs__isnull=True) | Q(set_specs__contains=[self.set_spec])
            )
        return queryset

    def count(self) -> int | None:
        """How many records the list has (completeListSize), when an index counts it (see
        sets.countable), else None. The whole repository's: the public records' running sum
        and the tombstones counted (two queries). Another list's is cached until the data
        changes: the data version (one query) and, when not cached, two counts."""
        if not sets.countable(self.set_spec):
            return None
        if not self.set_spec and self.dates.start is None and self.dates.end is None:
            # The whole repository: the public records' running sum (migration 0021) and the
            # tombstones. Counted, a million public records took 100 ms (seconds when the
            # table's visibility map is not set, as after a VACUUM FULL).
            return public_publication_count() + self.deleted().count()
        key = f"oai-list-size:{self.set_spec}:{self.dates.from_value}:{self.dates.until_value}"
        return Figures().get(key, lambda: self.live().count() + self.deleted().count())


@dataclass(frozen=True)
class Header:
    pk: int
    datestamp: datetime.datetime
    deleted: bool
    set_specs: list[str]


def set_specs(live: list[tuple[int, str]]) -> dict[int, list[str]]:
    """The set specs of live records given as (id, output type), from the database function of
    migration 0012 that the tombstones use too (one query)."""
    if not live:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT publication, specs FROM portal_oai_set_specs(%s::bigint[])",
            [[pk for pk, _ in live]],
        )
        others = dict(cursor.fetchall())
    return {pk: ["type", f"type:{kind}", *others.get(pk, [])] for pk, kind in live}


def headers_after(selection: Selection, after: int, limit: int) -> list[Header]:
    """Up to `limit` headers with ids above `after`, in id order: the live records and the
    tombstones are each read by their primary key from `after` on and merged (PostgreSQL does
    not merge a UNION ALL of two index scans by itself), then the live ones' sets (three
    queries)."""
    live = selection.live(after).order_by("pk").values_list("pk", "modified", "output_type")[:limit]
    gone = selection.deleted(after).order_by("pk").values_list("pk", "deleted", "set_specs")[:limit]
    merged = heapq.merge(
        ((pk, moment, False, kind) for pk, moment, kind in live),
        ((pk, moment, True, specs) for pk, moment, specs in gone),
        key=lambda row: row[0],
    )
    # The triggers never leave a tombstone beside a public row; were one left, the live record
    # (merged first) is the one reported.
    unique = (next(group) for _, group in itertools.groupby(merged, key=lambda row: row[0]))
    rows = list(itertools.islice(unique, limit))
    specs = set_specs([(pk, kind) for pk, _, deleted, kind in rows if not deleted])
    return [
        Header(pk, moment, deleted, (extra or []) if deleted else specs[pk])
        for pk, moment, deleted, extra in rows
    ]


def header_of(pk: int) -> Header | None:
    """The header of one record, live or deleted, or None when the id is not (and was never)
    public (two queries)."""
    live = Publication.objects.public().filter(pk=pk).values_list("modified", "output_type").first()
    if live:
        return Header(pk, live[0], False, set_specs([(pk, live[1])])[pk])
    gone = PublicationTombstone.objects.filter(pk=pk).values_list("deleted", "set_specs").first()
    if gone:
        return Header(pk, gone[0], True, gone[1] or [])
    return None


def earliest_datestamp() -> datetime.datetime | None:
    """The oldest datestamp of any record, live or deleted (two index look-ups)."""
    moments = [
        Publication.objects.public().aggregate(earliest=Min("modified"))["earliest"],
        PublicationTombstone.objects.aggregate(earliest=Min("deleted"))["earliest"],
    ]
    moments = [moment for moment in moments if moment is not None]
    return min(moments) if moments else None


RECORD_FIELDS = [
    "pk",
    "title",
    "subtitle",
    "abstract",
    "output_type",
    "language",
    "volume",
    "issue",
    "pages",
    "page_start",
    "page_end",
    "article_number",
    "host_title",
    "edition",
    "publisher",
    "place_of_publication",
    "conference_name",
    "conference_location",
    "conference_start",
    "conference_end",
    "doi",
    "pmid",
    "isbn",
    "open_access",
    "date",
    "date_precision",
    "slug",
    "created",
    "modified",
    "journal__title",
    "journal__issn",
    "journal__eissn",
    "journal__publisher",
]


@dataclass(frozen=True)
class Author:
    role: str
    name_as_printed: str
    given_name: str | None  # None for a corporate author (no person)
    family_name: str | None
    initials: str | None
    orcid: str | None
    affiliations: list[str] = field(default_factory=list)

    @property
    def is_person(self) -> bool:
        return self.family_name is not None

    @property
    def display_name(self) -> str:
        """As Authorship.display_name: the name as printed, else initials and family name."""
        if self.name_as_printed:
            return self.name_as_printed
        return f"{self.initials or ''} {self.family_name or ''}".strip()

    @property
    def citation_name(self) -> str:
        """'Family, Given' (or 'Family, G.' when only the initials are known), as the exports
        name a person; a corporate author as printed."""
        if not self.is_person:
            return self.display_name
        given = self.given_name or self.initials
        return f"{self.family_name}, {given}" if given else self.family_name


@dataclass
class RecordData:
    """Everything a metadata format writes about one record."""

    values: dict
    authors: list[Author] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    subjects: list[tuple[int, str]] = field(default_factory=list)  # (ASJC code, name)


def records(pks: list[int], *, affiliations: bool = False) -> dict[int, RecordData]:
    """The values of the publications with the ids, with authors, keywords and subject areas
    (four queries; five with the authors' affiliations)."""
    if not pks:
        return {}
    found = {
        row["pk"]: RecordData(row)
        for row in Publication.objects.filter(AnyOf("pk", pks)).order_by().values(*RECORD_FIELDS)
    }
    authorships = (
        Authorship.objects.filter(AnyOf("publication_id", pks))
        .order_by("publication_id", "position")
        .values_list(
            "pk",
            "publication_id",
            "role",
            "name_as_printed",
            "person__given_name",
            "person__family_name",
            "person__initials",
            "person__orcid",
        )
    )
    names_by_authorship: dict[int, list[str]] = defaultdict(list)
    if affiliations:
        through = Authorship.affiliations.through
        rows = (
            through.objects.filter(AnyOf("authorship__publication_id", pks))
            .order_by("authorship_id", "organisation__name")
            .values_list("authorship_id", "organisation__name")
        )
        for authorship_id, name in rows:
            names_by_authorship[authorship_id].append(name)
    # A record deleted since the first query has no entry: its rows are skipped.
    for pk, publication_id, role, printed, given, family, initials, orcid in authorships:
        if record := found.get(publication_id):
            names = names_by_authorship.get(pk, [])
            record.authors.append(Author(role, printed, given, family, initials, orcid, names))
    keywords = (
        PublicationKeyword.objects.filter(AnyOf("publication_id", pks))
        .order_by("publication_id", "position")
        .values_list("publication_id", "keyword__term")
    )
    for publication_id, term in keywords:
        if record := found.get(publication_id):
            record.keywords.append(term)
    subjects = (
        Publication.subject_areas.through.objects.filter(AnyOf("publication_id", pks))
        .order_by("publication_id", "subjectarea__code")
        .values_list("publication_id", "subjectarea__code", "subjectarea__display_name")
    )
    for publication_id, code, name in subjects:
        if record := found.get(publication_id):
            record.subjects.append((code, name))
    return found
