"""Large result sets (publications.counting): exact counts up to the limit, then estimates from a
fixed sample, labelled as such; relevance ranked among the newest matches; deep pages. The
limits are lowered here so that a few dozen records stand for a million."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection

from publications import counting
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
    assert million.scale == 512 and 1_000_000 / million.scale <= 2 * counting.SAMPLE_TARGET
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


@pytest.mark.parametrize("walk_above", [0, 10**9], ids=["walking-the-dates", "reading-all"])
def test_relevance_past_the_limit_ranks_the_newest_matches_and_says_so(
    visitor, monkeypatch, walk_above
):
    """Both ways of finding the newest matches (listing.newest_matches) find the same."""
    monkeypatch.setattr(counting, "EXACT_LIMIT", 5)
    monkeypatch.setattr("publications.listing.RELEVANCE_CANDIDATES", 10)
    monkeypatch.setattr("publications.listing.NEWEST_BY_WALKING_ABOVE", walk_above)
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
