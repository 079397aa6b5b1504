"""Machine-readable metadata on record pages: Highwire citation_* tags (Google Scholar), Dublin
Core, Open Graph, schema.org JSON-LD, COinS and FAIR Signposting."""

from __future__ import annotations

import io
import json
import re
from urllib.parse import parse_qs

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publications.demo import SOURCE_SLUG, SOURCE_TITLE
from publications.tests.budgets import RECORD_PAGE_BUDGET
from publications.tests.factories import PersonFactory, PublicationFactory, add_authors
from publications.tests.source_record import AUTHORS_AS_PRINTED, FAMILY_NAMES

pytestmark = pytest.mark.django_db

AUTHORS = FAMILY_NAMES


@pytest.fixture
def seed_page(visitor):
    call_command("load_demo", stdout=io.StringIO())
    return visitor.get(f"/publications/{SOURCE_SLUG}/")


def meta(response, name: str) -> list[str]:
    html = response.content.decode()
    return re.findall(rf'<meta (?:name|property)="{re.escape(name)}" content="([^"]*)">', html)


def ld(response) -> dict:
    html = response.content.decode()
    return json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1]
    )


def test_seed_carries_google_scholar_citation_tags(seed_page):
    assert meta(seed_page, "citation_title") == [SOURCE_TITLE]
    authors = meta(seed_page, "citation_author")
    assert [next(n for n in AUTHORS if n in author) for author in authors] == AUTHORS
    assert meta(seed_page, "citation_publication_date") == ["1997"]
    assert meta(seed_page, "citation_journal_title") == [
        "Journal of Biological Regulators and Homeostatic Agents"
    ]
    assert "0393-974X" in meta(seed_page, "citation_issn")
    assert meta(seed_page, "citation_issue") == ["1-2"]
    assert meta(seed_page, "citation_firstpage") == ["74"]
    assert meta(seed_page, "citation_lastpage") == ["78"]
    assert meta(seed_page, "citation_keywords") == [
        "CD4",
        "CD8",
        "Cytokines",
        "HIV",
        "IL-2",
        "Immunreconstitution",
    ]
    assert meta(seed_page, "citation_language") == ["en"]
    assert meta(seed_page, "citation_volume") == []  # the source page shows no volume
    assert meta(seed_page, "citation_abstract_html_url")[0].endswith(
        f"/publications/{SOURCE_SLUG}/"
    )


def test_seed_carries_dublin_core_and_open_graph(seed_page):
    assert meta(seed_page, "DC.title") == [SOURCE_TITLE]
    assert len(meta(seed_page, "DC.creator")) == 7
    assert meta(seed_page, "DC.date") == ["1997-01"]
    assert meta(seed_page, "og:title") == [SOURCE_TITLE]
    assert meta(seed_page, "og:type") == ["article"]


def test_seed_json_ld_is_a_scholarly_article_in_its_journal(seed_page):
    data = ld(seed_page)
    assert data["@type"] == "ScholarlyArticle"
    assert data["name"] == SOURCE_TITLE
    assert [next(n for n in AUTHORS if n in a["name"]) for a in data["author"]] == AUTHORS
    assert all(a["@type"] == "Person" for a in data["author"])
    assert data["datePublished"] == "1997-01"
    assert (data["pageStart"], data["pageEnd"]) == ("74", "78")
    issue = data["isPartOf"]
    assert issue == {
        "@type": "PublicationIssue",
        "issueNumber": "1-2",
        "isPartOf": issue["isPartOf"],
    }
    assert issue["isPartOf"]["@type"] == "Periodical"
    assert "0393-974X" in issue["isPartOf"]["issn"]
    assert data["keywords"][0] == "CD4"
    assert {"@type": "Thing", "name": "Agricultural and Biological Sciences(all)"} in data["about"]


def test_seed_coins_and_signposting(seed_page):
    title = re.search(r'<span class="Z3988" title="([^"]+)">', seed_page.content.decode())[1]
    context = parse_qs(title.replace("&amp;", "&"))
    assert context["rft.atitle"] == [SOURCE_TITLE]
    assert context["rft.au"] == AUTHORS_AS_PRINTED
    assert context["rft.spage"] == ["74"]
    link = seed_page["Link"]
    assert f'/publications/{SOURCE_SLUG}/>; rel="cite-as"' in link
    assert '<https://schema.org/ScholarlyArticle>; rel="type"' in link
    assert (
        f'<http://testserver/publications/{SOURCE_SLUG}/export.bib>; rel="describedby"; '
        'type="application/x-bibtex"'
    ) in link


def test_a_doi_is_the_citation_identity_and_orcids_are_signposted(visitor):
    publication = PublicationFactory(doi="10.5555/demo.1")
    add_authors(publication, [PersonFactory(given_name="Ada", orcid="0000-0002-1825-0097")])
    response = visitor.get(publication.get_absolute_url())
    assert '<https://doi.org/10.5555/demo.1>; rel="cite-as"' in response["Link"]
    assert '<https://orcid.org/0000-0002-1825-0097>; rel="author"' in response["Link"]
    assert ld(response)["author"][0]["sameAs"] == ["https://orcid.org/0000-0002-1825-0097"]
    assert meta(response, "citation_doi") == ["10.5555/demo.1"]


def test_a_hostile_title_cannot_break_out_of_the_json_ld(visitor):
    publication = PublicationFactory(title='</script><script>alert("x")</script> & more')
    response = visitor.get(publication.get_absolute_url())
    html = response.content.decode()
    assert '<script>alert("x")</script>' not in html
    assert ld(response)["name"] == '</script><script>alert("x")</script> & more'


def test_metadata_costs_no_queries(visitor):
    publication = PublicationFactory(doi="10.5555/demo.2")
    add_authors(publication, PersonFactory.create_batch(40))
    with CaptureQueriesContext(connection) as queries:
        visitor.get(publication.get_absolute_url())
    # The record page's queries (metadata adds none); without a fingerprint, no similar ones.
    assert len(queries) == RECORD_PAGE_BUDGET - 1
