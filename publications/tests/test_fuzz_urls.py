"""Hostile input at every public address (issue 9): random and malicious query strings, path
segments, headers and form posts never give a 5xx. The addresses are read from the URL resolver,
so a new page is fuzzed as soon as it is routed."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from publications.filters import PublicationFilterSet
from publications.sitemaps import SITEMAPS
from publications.tests.hostile import (
    CONVERTER,
    GARBAGE_VALUES,
    HOSTILE,
    MARKUP_PAYLOADS,
    RAW_QUERY_PIECES,
    SQL_PAYLOADS,
    build_world,
)

pytestmark = pytest.mark.django_db

# The listing's names (DESIGN.md, filters.py), the API's, the cite page's, OAI-PMH's.
PARAMETERS = sorted(
    {
        *PublicationFilterSet.base_filters,
        *("sort", "page", "per_page", "format", "style", "facets", "more", "cursor"),
        *("verb", "metadataPrefix", "set", "from", "until", "identifier", "resumptionToken"),
        *("next", "username", "password", "csrfmiddlewaretoken", "utm_source", "callback"),
    }
)
REAL_VALUES = [
    "2403",
    "2400",
    "1997",
    "article",
    "published",
    "en",
    "true",
    "false",
    "gold",
    "relevance",
    "newest",
    "title",
    "atom",
    "apa",
    "vancouver",
    "25",
    "100",
    "ListRecords",
    "ListIdentifiers",
    "GetRecord",
    "Identify",
    "ListSets",
    "ListMetadataFormats",
    "oai_dc",
    "oai_openaire",
    "mods",
    "type:article",
    "subject:2403",
    "2020-01-01",
    "2020-01-01T00:00:00Z",
    "oai:localhost:publications/1",
    "10.1234/hostile.alpha",
    "https://doi.org/10.1234/hostile.alpha",
]
ACCEPTS = [
    "text/html",
    "*/*",
    "application/json",
    "application/x-bibtex",
    "application/x-research-info-systems",
    "application/vnd.citationstyles.csl+json",
    "application/ld+json",
    "text/x-bibliography",
    "application/atom+xml",
    "text/html;q=abc, application/x-bibtex;q=1e999",
    "application/ld+json;q=-1, */*;q=NaN",
    ";;;,,,",
    "a/b/c/d",
    "text/x-bibliography; style=../../etc/passwd",
]
HOSTS = ["testserver", "localhost", "127.0.0.1", "[::1]", "LOCALHOST", "localhost:8000", "evil.com"]
HEADERS = {
    "Accept": ACCEPTS,
    "If-None-Match": ['"x"', "*", 'W/"1-abc"', '"', "garbage, ,", '"' + "9" * 5000 + '"'],
    "If-Modified-Since": [
        "Thu, 01 Jan 1970 00:00:00 GMT",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "Mon, 00 Jan 0000 00:00:00 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "yesterday",
        "-1",
        "9" * 100,
    ],
    "If-Match": ['"nope"', "*"],
    "If-Unmodified-Since": ["Thu, 01 Jan 1970 00:00:00 GMT", "never"],
    "Range": ["bytes=0-10", "bytes=-1", "bytes=99999999999999999999-", "bytes=abc", "items=0-9"],
    "HX-Request": ["true", "false", "", "\x7f"],
    "HX-Target": ["results", "<script>", ""],
    "HX-Current-URL": ["javascript:alert(1)", "http://evil.com/"],
    "Accept-Language": ["*", "zz-ZZ;q=abc", "en-US,en;q=0.9", "x" * 500, "de-DE-1996, fr;q=2"],
    "User-Agent": ["", "Mozilla/5.0 " + "A" * 5000, "<script>alert(1)</script>", "sqlmap/1.0"],
    "X-Forwarded-For": ["1.2.3.4, <script>", "' OR 1=1--", "999.999.999.999"],
    "Referer": ["javascript:alert(1)", "http://[::1", "%ff"],
    "Origin": ["null", "http://evil.com"],
    "Cookie": ["sessionid=' OR 1=1--", "csrftoken=\x00; a=b", "a" * 4000],
}
JUNK_SEGMENTS = [
    "a",
    "-",
    "_",
    "x" * 300,
    "0",
    "-1",
    "99999999999999999999999",
    "%00",
    "%ff",
    "%2e%2e",
    "..%2f..%2fetc%2fpasswd",
    "%27%20OR%201%3D1--",
    "%3Cscript%3E",
    "%E2%80%AE",
    "caf%C3%A9",
    "%ed%a0%80",
]
SEGMENT_VALUES = {
    "code": ["2403", "2400", "1000", "3699", "0", "999", "4000", "9" * 30],
    "section": [*SITEMAPS, "nope", "x" * 200],
    "extension": ["bib", "ris", "json", "csv", "jsonld", "atom", "bib.bak", "", "%00"],
}


@dataclass(frozen=True)
class Route:
    """One URL pattern as a template: 'publications/<slug:slug>/cite/' or 'api/^.*$'."""

    template: str
    name: str | None

    def fill(self, values: dict[str, str]) -> str:
        if "^" in self.template:  # the API's catch-all re_path: anything after its prefix
            prefix = self.template.split("^")[0]
            return "/" + prefix + values.get("rest", "")
        return "/" + CONVERTER.sub(lambda match: values[match.group("name")], self.template)

    @property
    def parameters(self) -> list[str]:
        if "^" in self.template:
            return ["rest"]
        return [match.group("name") for match in CONVERTER.finditer(self.template)]


def public_routes() -> list[Route]:
    """Every pattern of the resolver but the model admin's (staff only: anonymous visitors are
    sent to the login page, which is itself fuzzed below)."""

    def walk(patterns, prefix: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield Route(prefix + str(pattern.pattern), pattern.name)

    routes = list(walk(get_resolver().url_patterns, ""))
    admin = [
        r
        for r in routes
        if r.template.startswith("admin/") and not r.template.startswith("admin/tools/")
    ]
    public = [r for r in routes if r not in admin]
    return [*public, *(r for r in admin if r.name in {"login", "index", "logout"})]


ROUTES = public_routes()
PAYLOADS = SQL_PAYLOADS + MARKUP_PAYLOADS + GARBAGE_VALUES


@pytest.fixture
def world(db, settings):
    # The fuzzers send hundreds of anonymous API requests: no rate limit for them.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None},
    }
    return build_world()


def segment_values(world, route: Route, name: str) -> list[str]:
    """Values for a path parameter: the real one for this route first, then other records'
    (a person's slug at a publication's address), then junk."""
    if name == "slug":
        own = {
            "publications": world.publication.slug,
            "persons": world.person.slug,
            "organisations": world.organisation.slug,
            "journals": world.journal.slug,
        }
        first = next((slug for kind, slug in own.items() if f"{kind}/<" in route.template), "")
        return [first, *world.slugs, "no-such-record", *JUNK_SEGMENTS]
    if name == "rest":
        return ["v2/", "v1/nothing", "", *JUNK_SEGMENTS]
    return [*SEGMENT_VALUES.get(name, []), *JUNK_SEGMENTS]


def query_string(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{k}={v}" for k, v in pairs)


def enc(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def is_ok(response, path: str) -> None:
    """2xx, 3xx or 4xx; an OAI-PMH answer is a well-formed document (its errors included)."""
    assert response.status_code < 500, f"{response.status_code} from {path}"
    if path.startswith("/oai") and response.status_code == 200:
        etree.fromstring(response.content)


def send(client: Client, method: str, path: str, headers: dict[str, str], body=None):
    host = headers.pop("Host", "testserver")
    kwargs = {"headers": headers, "HTTP_HOST": host}
    if method == "POST":
        response = client.post(path, body or {}, **kwargs)
    else:
        response = getattr(client, method.lower())(path, **kwargs)
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)  # a stream's errors happen as it is read
    return response


# Hypothesis strategies: keys and values from the portal's vocabulary, the payload lists and
# random text; some pieces sent raw (invalid escapes), most percent-encoded.
keys = st.one_of(
    st.sampled_from(PARAMETERS),
    st.sampled_from(PARAMETERS).map(lambda k: k.upper()),
    st.text(max_size=12),
).map(enc)
values = st.one_of(
    st.sampled_from(REAL_VALUES).map(enc),
    st.sampled_from(SQL_PAYLOADS + MARKUP_PAYLOADS + GARBAGE_VALUES).map(enc),
    st.text(max_size=40).map(enc),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(RAW_QUERY_PIECES),
)
pairs = st.lists(st.tuples(keys, values), max_size=8)


def test_every_public_route_is_fuzzed():
    """The resolver walk finds the pages DESIGN.md promises (so a broken walk cannot pass the
    fuzzers vacuously)."""
    names = {route.name for route in ROUTES}
    assert {
        "home",
        "publication_list",
        "publication_detail",
        "publication_cite",
        "publication_export",
        "listing_export",
        "oai",
        "sitemap",
        "feed_publications",
        "publication-list",
        "login",
        "subject_area_detail",
    } <= names
    assert any("^" in route.template for route in ROUTES)  # the API's catch-all


def test_each_route_survives_the_payload_lists(world, client):
    """Deterministic coverage of every route: each real and junk path value, and each payload
    in the listing's first parameter names."""
    for route in ROUTES:
        choices = {name: segment_values(world, route, name) for name in route.parameters}
        longest = max((len(v) for v in choices.values()), default=1)
        for index in range(longest):
            values_now = {name: v[index % len(v)] for name, v in choices.items()}
            path = route.fill(values_now)
            payload = PAYLOADS[index % len(PAYLOADS)]
            name = PARAMETERS[index % len(PARAMETERS)]
            for url in (path, f"{path}?{name}={enc(payload)}&page=-{index}"):
                is_ok(send(client, "GET", url, {}), url)


@settings(HOSTILE, max_examples=400)
@given(
    route=st.sampled_from(ROUTES),
    choice=st.one_of(st.just(0), st.integers(min_value=0, max_value=10_000)),
    query=pairs,
    raw_tail=st.sampled_from(["", *RAW_QUERY_PIECES]),
    headers=st.dictionaries(
        st.sampled_from(sorted(HEADERS)), st.integers(min_value=0, max_value=100), max_size=4
    ),
    host=st.sampled_from(HOSTS),
    method=st.sampled_from(["GET", "GET", "GET", "HEAD", "POST", "OPTIONS"]),
)
def fuzz_request(client, world, route, choice, query, raw_tail, headers, host, method):
    values_now = {}
    for name in route.parameters:
        options = segment_values(world, route, name)
        values_now[name] = options[choice % len(options)]
    path = route.fill(values_now)
    qs = query_string(query) + raw_tail
    url = f"{path}?{qs}" if qs else path
    sent = {name: HEADERS[name][i % len(HEADERS[name])] for name, i in headers.items()}
    sent["Host"] = host
    body = None
    if method == "POST":
        # As a form: OAI-PMH reads its arguments from a POST body, the login from its form.
        body = {}
        for key, value in query:
            body.setdefault(key, []).append(value)
    is_ok(send(client, method, url, sent, body), f"{method} {url} {sent}")


def test_random_requests_to_random_routes_never_fail(world, client):
    fuzz_request(client, world)


# OAI-PMH: a harvester's arguments, garbled. Tokens are made both of random characters and of
# well-encoded fields with hostile values, so the token decoder's field checks are reached.
OAI_NAMES = ["verb", "metadataPrefix", "set", "from", "until", "identifier", "resumptionToken"]
OAI_VALUES = [
    "Identify",
    "ListRecords",
    "ListIdentifiers",
    "ListSets",
    "GetRecord",
    "ListMetadataFormats",
    "listrecords",
    "oai_dc",
    "oai_openaire",
    "mods",
    "marcxml",
    "type:article",
    "subject:2400:2403",
    "organisation:department-of-hostile-testing",
    "organisation:",
    "::",
    "2020-01-01",
    "2020-01-01T00:00:00Z",
    "2020-02-30",
    "2020-01-01T25:61:61Z",
    "9999-12-31T23:59:59Z",
    "0000-00-00",
    "-2020-01-01",
    "2020-01-01T00:00:00+01:00",
    "oai:testserver:publications/1",
    "oai:testserver:publications/-1",
    "oai:testserver:publications/99999999999999999999999",
    "oai:evil.com:publications/1",
    "MXxSfG9haV9kY3x8fHwwfDB8",
    "A" * 700,
]
token_fields = st.lists(
    st.one_of(st.sampled_from(["1", "R", "I", "S", "oai_dc", "", "-1", "9" * 25]), st.text()),
    min_size=0,
    max_size=11,
)
tokens = token_fields.map(
    lambda fields: (
        base64.urlsafe_b64encode("|".join(fields).encode("utf-8", "surrogatepass"))
        .decode()
        .rstrip("=")
    )
)
oai_values = st.one_of(
    st.sampled_from(OAI_VALUES), st.sampled_from(SQL_PAYLOADS + GARBAGE_VALUES), st.text(), tokens
)


@settings(HOSTILE, max_examples=200)
@given(
    arguments=st.lists(
        st.tuples(st.sampled_from([*OAI_NAMES, "verb", "verb", "bogus"]), oai_values),
        max_size=6,
    ),
    post=st.booleans(),
)
def fuzz_oai(client, world, arguments, post):
    encoded = query_string([(k, enc(v)) for k, v in arguments])
    if post:
        response = client.post("/oai", encoded, content_type="application/x-www-form-urlencoded")
        where = f"POST /oai {arguments}"
    else:
        response = client.get("/oai?" + encoded)
        where = f"GET /oai {arguments}"
    assert response.status_code == 200, where
    document = etree.fromstring(response.content)
    assert document.tag == "{http://www.openarchives.org/OAI/2.0/}OAI-PMH", where
    # The draft is never harvested, whatever was asked.
    assert f"publications/{world.draft.pk}<".encode() not in response.content, where
    assert world.draft.title.encode() not in response.content, where


def test_oai_pmh_answers_any_arguments_with_a_protocol_document(world, client):
    fuzz_oai(client, world)


def test_the_admin_login_form_takes_any_post(world, client):
    """The one public form: any username, password and `next`, well-formed or not."""
    for index, payload in enumerate(PAYLOADS):
        text = payload.encode("utf-8", "replace").decode()  # a form field cannot hold a surrogate
        body = {
            "username": text,
            "password": text,
            "next": ["/admin/", "javascript:alert(1)", "//evil.com/", payload][index % 4],
        }
        response = client.post(f"/admin/login/?next={enc(payload)}", body)
        assert response.status_code < 500, payload
        if response.status_code in {301, 302}:
            assert not response["Location"].startswith(("javascript:", "//evil", "http://evil"))
    raw = "username=%ff%fe&password=%00&next=%ed%a0%80&" + "a=b&" * 2000
    response = client.post("/admin/login/", raw, content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500
