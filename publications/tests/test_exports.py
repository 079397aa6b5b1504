"""Exports of one record (BibTeX, RIS, CSL-JSON) and content negotiation on its URL. Round trips
go through the ecosystem's parsers: bibtexparser and rispy."""

from __future__ import annotations

import io
import json

import bibtexparser
import pytest
import rispy
from django.core.management import call_command

from publications.demo import SOURCE_SLUG, SOURCE_TITLE
from publications.models import Authorship
from publications.tests.factories import (
    JournalFactory,
    PersonFactory,
    PublicationFactory,
    add_authors,
)
from publications.tests.source_record import FAMILY_NAMES

pytestmark = pytest.mark.django_db
SEED_AUTHORS = FAMILY_NAMES


@pytest.fixture
def seed(visitor):
    call_command("load_demo", stdout=io.StringIO())
    return f"/publications/{SOURCE_SLUG}/"


def unbraced(text: str) -> str:
    return text.replace("{", "").replace("}", "")


def test_seed_bibtex_round_trips(visitor, seed):
    response = visitor.get(seed + "export.bib")
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert 'filename="' in response["Content-Disposition"]
    text = response.content.decode()
    assert "month = jan," in text
    assert "pages = {74--78}" in text
    assert "{The} rationale" in text and "{HIV-infected}" in text
    library = bibtexparser.parse_string(text)
    (entry,) = library.entries
    assert entry.key == "ghezzi1997experiences"
    assert entry.entry_type == "article"
    assert unbraced(entry["title"]) == SOURCE_TITLE
    authors = entry["author"].split(" and ")
    assert [a.split(",")[0] for a in authors] == SEED_AUTHORS
    assert entry["year"] == "1997"
    assert entry["journal"] == "Journal of Biological Regulators and Homeostatic Agents"
    assert entry["number"] == "1-2"
    assert "volume" not in entry.fields_dict
    assert entry["keywords"] == "CD4, CD8, Cytokines, HIV, IL-2, Immunreconstitution"


def test_seed_ris_round_trips(visitor, seed):
    response = visitor.get(seed + "export.ris")
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("TY  - JOUR\n")
    assert "PY  - 1997/01//" in text
    assert text.rstrip().endswith("ER  -")
    (reference,) = rispy.loads(text)
    assert reference["title"] == SOURCE_TITLE
    assert [a.split(",")[0] for a in reference["authors"]] == SEED_AUTHORS
    assert (reference["start_page"], reference["end_page"]) == ("74", "78")
    assert reference["number"] == "1-2"
    assert reference["journal_name"] == "Journal of Biological Regulators and Homeostatic Agents"
    assert reference["secondary_title"] == reference["journal_name"]
    assert reference["issn"] == "0393-974X"
    assert reference["keywords"] == [
        "CD4",
        "CD8",
        "Cytokines",
        "HIV",
        "IL-2",
        "Immunreconstitution",
    ]
    assert reference["language"] == "en"


def test_seed_csl_json(visitor, seed):
    response = visitor.get(seed + "export.json")
    assert response["Content-Type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
    item = json.loads(response.content)
    assert item["type"] == "article-journal"
    assert [a["family"] for a in item["author"]] == SEED_AUTHORS
    assert item["issued"] == {"date-parts": [[1997, 1]]}
    assert item["page"] == "74-78"
    assert item["issue"] == "1-2"
    assert item["container-title-short"] == "J Biol Regul Homeost Agents"
    assert item["ISSN"] == "0393-974X"
    assert item["language"] == "en"


def hard_record():
    """Accents, a particle, a corporate author, an article number, 120 authors, specials."""
    journal = JournalFactory(title="Revue d'Économie & Société", issn="0393-974X")
    publication = PublicationFactory(
        title="Ça marche: 50% of R&D_costs in {curly} Zürich",
        journal=journal,
        pages="",
        article_number="e1002345",
        doi="10.5555/Hard.1",
    )
    persons = [PersonFactory(given_name="José", family_name="Müller-Lüdenscheidt")]
    persons.append(PersonFactory(given_name="Jan", family_name="van der Zee"))
    persons += PersonFactory.create_batch(117)
    add_authors(publication, persons)
    Authorship.objects.create(
        publication=publication, position=200, name_as_printed="WHO Consortium"
    )
    return publication


def test_a_hard_record_round_trips_through_bibtex(visitor):
    publication = hard_record()
    text = visitor.get(publication.get_absolute_url() + "export.bib").content.decode()
    assert r"50\% of {R\&D\_costs} in \{curly\} {Zürich}" in text
    (entry,) = bibtexparser.parse_string(text).entries
    authors = entry["author"].split(" and ")
    assert len(authors) == 120
    assert authors[0] == "Müller-Lüdenscheidt, José"
    assert authors[1] == "van der Zee, Jan"
    assert authors[-1] == "{WHO Consortium}"
    assert entry["eid"] == "e1002345"
    assert entry["doi"] == "10.5555/hard.1"
    assert entry["journal"] == r"Revue d'Économie \& Société"


def test_a_hard_record_round_trips_through_ris(visitor):
    publication = hard_record()
    (reference,) = rispy.loads(
        visitor.get(publication.get_absolute_url() + "export.ris").content.decode()
    )
    assert reference["title"] == "Ça marche: 50% of R&D_costs in {curly} Zürich"
    assert len(reference["authors"]) == 120
    assert reference["authors"][1] == "van der Zee, Jan"
    assert reference["authors"][-1] == "WHO Consortium"
    assert reference["custom7"] == "e1002345"


@pytest.mark.parametrize(
    "accept, content_type",
    [
        ("application/x-bibtex", "application/x-bibtex; charset=utf-8"),
        (
            "application/x-research-info-systems",
            "application/x-research-info-systems; charset=utf-8",
        ),
        (
            "application/vnd.citationstyles.csl+json",
            "application/vnd.citationstyles.csl+json; charset=utf-8",
        ),
        ("application/ld+json", "application/ld+json"),
        ("text/html,application/x-bibtex;q=0.5", "text/html; charset=utf-8"),
        ("application/x-bibtex;q=0.9, text/html;q=0.1", "application/x-bibtex; charset=utf-8"),
        ("*/*", "text/html; charset=utf-8"),
        (";;;q=abc,,garbage/", "text/html; charset=utf-8"),
        ("", "text/html; charset=utf-8"),
    ],
)
def test_the_record_url_negotiates_its_formats(visitor, accept, content_type):
    publication = PublicationFactory()
    response = visitor.get(publication.get_absolute_url(), HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert "Accept" in response["Vary"]


def test_drafts_are_never_exported(visitor):
    draft = PublicationFactory(workflow_state="in_progress")
    for extension in ["bib", "ris", "json"]:
        assert visitor.get(draft.get_absolute_url() + f"export.{extension}").status_code == 404
    response = visitor.get(draft.get_absolute_url(), HTTP_ACCEPT="application/x-bibtex")
    assert response.status_code == 404


def test_an_unknown_export_format_is_404(visitor):
    publication = PublicationFactory()
    assert visitor.get(publication.get_absolute_url() + "export.docx").status_code == 404


def test_the_record_page_links_its_exports(visitor, seed):
    html = visitor.get(seed).content.decode()
    for extension in ["bib", "ris", "json"]:
        assert f'<a href="{seed}export.{extension}" download>' in html
        assert visitor.get(f"{seed}export.{extension}").status_code == 200
