"""Counting large result sets: exact below a threshold, estimated from a fixed sample above it.

A reader can use an exact count of a few thousand results, and can use "about 230,000" just as
well; counting 230,000 matches of a broad word exactly costs PostgreSQL a second at a million
records (every match's heap page is read to check it is visible). So:

- The planner's estimate of a result set (EXPLAIN, about a millisecond) decides. At or below
  EXACT_LIMIT results, counts and facet counts are exact.
- Above it, they are computed over a fixed pseudo-random sample of the public records: the
  records whose `hashint8(id) & 4095` (their bucket) is below 512 (1 in 8), 256 (1 in 16), and
  so on by halves down to 1 (1 in 4,096), the largest sample that holds at most twice
  SAMPLE_TARGET records of the set: between 500 and 1,000 of a set of 8,000 records or more.
  Counts are scaled up and shown as "about". Partial indexes of the public records in each
  sample (migrations 0014 and 0026), including full-text indexes, make a sample as cheap to
  search as a small collection.

The sample is the same on every request, so an estimate does not flicker between reloads, and
it follows the data: a record enters or leaves it by its id alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db import connection
from django.db.models import IntegerField, QuerySet
from django.db.models.expressions import RawSQL

# A facet of persons, organisations, keywords or subject areas reads every author, affiliation,
# keyword and area of each publication it counts: the facets' statement costs about 25 µs a
# record at a million publications (up to 1,000 sampled, or 2,000 counted exactly), beside
# about 15 ms that no sample shortens (the journals, the persons' candidates).
EXACT_LIMIT = 2_000
# Samples halve from one to the next, so a set's holds between SAMPLE_TARGET and twice as many
# of its records. With the samples of 1 in 8, 64, 512 and 4,096 alone (until migration 0026),
# and 1,500 as the target, it held 375 to 3,000: the costliest facets took three times as long
# as now, and the least precise estimates rested on three quarters as many records. In-process
# at a million publications, 40 searches of each `make bench` class, two runs: the facets'
# statement took on average 46.5, 44.8 and 69.1 ms for narrow terms, broad terms and three
# filters; 36.4, 33.0 and 59.9 ms now (42.8, 40.0 and 71.3 with 750 as the target).
SAMPLE_TARGET = 500
# Above this estimate, a listing's sample is counted by its facets' statement (plan()). The
# planner overestimates some sets (several words together), and a set the sample shows to be
# small is counted exactly after all: its facets would then be computed twice.
COUNT_WITH_FACETS_ABOVE = 4 * EXACT_LIMIT
BUCKETS = 4096
# (buckets in the sample, scale), from the largest sample to the smallest: 1 in 8, 16, ... 4,096.
TIERS = tuple((512 >> n, 8 << n) for n in range(10))


@dataclass(frozen=True)
class Sampling:
    """How a set of publications is counted: exactly (scale 1) or over the first `buckets`
    buckets, each sampled record standing for `scale` records."""

    buckets: int = BUCKETS
    scale: int = 1

    @property
    def exact(self) -> bool:
        return self.scale == 1


EXACT = Sampling()


def estimates(querysets: list[QuerySet]) -> list[int]:
    """The planner's estimates of the numbers of rows, in one statement (portal_estimate(),
    migration 0014, runs EXPLAIN on each): no row is read."""
    if not querysets:
        return []
    texts = []
    for queryset in querysets:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
        texts.append(connection.ops.compose_sql(sql, params))
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(["portal_estimate(%s)"] * len(texts)), texts)
        return [int(n) for n in cursor.fetchone()]


def estimate(queryset: QuerySet) -> int:
    return estimates([queryset])[0]


def sampling_for(size: int) -> Sampling:
    """Exact up to EXACT_LIMIT; beyond, the largest sample holding at most twice SAMPLE_TARGET
    records of the set (or the smallest sample)."""
    if size <= EXACT_LIMIT:
        return EXACT
    for buckets, scale in TIERS:
        if size / scale <= SAMPLE_TARGET * 2:
            return Sampling(buckets, scale)
    return Sampling(*TIERS[-1])


def sampled(queryset: QuerySet, sampling: Sampling) -> QuerySet:
    """The queryset restricted to the sample (unchanged when exact). The bucket expression is
    written as the indexes of migration 0014 write it, so PostgreSQL can use them."""
    if sampling.exact:
        return queryset
    table = queryset.model._meta.db_table
    bucket = RawSQL(f'(hashint8("{table}"."id") & 4095)', [], output_field=IntegerField())
    return queryset.alias(sample_bucket=bucket).filter(sample_bucket__lt=sampling.buckets)


def with_ids(queryset: QuerySet, ids: list[int]) -> QuerySet:
    """The rows of `queryset` with these ids (thousands of them at most), passed as one array
    parameter: as `pk__in=ids`, Django resolves and psycopg splits 2,000 parameters, a fifth
    of a first visit's Python time."""
    return queryset.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [list(ids)]))


def about(count: int) -> int:
    """An estimate rounded to two significant figures (230,000, 1,200, 95)."""
    if count < 100:
        return count
    magnitude = 10 ** (int(math.log10(count)) - 1)
    return round(count / magnitude) * magnitude


@dataclass(frozen=True)
class Total:
    """A result count: exact, or estimated (shown as "about")."""

    value: int
    exact: bool = True


@dataclass(frozen=True)
class Count:
    """A count of results, how their facets are counted, and, when there are at most
    EXACT_LIMIT of them, their ids: the page and the facets are then read from the ids, and the
    search that found them (a broad word's index entries, say) is not run again."""

    total: Total | None  # None: not counted yet (plan())
    sampling: Sampling
    ids: list[int] | None = None
    estimate: int = 0  # the planner's


def count(results: QuerySet) -> Count:
    """The results counted: exactly when the planner expects at most EXACT_LIMIT and there are
    no more (their ids read, stopping just past the limit); otherwise estimated from the fixed
    sample."""
    planned = plan(results)
    return planned if planned.total is not None else finish(results, planned)


def plan(results: QuerySet) -> Count:
    """The first step of count(): the results counted exactly (with their ids) when the planner
    expects at most EXACT_LIMIT and there are no more; otherwise only how to sample them, with
    no total, for finish()."""
    size = estimate(results)
    sampling = sampling_for(size)
    if sampling.exact:
        ids = list(results.order_by().values_list("pk", flat=True)[: EXACT_LIMIT + 1])
        if len(ids) <= EXACT_LIMIT:
            return Count(Total(len(ids)), EXACT, ids, size)
        sampling = sampling_for(EXACT_LIMIT + 1)
    return Count(None, sampling, None, size)


def finish(results: QuerySet, planned: Count, found: int | None = None) -> Count:
    """The count of results planned to be sampled, whose sample holds `found` records (counted
    here unless a statement that reads the sample anyway, such as the facets', counted it):
    estimated, or exact (the ids read) when the sample shows that the planner overestimated."""
    sampling = planned.sampling
    if found is None:
        found = sampled(results.order_by().values("pk"), sampling).count()
    if found * sampling.scale <= EXACT_LIMIT:
        ids = list(results.order_by().values_list("pk", flat=True))
        return Count(Total(len(ids)), EXACT, ids)
    return Count(Total(about(found * sampling.scale), exact=False), sampling)
