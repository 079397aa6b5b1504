"""Possible duplicates: which pairs are flagged, and the admin page where a librarian merges or
dismisses them."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group

from publications.duplicates import flag_duplicates, flag_duplicates_of
from publications.models import PossibleDuplicate, Publication
from publications.tests.factories import JournalFactory, PublicationFactory
from publications.tests.test_admin import form_data

pytestmark = pytest.mark.django_db


def pair_of(a: Publication, b: Publication) -> PossibleDuplicate:
    return PossibleDuplicate.objects.get(first=min(a.pk, b.pk), second=max(a.pk, b.pk))


def test_the_three_signs_and_what_is_not_a_duplicate():
    journal = JournalFactory()
    year = {"date": datetime.date(2001, 1, 1)}
    base = PublicationFactory(
        title="Interleukin-2 in HIV: a trial", journal=journal, pmid="123", **year
    )
    same_pmid = PublicationFactory(title="Something else entirely", pmid="123", **year)
    same_title = PublicationFactory(title="INTERLEUKIN 2 in HIV — a trial.", **year)
    similar = PublicationFactory(
        title="Interleukin-2 in HIV: a small trial", journal=journal, **year
    )
    other_year = PublicationFactory(
        title="Interleukin-2 in HIV: a trial", date=datetime.date(2002, 1, 1)
    )
    unrelated = PublicationFactory(title="Soil bacteria of Lombardy", journal=journal, **year)

    assert flag_duplicates(base) == 3
    assert pair_of(base, same_pmid).reason == "identifier"
    assert pair_of(base, same_title).reason == "title_year"
    similar_pair = pair_of(base, similar)
    assert similar_pair.reason == "similar_title" and 0.6 <= similar_pair.similarity < 1
    for other in (other_year, unrelated):
        assert not PossibleDuplicate.objects.filter(
            first__in=[base, other], second__in=[base, other]
        ).exists()
    assert flag_duplicates(base) == 0  # flagged once


def test_a_dismissed_pair_is_never_flagged_again():
    a = PublicationFactory(title="Same title", date=datetime.date(2001, 1, 1))
    b = PublicationFactory(title="Same title", date=datetime.date(2001, 1, 1))
    flag_duplicates_of([a.pk, b.pk])
    PossibleDuplicate.objects.update(dismissed=True)
    assert flag_duplicates(b) == 0
    assert PossibleDuplicate.objects.get().dismissed


@pytest.fixture
def pair():
    a = PublicationFactory(title="Duplicate pair", date=datetime.date(2001, 1, 1), doi="10.5555/a")
    b = PublicationFactory(title="Duplicate pair.", date=datetime.date(2001, 1, 1), doi="")
    flag_duplicates(a)
    return a, b


def user_in(django_user_model, group: str):
    user = django_user_model.objects.create_user(group.lower(), password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def test_a_librarian_merges_a_pair_from_the_page(client, django_user_model, pair, visitor):
    a, b = pair
    client.force_login(user_in(django_user_model, "Librarian"))
    page = client.get("/admin/tools/duplicates/").content.decode()
    assert '<data value="1">1</data> pair(s) to decide' in page
    assert "Same title and year" in page and "10.5555/a" in page
    duplicate = pair_of(a, b)
    response = client.post(
        "/admin/tools/duplicates/", {"pair": duplicate.pk, "action": "keep_first"}, follow=True
    )
    assert "Merged 1 publication(s)" in response.content.decode()
    kept, removed = (a, b) if duplicate.first_id == a.pk else (b, a)
    assert Publication.objects.filter(pk=kept.pk).exists()
    assert not Publication.objects.filter(pk=removed.pk).exists()
    assert visitor.get(removed.get_absolute_url()).status_code == 301
    assert (
        "No possible duplicates to decide"
        in client.get("/admin/tools/duplicates/").content.decode()
    )


def test_an_editor_may_dismiss_but_not_merge(client, django_user_model, pair):
    a, b = pair
    client.force_login(user_in(django_user_model, "Editor"))
    page = client.get("/admin/tools/duplicates/").content.decode()
    assert 'value="keep_first"' not in page and 'value="dismiss"' in page
    duplicate = pair_of(a, b)
    response = client.post(
        "/admin/tools/duplicates/", {"pair": duplicate.pk, "action": "keep_first"}
    )
    assert response.status_code == 403
    assert Publication.objects.filter(pk__in=[a.pk, b.pk]).count() == 2
    client.post("/admin/tools/duplicates/", {"pair": duplicate.pk, "action": "dismiss"})
    assert PossibleDuplicate.objects.get().dismissed


def test_the_page_costs_the_same_queries_for_many_pairs(
    client, django_user_model, django_assert_max_num_queries
):
    for n in range(15):
        a = PublicationFactory(title=f"Pair {n}", date=datetime.date(2001, 1, 1))
        PublicationFactory(title=f"Pair {n}!", date=datetime.date(2001, 1, 1))
        flag_duplicates(a)
    client.force_login(user_in(django_user_model, "Librarian"))
    with django_assert_max_num_queries(9):
        response = client.get("/admin/tools/duplicates/")
    assert response.content.decode().count('class="pair"') == 15


def test_bad_posts_are_handled(client, django_user_model, pair):
    client.force_login(user_in(django_user_model, "Librarian"))
    assert (
        client.post("/admin/tools/duplicates/", {"pair": "x", "action": "dismiss"}).status_code
        == 404
    )
    assert (
        client.post("/admin/tools/duplicates/", {"pair": 999999, "action": "dismiss"}).status_code
        == 404
    )
    duplicate = PossibleDuplicate.objects.get()
    response = client.post(
        "/admin/tools/duplicates/", {"pair": duplicate.pk, "action": "??"}, follow=True
    )
    assert "Choose to merge the pair" in response.content.decode()


def test_saving_a_record_in_the_admin_flags_its_duplicates(admin_client):
    original = PublicationFactory(title="Flag me on save", date=datetime.date(2001, 1, 1))
    copy = PublicationFactory(title="Flag me on save.", date=datetime.date(2001, 1, 1))
    url = f"/admin/publications/publication/{copy.pk}/change/"
    # Saving the form unchanged runs what every save runs.
    response = admin_client.post(url, form_data(admin_client.get(url)), follow=True)
    assert "This record may duplicate another" in response.content.decode()
    assert pair_of(original, copy).reason == "title_year"
