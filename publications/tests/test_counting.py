"""Large result sets (publications.counting): exact counts up to the limit, then estimates from a
fixed sample, labelled as such; relevance ranked among the newest matches; deep pages. The
limits are lowered here so that a few dozen records stand for a million."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publications import counting, facets, listing
from publications.models import Publication
from publications.tests.factories import PublicationFactory, analyze
from publications.tests.test_listing import facet_links, indexed, titles
from publications.tests.test_views import result_count, text_of

pytestmark = pytest.mark.django_db


def shown_count(response) -> tuple[int, bool]:
    """The result count and whether it is exact (no "About")."""
    match = re.search(
        r'id="result-count"[^>]*>\s*(About )?<data value="(\d+)"', response.content.decode()
    )
    assert match, "the page has no machine-readable result count"
    return int(match[2]), not match[1]


def in_sample(buckets: int, **filters) -> int:
    """How many public records (matching `filters`) are in the first `buckets` buckets, as
    PostgreSQL computes the bucket."""
    ids = list(Publication.objects.public().filter(**filters).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM unnest(%s::bigint[]) id WHERE (hashint8(id) & 4095) < %s",
            [ids, buckets],
        )
        return cursor.fetchone()[0]


@pytest.fixture
def small_limits(monkeypatch):
    """Exact up to 10 records; beyond, the 1-in-8 sample (buckets below 512)."""
    monkeypatch.setattr(counting, "EXACT_LIMIT", 10)
    monkeypatch.setattr(counting, "SAMPLE_TARGET", 1_000_000)


def test_sampling_is_exact_up_to_the_limit_then_the_smallest_sample_near_the_target():
    assert counting.sampling_for(0).exact
    assert counting.sampling_for(counting.EXACT_LIMIT).exact
    first = counting.sampling_for(counting.EXACT_LIMIT + 1)
    assert (first.buckets, first.scale) == (512, 8)
    million = counting.sampling_for(1_000_000)
    assert million.scale == 1024 and 1_000_000 / million.scale <= 2 * counting.SAMPLE_TARGET
    # Every set of 8,000 or more is estimated from 500 to 1,000 of its records.
    for size in (8_001, 15_999, 16_001, 100_000, 230_000, 893_260, 3_000_000):
        held = size / counting.sampling_for(size).scale
        assert counting.SAMPLE_TARGET <= held <= 2 * counting.SAMPLE_TARGET, size
    assert counting.sampling_for(10**9).scale == 4096  # no smaller sample


def test_estimates_are_rounded_to_two_significant_figures():
    assert [counting.about(n) for n in (7, 99, 123, 1_234, 987_654)] == [
        7,
        99,
        120,
        1_200,
        990_000,
    ]


def test_the_planner_estimates_without_reading(small_limits):
    PublicationFactory.create_batch(30)
    analyze()
    estimate = counting.estimate(Publication.objects.public())
    assert 15 <= estimate <= 60  # statistics, not a count
    assert counting.estimates([]) == []


def test_up_to_the_limit_counts_and_facets_are_exact(visitor, small_limits):
    PublicationFactory.create_batch(10, output_type="article")
    analyze()
    response = visitor.get("/publications/?type=article")
    assert shown_count(response) == (10, True)
    assert facet_links(response, "type")["Article"][1] == 10
    assert "≈" not in text_of(response)


def test_beyond_the_limit_counts_are_estimated_from_the_sample_and_say_so(visitor, small_limits):
    for n in range(80):
        PublicationFactory(output_type="article" if n % 4 else "book", title=f"Study {n}")
    PublicationFactory.create_batch(5, workflow_state="in_progress", output_type="book")
    analyze()
    response = visitor.get("/publications/?q=study")
    sampled = in_sample(512, title__startswith="Study")
    assert sampled, "a sample of 80 records at 1 in 8 should not be empty"
    assert shown_count(response) == (counting.about(sampled * 8), False)
    assert "About" in text_of(response)
    books = in_sample(512, title__startswith="Study", output_type="book")
    if books:
        assert facet_links(response, "type")["Book"][1] == counting.about(books * 8)
    assert "Counts marked ≈ are estimated from a sample of the results." in text_of(response)


def test_a_planner_overestimate_falls_back_to_the_exact_count(visitor, monkeypatch):
    monkeypatch.setattr(counting, "EXACT_LIMIT", 10)
    PublicationFactory.create_batch(4, title="Rare words")
    monkeypatch.setattr(counting, "estimates", lambda querysets: [10**6] * len(querysets))
    response = visitor.get("/publications/?q=rare")
    assert shown_count(response) == (4, True)


@pytest.mark.parametrize(
    "walk_above, cutoff",
    [
        (0, None),
        (10**9, None),
        # Read since a date that 20 of the matches reach (of the 10 wanted).
        (10**9, datetime.date(2010, 1, 1)),
        (0, datetime.date(2010, 1, 1)),
        # Since a date only 4 reach, which the sample may give once in many thousand searches:
        # then all of them are read, as without a cutoff.
        (10**9, datetime.date(2018, 1, 1)),
        (0, datetime.date(2018, 1, 1)),
    ],
    ids=[
        "walking-the-dates",
        "reading-all",
        "reading-since-a-cutoff",
        "walking-since-a-cutoff",
        "reading-all-when-too-few-reach-the-cutoff",
        "walking-when-too-few-reach-the-cutoff",
    ],
)
def test_relevance_past_the_limit_ranks_the_newest_matches_and_says_so(
    visitor, monkeypatch, walk_above, cutoff
):
    """Every way of finding the newest matches (listing.newest_matches) finds the same."""
    monkeypatch.setattr(counting, "EXACT_LIMIT", 5)
    monkeypatch.setattr("publications.listing.RELEVANCE_CANDIDATES", 10)
    monkeypatch.setattr("publications.listing.NEWEST_BY_WALKING_ABOVE", walk_above)
    monkeypatch.setattr("publications.listing.CUTOFF_FROM", 0 if cutoff else 10**9)
    monkeypatch.setattr("publications.listing.newest_cutoff", lambda results, size: cutoff)
    best = indexed(PublicationFactory(title="Kinase kinase kinase", date=datetime.date(1970, 1, 1)))
    for n in range(40):
        indexed(
            PublicationFactory(
                title=f"Notes {n}", abstract="A kinase.", date=datetime.date(2000 + n % 20, 1, 1)
            )
        )
    analyze()
    response = visitor.get("/publications/?q=kinase")
    assert "among the 10 newest matches" in text_of(response)
    assert best.title not in titles(response)  # the oldest is not among the candidates
    assert {f"Notes {n}" for n in range(40) if n % 20 >= 15} == set(titles(response))
    assert len(titles(response)) == 10  # ten candidates: one page, and no next one
    assert 'rel="next"' not in response.content.decode()
    newest = visitor.get("/publications/?q=kinase&sort=oldest")
    assert titles(newest)[0] == best.title  # every match can still be reached by date
    assert "newest matches" not in text_of(newest)


def test_a_filtered_search_walks_to_its_newest_matches_without_a_cutoff(visitor, monkeypatch):
    """With filters, the newest matches are found among the filtered records, newest first:
    since a cutoff, PostgreSQL would intersect the dates with every match of the words in the
    whole collection (a common word in a common type: 234,000 at a million publications)."""
    monkeypatch.setattr(counting, "EXACT_LIMIT", 5)
    # Every record in the "sample", so that the results are surely estimated past the limit
    # (a 1-in-8 sample of the 20 articles is empty about once in 15 runs).
    monkeypatch.setattr(counting, "TIERS", ((counting.BUCKETS, 8),))
    monkeypatch.setattr("publications.listing.RELEVANCE_CANDIDATES", 10)
    monkeypatch.setattr("publications.listing.CUTOFF_FROM", 0)
    asked = []
    monkeypatch.setattr(
        "publications.listing.newest_cutoff", lambda results, size: asked.append(size)
    )
    for n in range(40):
        indexed(
            PublicationFactory(
                title=f"Notes {n}",
                abstract="A kinase.",
                output_type="article" if n % 2 else "chapter",
                date=datetime.date(2000 + n, 1, 1),
            )
        )
    analyze()
    response = visitor.get("/publications/?q=kinase&type=article&year_from=2000&year_to=2035")
    assert "among the 10 newest matches" in text_of(response)
    assert set(titles(response)) == {f"Notes {n}" for n in range(17, 36, 2)}
    assert not asked
    visitor.get("/publications/?q=kinase")
    assert asked  # the words alone are bounded by a cutoff first


def test_deep_pages_read_the_right_rows_in_every_order(visitor, monkeypatch):
    monkeypatch.setattr("publications.listing.MAX_DEPTH", 200)
    for n in range(120):
        PublicationFactory(title=f"T{n:03d}", date=datetime.date(1900 + n, 1, 1))
    analyze()
    page = visitor.get("/publications/?sort=title&page=5&per_page=25")
    assert titles(page) == [f"T{n:03d}" for n in range(100, 120)]
    page = visitor.get("/publications/?sort=newest&page=2&per_page=25")
    assert titles(page) == [f"T{n:03d}" for n in range(94, 69, -1)]
    assert result_count(page) == 120


def test_an_edit_shows_at_once_in_counts_and_facets(visitor, small_limits):
    PublicationFactory.create_batch(3, output_type="article")
    target = PublicationFactory(output_type="article")
    assert facet_links(visitor.get("/publications/"), "type")["Article"][1] == 4
    Publication.objects.filter(pk=target.pk).update(output_type="book")
    response = visitor.get("/publications/")
    assert facet_links(response, "type")["Article"][1] == 3
    assert facet_links(response, "type")["Book"][1] == 1


def ids_where(bucket_test: str, n: int) -> list[int]:
    """`n` record ids, past any a test's sequence gives, whose bucket passes `bucket_test`
    ("< 512": in the 1-in-8 sample), so that what a sample holds is known in advance."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM generate_series(10000000, 20000000) id "
            f"WHERE (hashint8(id) & 4095) {bucket_test} LIMIT %s",
            [n],
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def studies(small_limits, monkeypatch):
    """80 records with the word "study": 60 articles, of which 16 are in the 1-in-8 sample, and
    20 books, of which 4 are. A set estimated above 40 records is counted with its facets."""
    monkeypatch.setattr(counting, "COUNT_WITH_FACETS_ABOVE", 40)
    inside, outside = ids_where("< 512", 20), ids_where(">= 512", 60)
    for n, pk in enumerate(inside[:16] + outside[:44]):
        PublicationFactory(pk=pk, output_type="article", title=f"Study {n}")
    for n, pk in enumerate(inside[16:] + outside[44:]):
        PublicationFactory(pk=pk, output_type="book", title=f"Study of books {n}")
    analyze()


def test_a_sampled_count_is_made_by_the_facets_statement(visitor, studies):
    """Past the limit, the facets read the results' sample anyway: their statement counts it,
    and no statement of its own reads the sample again (at a million publications, 40 to 60 ms
    for a broad word)."""
    with CaptureQueriesContext(connection) as context:
        response = visitor.get("/publications/?q=study&type=article")
    assert shown_count(response) == (counting.about(16 * 8), False)
    assert facet_links(response, "type")["Book"][1] == counting.about(4 * 8)
    statements = [query["sql"] for query in context.captured_queries]
    assert not [sql for sql in statements if sql.startswith("SELECT COUNT(*)")]
    # The data version, two estimates (the results; the sets the facets count), the facets with
    # the count, the page, its authors.
    assert len(statements) == 6


def test_without_a_facet_of_the_results_themselves_the_sample_is_counted_apart(
    visitor, studies, monkeypatch
):
    """Only the type facet: it counts the results without their type filter, so the results'
    own sample is counted by a statement of its own."""
    monkeypatch.setattr(facets, "FACETS", [spec for spec in facets.FACETS if spec.name == "type"])
    with CaptureQueriesContext(connection) as context:
        response = visitor.get("/publications/?q=study&type=article")
    assert shown_count(response) == (counting.about(16 * 8), False)
    assert facet_links(response, "type")["Article"][1] == counting.about(16 * 8)
    assert facet_links(response, "type")["Book"][1] == counting.about(4 * 8)
    statements = [query["sql"] for query in context.captured_queries]
    assert len([sql for sql in statements if sql.startswith("SELECT COUNT(*)")]) == 1


def test_a_set_estimated_near_the_limit_is_counted_before_its_facets(visitor, monkeypatch):
    """The planner overestimates some sets (several words together). Near the limit, the
    sample is counted first, and a set it shows to be small has its facets computed once,
    exactly (counted with the facets, they would be computed twice)."""
    monkeypatch.setattr(counting, "EXACT_LIMIT", 10)
    monkeypatch.setattr(counting, "COUNT_WITH_FACETS_ABOVE", 40)
    PublicationFactory.create_batch(4, title="Rare words")
    monkeypatch.setattr(counting, "estimates", lambda querysets: [30] * len(querysets))
    with CaptureQueriesContext(connection) as context:
        response = visitor.get("/publications/?q=rare+words")
    assert shown_count(response) == (4, True)
    assert facet_links(response, "type")["Article"][1] == 4
    statements = [query["sql"] for query in context.captured_queries]
    assert len([sql for sql in statements if "facet_set_0" in sql]) == 1


# The samples with full-text indexes of their own (1 in n: migrations 0014, 0022 and 0026); the
# smaller ones are searched through the 1-in-512 sample's.
INDEXED_SAMPLES = (8, 16, 32, 64, 128, 256, 512)
# A rare value of each column the full-text indexes hold (the factory's records have none).
RARE = {
    "output_type": "comment",
    "language": "de",
    "status": "accepted",
    "peer_reviewed": False,
    "open_access": "gold",
}


def test_a_word_and_a_filtered_column_are_found_in_one_index_scan():
    """A common word in a rare type used to be found by reading every record with the word to
    test its type: 240 ms at a million publications for 236 results of 101,000 matches. Here
    every record has the word, and three have a rare type, language, status... The
    full-text indexes, of the whole collection and of each sample, hold the columns the filters
    test (migration 0022), so the word and the type are intersected inside the index. Only
    bitmap scans are allowed here, so this checks what the indexes can do, not which plan
    PostgreSQL prefers at a given size."""
    # Ids in the smallest sample: every sample holds every record.
    for n, pk in enumerate(ids_where("< 8", 203)):
        indexed(PublicationFactory(pk=pk, title=f"Perspectives {n}", **(RARE if n < 3 else {})))
    # Rows of other tests, rolled back, stay in the indexes' pending lists, which then look
    # costly to scan: the lists are cleaned, as autovacuum would.
    with connection.cursor() as cursor:
        for name in ["search", *(f"sample{n}_search" for n in INDEXED_SAMPLES)]:
            cursor.execute(
                "SELECT gin_clean_pending_list(%s::regclass)", [f"publication_{name}_gin"]
            )
    analyze()
    for column, value in RARE.items():
        # The samples of 1 in 1,024, 2,048 and 4,096 are searched through the 1-in-512 one's.
        for buckets in [
            counting.BUCKETS,
            *(counting.BUCKETS // n for n in INDEXED_SAMPLES),
            4,
            2,
            1,
        ]:
            results = Publication.objects.public().search("perspectives").filter(**{column: value})
            sampling = counting.Sampling(buckets, counting.BUCKETS // buckets)
            with connection.cursor() as cursor:  # bitmap scans only: no walk of another index
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("SET LOCAL enable_indexscan = off")
                plan = counting.sampled(results, sampling).explain()
            conditions = re.findall(r"Index Cond: (.*)", plan)
            assert any("search_vector @@" in c and column in c for c in conditions), plan


def test_the_whole_collection_is_counted_by_its_running_sum(visitor):
    """The unfiltered listing's total, and the API's, is the running sum of the public records
    (migration 0021): no statement counts them (30 ms at a million), and a withdrawn record
    leaves it at once."""
    records = PublicationFactory.create_batch(4)
    PublicationFactory(workflow_state="in_progress")
    with CaptureQueriesContext(connection) as context:
        response = visitor.get("/publications/")
    assert shown_count(response) == (4, True)
    assert not [q for q in context.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    Publication.objects.filter(pk=records[0].pk).update(visibility="backend")
    with CaptureQueriesContext(connection) as context:  # the API first: nothing cached
        assert visitor.get("/api/v1/publications/?sort=title").json()["count"] == 3
    assert not [q for q in context.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert shown_count(visitor.get("/publications/?sort=title")) == (3, True)


def test_the_cutoff_is_read_from_the_sample_with_a_margin(monkeypatch):
    """newest_cutoff: the date that CUTOFF_MARGIN times the wanted candidates are expected to
    reach, read from the results' sample alone (here 1 in 8: the 5th newest sampled date for
    10 candidates), and none when the sample holds too few."""
    monkeypatch.setattr("publications.listing.RELEVANCE_CANDIDATES", 10)
    inside, outside = ids_where("< 512", 30), ids_where(">= 512", 30)
    for n, pk in enumerate(inside):
        PublicationFactory(pk=pk, title=f"Sampled {n}", date=datetime.date(1990 + n, 1, 1))
    for n, pk in enumerate(outside):  # newer, but not in the sample
        PublicationFactory(pk=pk, title=f"Unsampled {n}", date=datetime.date(2030 + n, 1, 1))
    results = Publication.objects.public()
    assert listing.newest_cutoff(results, 60) == datetime.date(1990 + 25, 1, 1)
    assert listing.newest_cutoff(results.filter(date__year__lt=1994), 60) is None  # 4 sampled


@pytest.mark.parametrize("size", [10_000, 16_000, 30_000, 50_000])
def test_the_relevance_cutoff_is_read_from_the_1_in_64_sample(size, monkeypatch):
    """From 13 records of the 1-in-64 sample, fewer than 200 results reach the cutoff about
    once in 50,000 searches; from 4 of the 1-in-256 sample, about once in 120."""
    used = []
    sampled = counting.sampled

    def recorded(queryset, sampling):
        used.append(sampling)
        return sampled(queryset, sampling)

    monkeypatch.setattr(counting, "sampled", recorded)
    listing.newest_cutoff(Publication.objects.public(), size)
    assert used == [counting.Sampling(64, 64)]
