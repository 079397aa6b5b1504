"""Abstracts with markup (imported JATS or HTML) show as HTML on the page, sanitised on the way
out, and as plain text in exports and metadata."""

from __future__ import annotations

import json

import pytest

from publications import richtext
from publications.importing.parsers import markup
from publications.tests.factories import PublicationFactory

pytestmark = pytest.mark.django_db

ABSTRACT = (
    "<p>Background: <i>E. coli</i> &lt; 5 cells<script>alert(1)</script></p>"
    '<p onclick="x()">Results: IL-2<sup>+</sup></p>'
)


def test_the_page_shows_the_allowed_markup_and_nothing_else(visitor):
    publication = PublicationFactory(abstract=ABSTRACT)
    page = visitor.get(publication.get_absolute_url()).content.decode()
    section = page[page.index('id="abstract-title"') :]
    section = section[: section.index("</section>")]
    assert "<p>Background: <i>E. coli</i> &lt; 5 cells</p>" in section
    assert "<p>Results: IL-2<sup>+</sup></p>" in section
    assert "script" not in section and "onclick" not in section


def test_plain_text_abstracts_keep_their_paragraphs_and_are_escaped(visitor):
    publication = PublicationFactory(abstract="First: p<0.05 & x <y> z.\n\nSecond.")
    page = visitor.get(publication.get_absolute_url()).content.decode()
    assert "<p>First: p&lt;0.05 &amp; x &lt;y&gt; z.</p>" in page
    assert "<p>Second.</p>" in page


def test_exports_and_metadata_get_plain_text(visitor):
    publication = PublicationFactory(abstract=ABSTRACT)
    url = publication.get_absolute_url()
    expected = "Background: E. coli < 5 cells\n\nResults: IL-2+"
    assert json.loads(visitor.get(url + "export.json").content)["abstract"] == expected
    assert "AB  - Background: E. coli < 5 cells" in visitor.get(url + "export.ris").content.decode()
    page = visitor.get(url).content.decode()
    assert '<meta name="DC.description" content="Background: E. coli &lt; 5 cells' in page


def test_the_page_and_the_importer_allow_the_same_tags():
    assert richtext.ALLOWED_TAGS == markup.ALLOWED_TAGS
