"""Cached whole-collection figures are never stale: every write changes the data version."""

from __future__ import annotations

import pytest

from publications.models import DataVersion, Keyword
from publications.tests.factories import PublicationFactory
from publications.tests.test_views import result_count, text_of

pytestmark = pytest.mark.django_db


def version() -> int:
    return DataVersion.objects.get().value


def test_every_kind_of_write_changes_the_data_version():
    before = version()
    publication = PublicationFactory()
    after_insert = version()
    publication.title = "Changed"
    publication.save()
    after_update = version()
    Keyword.objects.create(term="HIV").delete()
    after_delete = version()
    assert before < after_insert < after_update < after_delete


def test_cached_totals_and_facets_follow_each_change(visitor):
    PublicationFactory(title="First", language="en")
    first = visitor.get("/publications/")
    assert result_count(first) == 1
    assert result_count(visitor.get("/publications/")) == 1  # served from the cache
    PublicationFactory(title="Second", language="it")
    second = visitor.get("/publications/")
    assert result_count(second) == 2
    assert "Italian 1" in text_of(second)
    home = text_of(visitor.get("/"))
    assert "2 research outputs" in home
    PublicationFactory(title="Third")
    assert "3 research outputs" in text_of(visitor.get("/"))


def test_a_cached_listing_costs_fewer_queries_than_a_fresh_one(visitor, django_assert_num_queries):
    PublicationFactory.create_batch(3)
    # Fresh: 1 data version, 2 count, 3 page + journals, 4 authors, 5 facets.
    with django_assert_num_queries(5):
        visitor.get("/publications/")
    # The same address again: the kept page (pagecache), for the data version alone.
    with django_assert_num_queries(1):
        visitor.get("/publications/")
    # Another order of the same listing: its count is a cached figure. 1 data version, 2 page
    # + journals, 3 authors, 4 the facets (whose links carry the order: their own entry).
    with django_assert_num_queries(4):
        visitor.get("/publications/?sort=title")
