""" "Cite this": the seven tabs, the CSL-JSON mapping, agreement with citeproc-js, the style
picker, text/x-bibliography and the cache.

reference.json holds what citeproc-js (the reference CSL processor) prints for items.json in six
styles; `make citeproc-reference` regenerates it (tools/citeproc-js)."""

from __future__ import annotations

import datetime
import html
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from publications import citations
from publications.demo import SOURCE_SLUG
from publications.exports import csl_json
from publications.models import Authorship, DatePrecision, Publication
from publications.tests.factories import (
    JournalFactory,
    PersonFactory,
    PublicationFactory,
    add_authors,
)

DATA = Path(__file__).parent / "data" / "citeproc"
ITEMS = {item["id"]: item for item in json.loads((DATA / "items.json").read_text())}
REFERENCE = json.loads((DATA / "reference.json").read_text())


def citeproc_js_text(rendered: str) -> str:
    """The reference's entry without citeproc-js's wrapping divs and number column."""
    inline = re.search(r'csl-right-inline">(.*?)</div>', rendered, re.S)
    text = inline.group(1) if inline else re.sub(r"^<div[^>]*>|</div>$", "", rendered.strip())
    return html.unescape(text.strip())


@pytest.mark.parametrize(
    "style, item_id",
    [(style, item_id) for style in REFERENCE for item_id in REFERENCE[style]],
)
def test_citeproc_py_with_our_corrections_prints_what_citeproc_js_prints(style, item_id):
    ours = citations.render_csl(ITEMS[item_id], style)
    assert html.unescape(ours) == citeproc_js_text(REFERENCE[style][item_id])


def test_the_reference_covers_the_three_csl_tabs():
    assert {style for _, _, style in citations.TABS if style} <= set(REFERENCE)


@pytest.mark.parametrize(
    "style",
    [
        *REFERENCE,
        "chicago-author-date",
        "modern-language-association",
        "elsevier-harvard",
        "american-chemical-society",
        "springer-basic-author-date",
    ],
)
def test_remembered_style_lookups_print_what_citeproc_py_prints_without_them(style, monkeypatch):
    remembered = [citations.render_csl(item, style) for item in ITEMS.values()]
    # citeproc-py's own lookups, and a style parsed afresh for every reference.
    for (owner, name), method in citations.CITEPROC_LOOKUPS.items():
        monkeypatch.setattr(owner, name, method)
    monkeypatch.setattr(citations, "load_style", citations.load_style.__wrapped__)
    assert [citations.render_csl(item, style) for item in ITEMS.values()] == remembered


def test_values_are_escaped_in_every_style():
    item = {
        "id": "x",
        "type": "article-journal",
        "title": "<script>alert(1)</script> R&D",
        "author": [{"family": "<b>Evil", "given": "A&B"}],
        "container-title": "J <x>",
        "issued": {"date-parts": [[2020]]},
    }
    for style in REFERENCE:
        rendered = citations.render_csl(item, style)
        assert "<script>" not in rendered and "<b>" not in rendered
        assert "&lt;script&gt;alert(1)&lt;/script&gt; R&amp;D" in rendered


# The CSL-JSON mapping: records built as a librarian would enter them give the fixture items.


def fields(item: dict) -> dict:
    return {key: value for key, value in item.items() if key != "id"}


@pytest.mark.django_db
def test_particles_accents_and_day_precision_map_to_csl():
    journal = JournalFactory(title="PLOS ONE", abbreviation="PLoS One", issn="1932-6203")
    publication = PublicationFactory(
        title="Ageing of Dutch dairy cows: a cohort study in Friesland and Groningen",
        journal=journal,
        volume="14",
        issue="5",
        pages="",
        article_number="e0216543",
        doi="10.1371/journal.pone.0216543",
        date=datetime.date(2019, 5, 14),
        date_precision=DatePrecision.DAY,
        language="en",
    )
    add_authors(
        publication,
        [
            PersonFactory(given_name="Jan", family_name="van der Zee"),
            PersonFactory(given_name="Jürgen", family_name="Müller"),
            PersonFactory(given_name="María José", family_name="de la Cruz"),
            PersonFactory(given_name="Seán", family_name="O'Brien"),
        ],
    )
    item = csl_json(Publication.objects.for_detail().get(pk=publication.pk))
    expected = fields(ITEMS["particles"])
    assert {key: item[key] for key in expected} == expected


@pytest.mark.django_db
def test_a_corporate_author_and_initials_only_map_to_csl():
    journal = JournalFactory(title="The Lancet", abbreviation="Lancet", issn="0140-6736")
    publication = PublicationFactory(
        title="Randomised trial of intravenous atenolol among 16 027 cases of suspected acute "
        "myocardial infarction",
        journal=journal,
        volume="328",
        issue="8498",
        pages="57-66",
        doi="10.1016/S0140-6736(86)91607-7",
        date=datetime.date(1986, 1, 1),
        date_precision=DatePrecision.YEAR,
        language="en",
    )
    Authorship.objects.create(
        publication=publication, position=1, name_as_printed="ISIS-1 Collaborative Group"
    )
    Authorship.objects.create(
        publication=publication,
        position=2,
        person=PersonFactory(given_name="", initials="P.", family_name="Sleight"),
    )
    item = csl_json(Publication.objects.for_detail().get(pk=publication.pk))
    expected = fields(ITEMS["corporate"])
    expected["DOI"] = expected["DOI"].lower()  # DOIs are stored normalised
    assert {key: item[key] for key in expected} == expected


# The record page


@pytest.fixture
def seed(visitor):
    call_command("load_demo", stdout=io.StringIO())
    return f"/publications/{SOURCE_SLUG}/"


def cite_texts(page: str) -> dict[str, str]:
    found = re.findall(
        r'<(?:p|pre) class="cite__text" id="cite-([a-z]+)">(.*?)</(?:p|pre)>', page, re.S
    )
    return {key: html.unescape(re.sub(r"<[^>]+>", "", text)) for key, text in found}


SEED_APA = (
    "Ghezzi, S., Vicenzi, E., Soldini, L., Tambussi, G., Murone, M., Lazzarin, A., & Poli, G. "
    "(1997). Experiences in immune reconstitution. The rationale for interleukin-2 "
    "administration to HIV-infected individuals. Journal of Biological Regulators and "
    "Homeostatic Agents, (1–2), 74–78."
)
SEED_HARVARD = (
    "Ghezzi, S. et al. (1997) “Experiences in immune reconstitution. The rationale for "
    "interleukin-2 administration to HIV-infected individuals,” Journal of Biological "
    "Regulators and Homeostatic Agents, (1–2), pp. 74–78."
)
SEED_VANCOUVER = (
    "Ghezzi S, Vicenzi E, Soldini L, Tambussi G, Murone M, Lazzarin A, et al. Experiences in "
    "immune reconstitution. The rationale for interleukin-2 administration to HIV-infected "
    "individuals. J Biol Regul Homeost Agents. 1997 Jan;(1–2):74–8."
)
SEED_AUTHOR = (
    "Ghezzi, S. ; Vicenzi, E. ; Soldini, L. ; et al. / Experiences in immune reconstitution. "
    "The rationale for interleukin-2 administration to HIV-infected individuals. In: Journal "
    "of Biological Regulators and Homeostatic Agents. 1997 ; No. 1-2. pp. 74-78."
)
SEED_STANDARD = (
    "Experiences in immune reconstitution. The rationale for interleukin-2 administration to "
    "HIV-infected individuals. / Ghezzi, S.; Vicenzi, E.; Soldini, L.; et al. In: Journal of "
    "Biological Regulators and Homeostatic Agents, No. 1-2, 01.1997, p. 74-78."
)


@pytest.mark.django_db
def test_the_seed_page_has_pures_seven_tabs_in_pures_order(visitor, seed):
    page = visitor.get(seed).content.decode()
    tabs = re.findall(r'<li><a href="#cite-([a-z]+)-panel">([^<]+)</a></li>', page)
    assert tabs == [
        ("apa", "APA"),
        ("author", "Author"),
        ("bibtex", "BIBTEX"),
        ("harvard", "Harvard"),
        ("standard", "Standard"),
        ("ris", "RIS"),
        ("vancouver", "Vancouver"),
    ]
    texts = cite_texts(page)
    assert list(texts) == [key for key, _ in tabs]
    assert texts["apa"] == SEED_APA
    assert texts["harvard"] == SEED_HARVARD
    assert texts["vancouver"] == SEED_VANCOUVER
    assert texts["author"] == SEED_AUTHOR
    assert texts["standard"] == SEED_STANDARD
    assert texts["bibtex"].startswith("@article{ghezzi1997experiences,")
    assert "pages = {74--78}" in texts["bibtex"]
    assert texts["ris"].startswith("TY  - JOUR") and "SP  - 74" in texts["ris"]
    for key, _ in tabs:
        assert f'data-copy="cite-{key}"' in page
    assert f'href="{seed}export.bib" download>Download BibTeX' in page
    assert f'href="{seed}export.ris" download>Download RIS' in page


@pytest.mark.django_db
def test_pures_formats_with_few_authors_and_an_article_number(visitor):
    journal = JournalFactory(title="Scientific Reports")
    publication = PublicationFactory(
        title="Short",
        journal=journal,
        volume="9",
        issue="1",
        pages="",
        article_number="2941",
        date=datetime.date(2019, 3, 14),
        date_precision=DatePrecision.DAY,
    )
    add_authors(
        publication,
        [
            PersonFactory(given_name="Gian Andrea", initials="G.A.", family_name="Rossi"),
            PersonFactory(given_name="Li", initials="L.", family_name="Wei"),
        ],
    )
    texts = cite_texts(visitor.get(publication.get_absolute_url()).content.decode())
    assert texts["author"] == (
        "Rossi, G.A. ; Wei, L. / Short. In: Scientific Reports. 2019 ; Vol. 9, No. 1. 2941."
    )
    assert texts["standard"] == (
        "Short. / Rossi, G.A.; Wei, L. In: Scientific Reports, Vol. 9, No. 1, 2941, 14.03.2019."
    )


@pytest.mark.django_db
def test_markup_in_a_record_is_inert_in_every_tab(visitor):
    publication = PublicationFactory(title="<script>alert('x')</script> & <b>bold</b>")
    add_authors(publication, [PersonFactory(family_name="<img src=x onerror=alert(1)>")])
    page = visitor.get(publication.get_absolute_url()).content.decode()
    section = page[page.index('<section class="cite"') :]
    assert (
        "<script>alert" not in section and "<img src=x" not in section and "<b>bold" not in section
    )
    assert section.count("&lt;script&gt;") >= 7


@pytest.mark.django_db
def test_citations_follow_an_edit_to_an_author_or_the_journal(
    visitor, django_assert_max_num_queries
):
    publication = PublicationFactory(title="Cached citations")
    person = PersonFactory(given_name="Anna", initials="A.", family_name="Before")
    add_authors(publication, [person])
    url = publication.get_absolute_url()
    assert "Before, A." in cite_texts(visitor.get(url).content.decode())["apa"]
    person.family_name = "After"
    person.save()
    publication.journal.title = "Renamed Journal"
    publication.journal.save()
    texts = cite_texts(visitor.get(url).content.decode())
    for key in ["apa", "author", "bibtex", "harvard", "standard", "ris", "vancouver"]:
        assert "Before" not in texts[key], key
        assert "After" in texts[key], key
    assert "Renamed Journal" in texts["apa"]


@pytest.mark.django_db
def test_the_seven_texts_come_from_the_cache_once_rendered(visitor, monkeypatch):
    publication = PublicationFactory()
    add_authors(publication, [PersonFactory()])
    visitor.get(publication.get_absolute_url())

    def fail(*args, **kwargs):
        raise AssertionError("rendered again although nothing changed")

    monkeypatch.setattr(citations, "render_csl", fail)
    assert visitor.get(publication.get_absolute_url()).status_code == 200


# text/x-bibliography and the style picker


@pytest.mark.django_db
def test_text_x_bibliography_gives_apa_by_default_and_any_style_by_name(visitor, seed):
    response = visitor.get(seed, HTTP_ACCEPT="text/x-bibliography")
    assert response["Content-Type"] == "text/x-bibliography; charset=utf-8"
    assert response.content.decode().strip() == SEED_APA
    response = visitor.get(seed + "?style=vancouver-nlm", HTTP_ACCEPT="text/x-bibliography")
    assert response.content.decode().strip() == SEED_VANCOUVER
    response = visitor.get(seed + "?style=nature", HTTP_ACCEPT="text/x-bibliography")
    assert response.content.decode().startswith("Ghezzi, S. et al. Experiences")


@pytest.mark.django_db
@pytest.mark.parametrize("style", ["no-such-style", "../../etc/passwd", "APA", "x" * 500, "a\x00b"])
def test_an_unknown_style_is_a_400_that_says_so(visitor, style):
    publication = PublicationFactory()
    url = publication.get_absolute_url()
    response = visitor.get(url, {"style": style}, HTTP_ACCEPT="text/x-bibliography")
    assert response.status_code == 400
    assert "Unknown citation style" in response.content.decode()
    response = visitor.get(url + "cite/", {"style": style})
    assert response.status_code == 400
    assert "There is no citation style called" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "style, message",
    [
        ("agora", "is a note style without a reference list"),
        ("revista-da-sociedade-brasileira-de-medicina-tropical", "does not support"),
    ],
)
def test_a_style_that_cannot_give_a_reference_is_a_422_that_says_why(visitor, seed, style, message):
    url = seed
    response = visitor.get(url, {"style": style}, HTTP_ACCEPT="text/x-bibliography")
    assert response.status_code == 422
    assert message in response.content.decode()
    response = visitor.get(url + "cite/", {"style": style})
    assert response.status_code == 422
    assert message in response.content.decode()


def test_more_than_ten_thousand_styles_are_offered():
    assert len(citations.all_styles()) > 10_000


@pytest.mark.django_db
def test_the_picker_finds_styles_by_name_and_renders_the_record(visitor, seed):
    page = visitor.get(seed + "cite/", {"q": "ieee"}).content.decode()
    assert '<a href="?style=ieee&amp;q=ieee">IEEE Reference Guide' in page
    page = visitor.get(seed + "cite/", {"q": "chicago author date"}).content.decode()
    assert "?style=chicago-author-date&amp;" in page
    page = visitor.get(seed + "cite/", {"style": "ieee"}).content.decode()
    text = cite_texts(page)["style"]
    assert text.startswith("S. Ghezzi et al., “Experiences in immune reconstitution.")
    assert "Jan. 1997" in text
    page = visitor.get(seed + "cite/", {"q": "zzzzqqq"}).content.decode()
    assert "No style matches “zzzzqqq”" in page


@pytest.mark.django_db
def test_the_record_page_offers_the_picker(visitor, seed):
    page = visitor.get(seed).content.decode()
    assert f'action="{seed}cite/" method="get"' in page
    assert 'name="q" type="search"' in page


@pytest.mark.django_db
def test_drafts_have_no_cite_page(visitor):
    draft = PublicationFactory(workflow_state="in_progress")
    assert visitor.get(draft.get_absolute_url() + "cite/").status_code == 404
    response = visitor.get(draft.get_absolute_url(), HTTP_ACCEPT="text/x-bibliography")
    assert response.status_code == 404
