"""SQL injection in every parameter (issue 9): no 5xx, and results never widen. A filter value
the portal accepts returns only what matches it literally (here: nothing); a value it refuses is
named to the reader on the HTML listing (and ignored there, as every invalid filter is) and is
a 400 for the machine endpoints; the draft never appears; no table is dropped."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from lxml import html

from publications.api.params import FILTER_NAMES
from publications.filters import PublicationFilterSet
from publications.models import Journal, Person, Publication
from publications.tests.hostile import DRAFT_TITLE, SQL_PAYLOADS, build_world

pytestmark = pytest.mark.django_db

LISTING_NAMES = sorted({*PublicationFilterSet.base_filters, "sort", "page", "per_page"})
ENTITY_LISTINGS = ["/persons/", "/journals/", "/organisations/", "/subject-areas/"]
ENTITY_API = ["/api/v1/persons/", "/api/v1/journals/", "/api/v1/organisations/"]


@pytest.fixture
def world(db, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None},
    }
    return build_world()


def spread(names, per_name: int = 3, every: tuple[str, ...] = ("q", "keyword")):
    """(name, payload) pairs: every payload for the free-text names, `per_name` for the others,
    rotating so that each payload is sent to several of them (the whole matrix would take
    minutes)."""
    start = 0
    for name in names:
        if name in every:
            chosen = SQL_PAYLOADS
        else:
            chosen = [SQL_PAYLOADS[(start + i) % len(SQL_PAYLOADS)] for i in range(per_name)]
            start += per_name
        for payload in chosen:
            yield name, payload


def result_count(response) -> int:
    page = html.fromstring(response.content)
    return int(page.get_element_by_id("result-count").find(".//data").get("value"))


def problems_shown(response) -> str:
    page = html.fromstring(response.content)
    return " ".join(element.text_content() for element in page.find_class("problems"))


def test_injected_filter_values_never_widen_the_html_listing(world, client):
    for name, payload in spread(LISTING_NAMES, 2, every=("q",)):
        url = f"/publications/?{name}={quote(payload)}"
        response = client.get(url)
        assert response.status_code == 200, url
        assert DRAFT_TITLE.encode() not in response.content, url
        count = result_count(response)
        if name in {"sort", "page", "per_page"}:
            continue  # only orders and pages: never filters
        # Accepted values match nothing (no record holds these words); refused ones are
        # ignored only with the reader told so.
        assert count == 0 or "ignored" in problems_shown(response), (url, count)


def test_injected_filter_values_next_to_a_real_filter_keep_it(world, client):
    """An injected value in one filter leaves the others applied: never both records."""
    for name, payload in spread(sorted(PublicationFilterSet.base_filters), 2, every=()):
        url = f"/publications/?journal={world.journal.slug}&{name}={quote(payload)}"
        if name == "journal":
            url = f"/publications/?type=article&journal={quote(payload)}"
        response = client.get(url)
        assert response.status_code == 200, url
        assert result_count(response) <= 1, url


def test_injected_filter_values_are_refused_or_match_nothing_in_the_api(world, client):
    names = sorted({*FILTER_NAMES, "sort", "per_page", "cursor", "facets"})
    for name, payload in spread(names, 2, every=("q",)):
        url = f"/api/v1/publications/?{name}={quote(payload)}"
        response = client.get(url)
        assert response.status_code in {200, 400}, url
        if response.status_code == 200 and name not in {"sort", "per_page", "facets"}:
            slugs = [item["slug"] for item in response.json()["results"]]
            assert slugs == [], (url, slugs)
        assert DRAFT_TITLE.encode() not in response.content, url


def test_injected_filter_values_are_refused_or_match_nothing_in_exports(world, client):
    for name, payload in spread(sorted(PublicationFilterSet.base_filters), 2):
        url = f"/publications/export.json?{name}={quote(payload)}"
        response = client.get(url)
        assert response.status_code in {200, 400}, url
        if response.status_code == 200:
            items = json.loads(b"".join(response.streaming_content))
            assert items == [], (url, [item["title"] for item in items])


def test_injected_searches_find_no_person_journal_or_organisation(world, client):
    """The name searches: `%`, `_` and backslashes are text, not LIKE patterns; a search with
    no word in it is said to be one (and lists everyone, as no search does)."""
    for index, payload in enumerate(SQL_PAYLOADS):
        for listing in ("/persons/", "/journals/"):
            url = f"{listing}?q={quote(payload)}"
            response = client.get(url)
            assert response.status_code == 200, url
            assert result_count(response) == 0 or b"no letters or digits" in response.content
        other = ENTITY_LISTINGS[2 + index % 2]
        assert client.get(f"{other}?q={quote(payload)}").status_code == 200
        url = f"{ENTITY_API[index % 3]}?q={quote(payload)}"
        response = client.get(url)
        assert response.status_code in {200, 400}, url
        if response.status_code == 200:
            assert response.json()["results"] == [], url


def test_injected_slugs_are_not_found(world, client):
    prefixes = ("/publications/", "/persons/", "/journals/", "/api/v1/publications/")
    for index, payload in enumerate(SQL_PAYLOADS):
        url = f"{prefixes[index % 4]}{quote(payload, safe='')}/"
        assert client.get(url).status_code == 404, url


def test_draft_is_hidden_from_every_injected_search(world, client):
    for index, payload in enumerate(SQL_PAYLOADS):
        variants = (f"zebra {payload}", f"{payload} zebra", f"Confidential{payload}")
        q = quote(variants[index % 3])
        for url in (
            f"/publications/?q={q}",
            f"/api/v1/publications/?q={q}",
            f"/publications/?format=atom&q={q}",
        ):
            response = client.get(url)
            assert response.status_code in {200, 400}, url
            assert DRAFT_TITLE.encode() not in response.content, url


def test_no_payload_changed_the_database(world, client):
    before = (Publication.objects.count(), Person.objects.count(), Journal.objects.count())
    for index, payload in enumerate(SQL_PAYLOADS):
        name = ("q", "keyword", "journal", "subject", "sort")[index % 5]
        client.get(f"/publications/export.csv?{name}={quote(payload)}")
        client.get(f"/api/v1/publications/?{name}={quote(payload)}")
        client.post("/oai", {"verb": "ListRecords", "metadataPrefix": payload, "set": payload})
        if index % 5 == 0:  # a failed login costs a password hash
            client.post("/admin/login/", {"username": payload, "password": payload})
    after = (Publication.objects.count(), Person.objects.count(), Journal.objects.count())
    assert after == before


def test_the_draft_is_not_found_at_any_of_its_addresses(world, client):
    slug = world.draft.slug
    for url in (
        f"/publications/{slug}/",
        f"/publications/{slug}/cite/",
        f"/publications/{slug}/fingerprint/",
        f"/publications/{slug}/export.bib",
        f"/api/v1/publications/{slug}/",
        f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:testserver:publications/{world.draft.pk}",
    ):
        response = client.get(url)
        assert response.status_code in {200, 404}, url
        assert DRAFT_TITLE.encode() not in response.content, url
    response = client.get(f"/publications/{slug}/", headers={"Accept": "application/x-bibtex"})
    assert response.status_code == 404
