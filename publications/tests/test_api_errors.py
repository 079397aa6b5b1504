"""Bad requests to /api/: every one is a 4xx with a JSON body that says what is wrong (never a 500,
never an HTML page); the anonymous rate limit; CORS for other sites' scripts."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings

from publications.api.pagination import Cursor
from publications.tests.factories import PublicationFactory
from publications.tests.test_api import fresh_rate_limits  # noqa: F401

pytestmark = pytest.mark.django_db


def json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == status and body["detail"]
    return body


@pytest.mark.parametrize(
    "query, bad",
    [
        ("per_page=1000000", {"per_page"}),
        ("per_page=-5", {"per_page"}),
        ("cursor=garbage", {"cursor"}),
        ("cursor=" + "x" * 5000, {"cursor"}),
        ("cursor=eyJvIjoibmV3ZXN0In0:1xWsH2:forged", {"cursor"}),
        ("q=a%00b", {"q"}),
        ("keyword=%00", {"keyword"}),
        ("q=" + "x" * 400, {"q"}),
        ("year_from=abc&type=blog-post", {"year_from", "type"}),
        ("year_to=99999", {"year_to"}),
        ("peer_reviewed=maybe", {"peer_reviewed"}),
        ("subject=99", {"subject"}),
        ("journal=%3Cscript%3E", {"journal"}),
        ("language=xx", {"language"}),
        ("sort=sideways", {"sort"}),
        ("sort=newest&sort=title", {"sort"}),
        ("facets=type,nope", {"facets"}),
        ("more=nope", {"more"}),
        ("page=2", {"page"}),
        ("yaer_from=2000", {"yaer_from"}),
        ("%00=1", {"\x00"}),
    ],
)
def test_a_bad_query_string_is_a_400_naming_each_bad_parameter(visitor, query, bad):
    PublicationFactory()
    body = json_error(visitor.get("/api/v1/publications/?" + query), 400)
    assert set(body["errors"]) == bad
    assert all(
        isinstance(message, str) for messages in body["errors"].values() for message in messages
    )


@pytest.mark.parametrize("query", ["per_page=%C2%B2", "subject=%C2%B2", "year_from=%C2%B2"])
def test_digits_that_are_not_ascii_are_refused_by_the_api_and_named_by_the_listing(visitor, query):
    # "²" is a digit to str.isdigit() but not to int().
    PublicationFactory()
    name = query.split("=")[0]
    assert set(json_error(visitor.get("/api/v1/publications/?" + query), 400)["errors"]) == {name}
    assert visitor.get("/publications/?" + query).status_code == 200


def test_a_cursor_from_another_order_is_refused(visitor):
    PublicationFactory.create_batch(30)
    next_url = visitor.get("/api/v1/publications/?sort=title").json()["next"]
    cursor = next_url.split("cursor=")[1]
    body = json_error(visitor.get(f"/api/v1/publications/?sort=oldest&cursor={cursor}"), 400)
    assert "another order" in body["errors"]["cursor"][0]
    persons = json_error(visitor.get(f"/api/v1/persons/?cursor={cursor}"), 400)
    assert "cursor" in persons["errors"]


def test_a_signed_cursor_with_values_that_do_not_fit_is_refused(visitor):
    for values in (["not a date", "title", 1], [None, None, None], [1, 2], [{"x": 1}, "t", 1]):
        raw = Cursor(order="newest", direction="a", values=values).encode()
        json_error(visitor.get(f"/api/v1/publications/?cursor={raw}"), 400)


@pytest.mark.parametrize(
    "query",
    [
        "q=%22unbalanced",
        "q=-",
        "q=OR",
        "q=%22%22",
        "q=the",
        "q=%27%3B+drop+table",
        "organisation=nope",
        "person=nope&journal=nope&concept=nope",
        "keyword=" + "k" * 200,
        "subject=2400&subject=3699",
        "q=10.5555%2Fno.such.doi",
        "year_from=2000&year_to=1990",
    ],
)
def test_odd_but_valid_queries_answer_200(visitor, query):
    PublicationFactory()
    response = visitor.get("/api/v1/publications/?" + query)
    assert response.status_code == 200
    assert isinstance(response.json()["count"], int)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/publications/no-such-record/",
        "/api/v1/persons/nobody/",
        "/api/v1/organisations/nowhere/",
        "/api/v1/journals/no-journal/",
        "/api/v1/subject-areas/9999/",
        "/api/v1/subject-areas/99999999999999999999999/",
        "/api/v1/subject-areas/12ab/",
        "/api/v1/nothing/",
        "/api/v2/publications/",
        "/api/",
        "/api/v1/publications/caf%C3%A9/",
    ],
)
def test_unknown_addresses_are_json_404s(visitor, path):
    json_error(visitor.get(path), 404)


def test_a_missing_final_slash_redirects_with_the_query_string(visitor):
    response = visitor.get("/api/v1/publications?type=article")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/publications/?type=article"


def test_a_detail_takes_no_parameters(visitor):
    publication = PublicationFactory()
    body = json_error(visitor.get(f"/api/v1/publications/{publication.slug}/?type=article"), 400)
    assert set(body["errors"]) == {"type"}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/publications/", "/api/v1/schema/", "/api/v1/docs/"])
def test_only_reading_is_allowed(visitor, method, path):
    response = getattr(visitor, method)(path, data="{}", content_type="application/json")
    json_error(response, 405)


def test_head_answers_like_get_without_a_body(visitor):
    PublicationFactory()
    response = visitor.head("/api/v1/publications/")
    assert response.status_code == 200
    assert response["ETag"]


def test_too_many_values_are_a_400_not_an_html_error(visitor, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    query = "&".join(f"keyword=k{n}" for n in range(20))
    json_error(visitor.get("/api/v1/publications/?" + query), 400)


# Rate limit


def anonymous_rate(rate: str) -> override_settings:
    """The settings with another anonymous rate (DRF reads them when asked, see throttling)."""
    rates = {"anon": rate, "user": "1000/minute"}
    return override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    )


@pytest.fixture
def staff_client(staff_user) -> Client:
    """A signed-in librarian beside the anonymous visitor (a client of its own)."""
    staff = Client()
    staff.force_login(staff_user)
    return staff


def test_anonymous_clients_over_the_rate_get_429_with_retry_after(visitor, staff_client):
    with anonymous_rate("3/minute"):
        for _ in range(3):
            assert visitor.get("/api/v1/subject-areas/2403/").status_code == 200
        refused = visitor.get("/api/v1/subject-areas/2403/")
        body = json_error(refused, 429)
        assert 0 < int(refused["Retry-After"]) <= 60
        assert "throttled" in body["detail"].lower()
        # Another client address has its own allowance; staff are not limited.
        assert visitor.get("/api/v1/", REMOTE_ADDR="10.0.0.2").status_code == 200
        for _ in range(5):
            assert staff_client.get("/api/v1/subject-areas/2403/").status_code == 200


def test_signed_in_users_have_their_own_higher_allowance(visitor, django_user_model):
    reader = Client()
    reader.force_login(django_user_model.objects.create_user("reader", password="pw-reader-1"))
    rates = {"anon": "1/minute", "user": "3/minute"}
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ):
        codes = [reader.get("/api/v1/subject-areas/2403/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_a_forged_forwarded_for_header_does_not_reset_the_limit(visitor):
    with anonymous_rate("2/minute"):
        codes = [
            visitor.get("/api/v1/", headers={"X-Forwarded-For": f"10.9.9.{n}"}).status_code
            for n in range(3)
        ]
    assert codes == [200, 200, 429]


# CORS


def test_any_site_may_read_the_api_with_get(visitor):
    PublicationFactory()
    response = visitor.get("/api/v1/publications/", headers={"Origin": "https://example.net"})
    assert response["Access-Control-Allow-Origin"] == "*"
    exposed = {h.strip().lower() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"etag", "last-modified", "link", "retry-after"} <= exposed
    assert "Access-Control-Allow-Credentials" not in response


def test_a_preflight_for_a_conditional_get_is_allowed(visitor):
    response = visitor.options(
        "/api/v1/publications/",
        headers={
            "Origin": "https://example.net",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert set(response["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert "if-none-match" in response["Access-Control-Allow-Headers"]


def test_pages_outside_the_api_get_no_cors_headers(visitor):
    response = visitor.get("/publications/", headers={"Origin": "https://example.net"})
    assert "Access-Control-Allow-Origin" not in response
