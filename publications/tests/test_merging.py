"""Merging publications and persons keeps everything, redirects the removed addresses and is
recorded in the history."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publications.merging import merge_persons, merge_publications
from publications.models import (
    Authorship,
    Keyword,
    Membership,
    Organisation,
    Person,
    PossibleDuplicate,
    Publication,
    PublicationKeyword,
)
from publications.tests.factories import (
    PersonFactory,
    PublicationFactory,
    add_authors,
    valid_orcid,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return get_user_model().objects.create_user("merger", password="x", is_staff=True)


def keywords_of(publication: Publication) -> list[str]:
    return [
        entry.keyword.term
        for entry in PublicationKeyword.objects.filter(publication=publication).order_by("position")
    ]


def test_merging_publications_keeps_authors_identifiers_keywords_and_redirects(visitor, user):
    shared, only_loser = PersonFactory(), PersonFactory()
    winner = PublicationFactory(title="Same work", doi="", pmid="", volume="11")
    loser = PublicationFactory(
        title="Same work (duplicate)", doi="10.5555/dup", pmid="9040987", volume="", abstract="Text"
    )
    add_authors(winner, [shared])
    add_authors(loser, [shared, only_loser])
    Authorship.objects.create(publication=loser, position=3, name_as_printed="A Consortium")
    for publication, terms in [(winner, ["HIV"]), (loser, ["HIV", "IL-2"])]:
        for position, term in enumerate(terms, start=1):
            keyword, _ = Keyword.objects.get_or_create(term=term)
            PublicationKeyword.objects.create(
                publication=publication, keyword=keyword, position=position
            )
    loser_url = loser.get_absolute_url()
    PossibleDuplicate.objects.create(
        first=min(winner, loser, key=lambda p: p.pk),
        second=max(winner, loser, key=lambda p: p.pk),
        reason="title_year",
        similarity=1,
    )

    summary = merge_publications(winner, [loser], user=user)

    assert "2 author(s), 1 keyword(s) and 2 identifier(s) added" in summary
    winner.refresh_from_db()
    assert not Publication.objects.filter(pk=loser.pk).exists()
    assert (winner.doi, winner.pmid, winner.volume, winner.abstract) == (
        "10.5555/dup",
        "9040987",
        "11",
        "Text",
    )
    authors = [a.display_name for a in winner.authorships.order_by("position")]
    assert len(authors) == 3 and authors[-1] == "A Consortium"
    assert {a.person for a in winner.authorships.exclude(person=None)} == {shared, only_loser}
    assert keywords_of(winner) == ["HIV", "IL-2"]
    assert not PossibleDuplicate.objects.exists()
    response = visitor.get(loser_url)
    assert response.status_code == 301
    assert response["Location"] == winner.get_absolute_url()
    reasons = [entry.history_change_reason for entry in winner.history.all()]
    assert any(reason.startswith("Merged with publication") for reason in reasons)
    deleted = Publication.history.filter(id=loser.pk, history_type="-").get()
    assert deleted.history_user == user
    assert deleted.history_change_reason.startswith("Merged into publication")


def test_merging_persons_moves_authorships_memberships_and_redirects_the_profile(visitor, user):
    winner = PersonFactory(given_name="Silvia", family_name="Ghezzi", orcid="")
    loser = PersonFactory(given_name="S.", family_name="Ghezzi", orcid=valid_orcid(5))
    papers = PublicationFactory.create_batch(2)
    add_authors(papers[0], [winner])
    add_authors(papers[1], [loser])
    unit = Organisation.objects.create(name="Unit of merging", kind="department")
    Membership.objects.create(person=loser, organisation=unit)
    loser_url = loser.get_absolute_url()

    merge_persons(winner, [loser], user=user)

    winner.refresh_from_db()
    assert not Person.objects.filter(pk=loser.pk).exists()
    assert winner.orcid == valid_orcid(5)
    assert Authorship.objects.filter(person=winner).count() == 2
    assert list(winner.memberships.values_list("organisation__name", flat=True)) == [
        "Unit of merging"
    ]
    assert "S. Ghezzi" in list(winner.name_variants.values_list("name", flat=True))
    response = visitor.get(loser_url)
    assert response.status_code == 301
    assert response["Location"] == winner.get_absolute_url()
    # The merged person's papers are found under the kept person.
    page = visitor.get(winner.get_absolute_url()).content.decode()
    for paper in papers:
        assert paper.title in page


def test_merging_a_record_with_itself_does_nothing(user):
    publication = PublicationFactory()
    assert merge_publications(publication, [publication], user=user).startswith("Nothing")
    assert Publication.objects.filter(pk=publication.pk).exists()


def test_merged_authors_move_in_one_statement_with_affiliations_history_and_facet_ids(user):
    winner, loser = PublicationFactory(title="Big collaboration"), PublicationFactory()
    unit = Organisation.objects.create(name="Merged unit", kind="department")
    add_authors(loser, PersonFactory.create_batch(40))
    loser.authorships.get(position=7).affiliations.add(unit)
    with CaptureQueriesContext(connection) as queries:
        merge_publications(winner, [loser], user=user)
    moves = [
        q
        for q in queries.captured_queries
        if q["sql"].startswith('UPDATE "publications_authorship"')
    ]
    assert len(moves) == 1
    assert winner.authorships.count() == 40
    assert list(winner.authorships.get(position=7).affiliations.all()) == [unit]
    moved = Authorship.history.filter(publication_id=winner.pk, history_type="~")
    assert moved.count() == 40 and {entry.history_user for entry in moved} == {user}
    facet_ids = winner.facet_ids
    facet_ids.refresh_from_db()
    assert sorted(facet_ids.persons) == sorted(
        winner.authorships.values_list("person_id", flat=True)
    )
    assert facet_ids.organisations == [unit.pk]
