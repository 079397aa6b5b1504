"""Acceptance: the Pure Portal page this portal grew from (shared/seed/source-page.txt), as a
visitor finds and reads it here after `load_demo`."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from publications.demo import SOURCE_ABSTRACT, SOURCE_TITLE
from publications.tests.source_record import AUTHORS_AS_PRINTED
from publications.tests.test_views import details_of, text_of

AUTHORS = ", ".join(AUTHORS_AS_PRINTED)
SUBJECT_AREAS = {
    2403: "Immunology",
    2712: "Endocrinology, Diabetes and Metabolism",
    1310: "Endocrinology",
    2737: "Physiology (medical)",
    2701: "Medicine (miscellaneous)",
    1314: "Physiology",
    1100: "Agricultural and Biological Sciences(all)",
}


@pytest.fixture
def source_page(db, visitor):
    """The record page, reached the way a reader would: through the listing's next-page links."""
    call_command("load_demo", stdout=io.StringIO())
    url = "/publications/"
    for _ in range(100):
        listing = visitor.get(url)
        html = listing.content.decode()
        link = re.search(r'<a href="(/publications/[^"]+/)">' + re.escape(SOURCE_TITLE), html)
        if link:
            return visitor.get(link[1])
        next_page = re.search(r'<a href="([^"]*)" rel="next"', html)
        assert next_page, "the source record is not in the listing"
        url = "/publications/" + next_page[1].replace("&amp;", "&")
    pytest.fail("too many pages")


def test_source_page_shows_title_authors_type_and_abstract(source_page):
    assert source_page.status_code == 200
    html = source_page.content.decode()
    text = text_of(source_page)
    assert re.search(r"<h1[^>]*>" + re.escape(SOURCE_TITLE) + "</h1>", html)
    assert AUTHORS in text
    assert "Research output: Contribution to journal › Article › peer-review" in text
    assert SOURCE_ABSTRACT in text
    # Shown once as the abstract; the BibTeX and RIS tabs of "Cite this" carry it again, as
    # Pure's do.
    before_cite_this = text[: text.index("Cite this APA Author")]
    assert before_cite_this.count("Since the clinical earliest descriptions") == 1
    assert "CD4 'helper' T lymphocytes" in text


def test_source_page_details_are_labelled_as_on_pure(source_page):
    details = details_of(source_page)
    assert details == (
        "Original language English "
        "Pages (from-to) 74-78 "
        "Number of pages 5 "
        "Journal Journal of Biological Regulators and Homeostatic Agents "
        "Issue number 1-2 "
        "Publication status Published - Jan 1997"
    )
    html = source_page.content.decode()
    journal_link = re.search(
        r'<a href="(/journals/[^"]+/)">Journal of Biological Regulators and Homeostatic Agents</a>',
        html,
    )
    assert journal_link


def test_source_page_lists_keywords_and_linked_subject_areas(source_page):
    html = source_page.content.decode()
    text = text_of(source_page)
    assert "Keywords CD4 CD8 Cytokines HIV IL-2 Immunreconstitution" in text
    assert "ASJC Scopus subject areas" in text
    for code, name in SUBJECT_AREAS.items():
        assert f'<a href="/subject-areas/{code}/">{name}</a>' in html


def test_internal_authors_link_to_their_profiles_and_external_ones_do_not(source_page, visitor):
    html = source_page.content.decode()
    profiles = re.findall(r'<a href="(/persons/[^"]+/)" class="author author--internal">', html)
    assert profiles, "no author links to a profile"
    for name in ["L. Soldini", "G. Tambussi", "M. Murone", "A. Lazzarin"]:
        assert f'<span class="author">{name}</span>' in html
    for url in profiles:
        profile = visitor.get(url)
        assert profile.status_code == 200
        assert SOURCE_TITLE in text_of(profile)
