"""The librarians' admin, as a librarian (and a visitor who should not get in) sees it."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import models as db_models
from django.urls import reverse
from simple_history.models import HistoricalChanges

from publications.models import (
    AggregateConcept,
    Authorship,
    CollectionCount,
    Concept,
    DataVersion,
    FingerprintVector,
    Keyword,
    Membership,
    PersonNameVariant,
    PossibleDuplicate,
    Publication,
    PublicationConcept,
    PublicationFacetIds,
    PublicationKeyword,
    PublicationTombstone,
    StoredFigure,
    SubjectArea,
    WorkflowState,
)
from publications.tests.factories import (
    JournalFactory,
    OrganisationFactory,
    PersonFactory,
    PublicationFactory,
    add_authors,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/publications/publication/"
ADD = "/admin/publications/publication/add/"


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    # The admin pages link many static files; the manifest storage would need collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def registered_publication_models() -> list[type[db_models.Model]]:
    return [model for model in admin.site._registry if model._meta.app_label == "publications"]


def one_of(model: type[db_models.Model]) -> db_models.Model:
    """A stored row of the model, made the way a librarian's data would be."""
    existing = model._default_manager.first()
    if existing is not None:  # SubjectArea: the ASJC codes are loaded by a migration
        return existing
    makers = {
        "journal": JournalFactory,
        "organisation": OrganisationFactory,
        "person": PersonFactory,
        "publication": PublicationFactory,
        "keyword": lambda: Keyword.objects.create(term="immunology"),
    }
    return makers[model._meta.model_name]()


def test_every_model_of_the_app_has_an_admin_or_is_an_inline_of_one():
    inline_models = {
        inline.model
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    }
    # DataVersion, the OAI-PMH tombstones and the facet ids are kept by the database's
    # triggers, not by librarians; possible duplicates are decided on their own page
    # (admin_tools); the history rows are each model's History; fingerprints are computed from
    # the records (compute_fingerprints), never edited.
    computed = {Concept, PublicationConcept, AggregateConcept, FingerprintVector}
    covered = (
        set(registered_publication_models())
        | inline_models
        | {
            DataVersion,
            PublicationTombstone,
            PublicationFacetIds,
            PossibleDuplicate,
            StoredFigure,
            CollectionCount,
        }
        | computed
    )
    missing = [
        m.__name__
        for m in apps.get_app_config("publications").get_models()
        if m not in covered and not issubclass(m, HistoricalChanges)
    ]
    assert missing == []


def test_every_admin_page_of_every_model_opens_for_a_librarian(librarian):
    models = registered_publication_models()
    assert {m.__name__ for m in models} >= {
        "SubjectArea",
        "Journal",
        "Organisation",
        "Person",
        "Keyword",
        "Publication",
    }
    for model in models:
        opts = model._meta
        instance = one_of(model)
        for url in (
            reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            reverse(f"admin:{opts.app_label}_{opts.model_name}_add"),
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[instance.pk]),
            reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[instance.pk]),
        ):
            response = librarian.get(url)
            assert response.status_code == 200, url


def test_publication_change_page_shows_authors_in_order_with_the_curation_sections(librarian):
    publication = PublicationFactory(title="Mast cells and the gut")
    first, second = PersonFactory(family_name="Ghezzi"), PersonFactory(family_name="Conti")
    Authorship.objects.create(publication=publication, person=second, position=2)
    Authorship.objects.create(publication=publication, person=first, position=1)
    response = librarian.get(f"{CHANGELIST}{publication.pk}/change/")
    html = response.content.decode()
    # The author widgets show who is stored in each row, in author order.
    assert f'<option value="{first.pk}" selected>{first.full_name}</option>' in html
    assert f'<option value="{second.pk}" selected>{second.full_name}</option>' in html
    for heading in (
        "Type and status",
        "Title and abstract",
        "Journal and bibliographic details",
        "Identifiers",
        "Subjects",
        "Workflow",
    ):
        assert f">{heading}</h2>" in html
    assert html.index("Ghezzi") < html.index("Conti")


def changelist_titles(client, **query) -> set[str]:
    response = client.get(CHANGELIST, query)
    assert response.status_code == 200
    return {publication.title for publication in response.context["cl"].result_list}


def test_publication_search_finds_a_record_by_doi_title_word_and_author_family_name(librarian):
    wanted = PublicationFactory(title="Mast cells in the gut", doi="10.1000/Mast.2020")
    add_authors(wanted, [PersonFactory(family_name="Ghezzi"), PersonFactory(family_name="Conti")])
    other = PublicationFactory(title="Soil bacteria", doi="10.1000/soil")
    add_authors(other, [PersonFactory(family_name="Rossi")])

    assert changelist_titles(librarian, q="10.1000/mast.2020") == {"Mast cells in the gut"}
    assert changelist_titles(librarian, q="https://doi.org/10.1000/MAST.2020") == {
        "Mast cells in the gut"
    }
    assert changelist_titles(librarian, q="10.1000/mast") == {"Mast cells in the gut"}
    assert changelist_titles(librarian, q="gut") == {"Mast cells in the gut"}
    assert changelist_titles(librarian, q="ghezzi") == {"Mast cells in the gut"}
    assert changelist_titles(librarian, q="Rossi") == {"Soil bacteria"}


def test_a_search_matching_several_authors_lists_the_publication_once(librarian):
    publication = PublicationFactory(title="Twin study")
    add_authors(
        publication, [PersonFactory(family_name="Bianchi"), PersonFactory(family_name="Bianchi")]
    )
    response = librarian.get(CHANGELIST, {"q": "Bianchi"})
    assert [p.title for p in response.context["cl"].result_list] == ["Twin study"]


def test_subject_area_search_matches_a_typed_code_exactly_or_words_of_the_name(librarian):
    url = "/admin/publications/subjectarea/"
    by_code = librarian.get(url, {"q": "2403"}).context["cl"].result_list
    assert [area.code for area in by_code] == [2403]
    by_name = librarian.get(url, {"q": "Immunology and Microbiology"}).context["cl"].result_list
    assert 2403 not in {area.code for area in by_name}
    assert {2400, 2401} <= {area.code for area in by_name}


def test_person_search_finds_a_name_variant(librarian):
    person = PersonFactory(given_name="Silvia", family_name="Ghezzi")
    PersonNameVariant.objects.create(person=person, name="Ghezzi-Bianchi, S.")
    PersonFactory(family_name="Rossi")
    response = librarian.get("/admin/publications/person/", {"q": "Ghezzi-Bianchi"})
    assert list(response.context["cl"].result_list) == [person]
    assert "Ghezzi, Silvia" in response.content.decode()


def test_journal_autocomplete_offers_the_matching_journal_to_a_librarian(librarian):
    JournalFactory(title="Journal of Biological Regulators")
    JournalFactory(title="Soil Biology Letters")
    response = librarian.get(
        "/admin/autocomplete/",
        {
            "app_label": "publications",
            "model_name": "publication",
            "field_name": "journal",
            "term": "regulators",
        },
    )
    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == [
        "Journal of Biological Regulators"
    ]


def test_subject_area_autocomplete_finds_an_asjc_code(librarian):
    response = librarian.get(
        "/admin/autocomplete/",
        {
            "app_label": "publications",
            "model_name": "journal",
            "field_name": "subject_areas",
            "term": "2403",
        },
    )
    assert [result["text"] for result in response.json()["results"]] == [
        str(SubjectArea.objects.get(code=2403))
    ]


def test_journal_autocomplete_is_closed_to_a_visitor(visitor):
    JournalFactory(title="Journal of Biological Regulators")
    response = visitor.get(
        "/admin/autocomplete/",
        {"app_label": "publications", "model_name": "publication", "field_name": "journal"},
    )
    assert response.status_code == 302
    assert "Regulators" not in response.content.decode()


@pytest.mark.parametrize("url", ["/admin/", CHANGELIST])
def test_an_anonymous_visitor_is_sent_to_the_admin_login(visitor, url):
    response = visitor.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("url", ["/admin/", CHANGELIST])
def test_a_logged_in_reader_without_staff_status_is_sent_to_the_admin_login(client, url):
    client.force_login(User.objects.create_user("reader", "reader@example.org", "pw-reader-1"))
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def posted_values(form, prefix: str = "") -> dict[str, object]:
    """A form's initial values as a browser posts them back unchanged."""
    data: dict[str, object] = {}
    for name, field in form.fields.items():
        value = form.get_initial_for_field(field, name)
        key = f"{prefix}{name}"
        if isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, (list, tuple)):
            data[key] = [getattr(item, "pk", item) for item in value]
        elif value is not None:
            data[key] = getattr(value, "pk", value)
    return data


def form_data(response) -> dict[str, object]:
    """What the browser would post back for the admin form the response shows, unchanged: the
    main form, every inline's stored rows and management form (prefixes read from the page)."""
    data = posted_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        stored = len(formset.initial_forms)
        data.update(
            {
                f"{formset.prefix}-TOTAL_FORMS": str(stored),
                f"{formset.prefix}-INITIAL_FORMS": str(stored),
                f"{formset.prefix}-MIN_NUM_FORMS": "0",
                f"{formset.prefix}-MAX_NUM_FORMS": "1000",
            }
        )
        for index, inline_form in enumerate(formset.initial_forms):
            data.update(posted_values(inline_form, prefix=f"{formset.prefix}-{index}-"))
    return data


def add_rows(data: dict[str, object], prefix: str, rows: list[dict[str, object]]) -> None:
    """Appends new rows to an inline of the posted form."""
    start = int(data[f"{prefix}-TOTAL_FORMS"])
    for offset, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{start + offset}-{name}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = str(start + len(rows))


def test_the_add_page_has_an_inline_for_authors_keywords_status_history_links_and_old_slugs(
    librarian,
):
    response = librarian.get(ADD)
    prefixes = {inline.formset.prefix for inline in response.context["inline_admin_formsets"]}
    assert prefixes == {
        "authorships",
        "publication_keywords",
        "status_history",
        "links",
        "old_slugs",
    }


def test_adding_a_publication_with_an_author_saves_both(librarian):
    person = PersonFactory(given_name="Silvia", family_name="Ghezzi", initials="S.")
    department = OrganisationFactory(name="Department of Immunology")
    data = form_data(librarian.get(ADD))
    data.update(title="Mast cells in the gut", doi="https://doi.org/10.1000/MAST")
    add_rows(
        data,
        "authorships",
        [
            {
                "position": "1",
                "person": person.pk,
                "name_as_printed": "S. Ghezzi",
                "role": "author",
                "affiliations": [department.pk],
                "corresponding": "on",
            }
        ],
    )
    response = librarian.post(ADD, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    publication = Publication.objects.get(title="Mast cells in the gut")
    assert publication.doi == "10.1000/mast"
    authorship = publication.authorships.get()
    assert (authorship.person, authorship.position, authorship.name_as_printed) == (
        person,
        1,
        "S. Ghezzi",
    )
    assert authorship.corresponding
    assert list(authorship.affiliations.all()) == [department]


def test_status_history_sets_the_current_status_and_date_on_save(librarian):
    data = form_data(librarian.get(ADD))
    data.update(title="Accepted then published", status="in-preparation")
    add_rows(
        data,
        "status_history",
        [
            {"status": "accepted", "date": "2019-11-20", "date_precision": "day"},
            {"status": "published", "date": "2020-01-01", "date_precision": "month"},
        ],
    )
    response = librarian.post(ADD, data)
    assert response.status_code == 302
    publication = Publication.objects.get(title="Accepted then published")
    assert publication.status == "published"
    assert publication.date == datetime.date(2020, 1, 1)
    assert publication.date_display == "Jan 2020"


def test_a_publication_saved_without_subject_areas_takes_its_journals(librarian):
    journal = JournalFactory()
    journal.subject_areas.set(SubjectArea.objects.filter(code__in=[2403, 2723]))
    data = form_data(librarian.get(ADD))
    data.update(title="Inherits its subjects", journal=journal.pk)
    assert librarian.post(ADD, data).status_code == 302
    publication = Publication.objects.get(title="Inherits its subjects")
    assert sorted(publication.subject_areas.values_list("code", flat=True)) == [2403, 2723]


def test_subject_areas_chosen_by_the_librarian_are_kept(librarian):
    journal = JournalFactory()
    journal.subject_areas.set(SubjectArea.objects.filter(code__in=[2403, 2723]))
    chosen = SubjectArea.objects.get(code=1100)
    data = form_data(librarian.get(ADD))
    data.update(title="Overrides its subjects", journal=journal.pk, subject_areas=[chosen.pk])
    assert librarian.post(ADD, data).status_code == 302
    publication = Publication.objects.get(title="Overrides its subjects")
    assert list(publication.subject_areas.all()) == [chosen]


def test_authors_can_be_reordered_in_one_save(librarian):
    publication = PublicationFactory()
    ghezzi, conti, rossi = (
        PersonFactory(family_name=name) for name in ("Ghezzi", "Conti", "Rossi")
    )
    add_authors(publication, [ghezzi, conti, rossi])
    url = f"{CHANGELIST}{publication.pk}/change/"
    data = form_data(librarian.get(url))
    # Rossi moves to the front, Ghezzi and Conti one place back.
    for index in range(3):
        position = int(data[f"authorships-{index}-position"])
        data[f"authorships-{index}-position"] = str(position % 3 + 1)
    response = librarian.post(url, data)
    assert response.status_code == 302
    ordered = publication.authorships.order_by("position")
    assert [a.person.family_name for a in ordered] == ["Rossi", "Ghezzi", "Conti"]


def test_two_authors_at_one_position_are_refused_with_a_message(librarian):
    publication = PublicationFactory()
    add_authors(
        publication, [PersonFactory(family_name="Ghezzi"), PersonFactory(family_name="Conti")]
    )
    url = f"{CHANGELIST}{publication.pk}/change/"
    data = form_data(librarian.get(url))
    data["authorships-1-position"] = "1"
    response = librarian.post(url, data)
    assert response.status_code == 200
    assert "Please correct the duplicate data for position" in response.content.decode()
    assert list(publication.authorships.values_list("position", flat=True)) == [1, 2]


def test_keywords_are_added_through_their_inline(librarian):
    keyword = Keyword.objects.create(term="Mast cells")
    data = form_data(librarian.get(ADD))
    data["title"] = "With a keyword"
    add_rows(data, "publication_keywords", [{"position": "1", "term": "Mast cells"}])
    assert librarian.post(ADD, data).status_code == 302
    publication = Publication.objects.get(title="With a keyword")
    assert list(publication.keywords.all()) == [keyword]
    assert PublicationKeyword.objects.get(publication=publication).position == 1


def test_changing_the_slug_keeps_the_old_url_as_an_old_slug(librarian):
    publication = PublicationFactory(slug="old-title")
    url = f"{CHANGELIST}{publication.pk}/change/"
    data = form_data(librarian.get(url))
    data["slug"] = "new-title"
    assert librarian.post(url, data).status_code == 302
    publication.refresh_from_db()
    assert publication.slug == "new-title"
    assert list(publication.old_slugs.values_list("slug", flat=True)) == ["old-title"]


def run_action(client, action: str, publications: list[Publication]):
    return client.post(
        CHANGELIST,
        {"action": action, admin.helpers.ACTION_CHECKBOX_NAME: [p.pk for p in publications]},
        follow=True,
    )


def test_mark_as_validated_validates_the_selected_publications_only(librarian):
    waiting = PublicationFactory(workflow_state=WorkflowState.FOR_VALIDATION)
    draft = PublicationFactory(workflow_state=WorkflowState.IN_PROGRESS)
    untouched = PublicationFactory(workflow_state=WorkflowState.IN_PROGRESS)
    response = run_action(librarian, "mark_as_validated", [waiting, draft])
    assert "2 publications were marked as validated." in response.content.decode()
    states = dict(Publication.objects.values_list("pk", "workflow_state"))
    assert states[waiting.pk] == states[draft.pk] == WorkflowState.VALIDATED
    assert states[untouched.pk] == WorkflowState.IN_PROGRESS


def test_submit_for_validation_moves_only_entries_in_progress(librarian):
    draft = PublicationFactory(workflow_state=WorkflowState.IN_PROGRESS)
    validated = PublicationFactory(workflow_state=WorkflowState.VALIDATED)
    response = run_action(librarian, "submit_for_validation", [draft, validated])
    text = response.content.decode()
    assert "1 publication was submitted for validation." in text
    assert "1 selected publication was left as it was" in text
    draft.refresh_from_db()
    validated.refresh_from_db()
    assert (draft.workflow_state, validated.workflow_state) == ("for_validation", "validated")


def test_return_to_entry_in_progress_reopens_a_validated_record(librarian):
    validated = PublicationFactory(workflow_state=WorkflowState.VALIDATED)
    response = librarian.post(
        CHANGELIST,
        {
            "action": "return_to_entry_in_progress",
            admin.helpers.ACTION_CHECKBOX_NAME: [validated.pk],
            "post": "yes",
            "reason": "The page range is wrong.",
        },
        follow=True,
    )
    assert "1 publication was returned to entry in progress." in response.content.decode()
    validated.refresh_from_db()
    assert validated.workflow_state == WorkflowState.IN_PROGRESS


def publications_with_authors(count: int) -> None:
    journals = [JournalFactory() for _ in range(3)]
    persons = [PersonFactory() for _ in range(4)]
    for index in range(count):
        add_authors(PublicationFactory(journal=journals[index % 3]), persons)


@pytest.mark.parametrize("count", [3, 40])
def test_publication_changelist_query_count_does_not_grow_with_rows(
    librarian, django_assert_max_num_queries, count
):
    publications_with_authors(count)
    # 1 session, 2 user, 3 count of the page's rows, 4 the page with its journals joined.
    with django_assert_max_num_queries(4):
        response = librarian.get(CHANGELIST)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == count


@pytest.mark.parametrize("count", [3, 40])
def test_person_changelist_query_count_does_not_grow_with_rows(
    librarian, django_assert_max_num_queries, count
):
    for _ in range(count):
        person = PersonFactory()
        Membership.objects.create(person=person, organisation=OrganisationFactory())
    # 1 session, 2 user, 3 count, 4 the page.
    with django_assert_max_num_queries(4):
        response = librarian.get("/admin/publications/person/")
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == count


def test_person_changelist_shows_orcid_and_whether_internal(librarian):
    PersonFactory(given_name="Silvia", family_name="Ghezzi", orcid="0000-0002-1825-0097")
    PersonFactory(given_name="Anna", family_name="Visiting", is_internal=False)
    response = librarian.get("/admin/publications/person/")
    html = response.content.decode()
    assert "0000-0002-1825-0097" in html
    assert html.count('alt="True"') == 1 and html.count('alt="False"') == 1


def test_person_change_page_has_name_variant_and_membership_inlines(librarian):
    person = PersonFactory(family_name="Ghezzi")
    PersonNameVariant.objects.create(person=person, name="S. Ghezzi")
    Membership.objects.create(
        person=person, organisation=OrganisationFactory(name="Department of Immunology")
    )
    response = librarian.get(f"/admin/publications/person/{person.pk}/change/")
    prefixes = {inline.formset.prefix for inline in response.context["inline_admin_formsets"]}
    assert prefixes == {"name_variants", "memberships", "old_slugs"}
    html = response.content.decode()
    assert "S. Ghezzi" in html
    assert "Department of Immunology" in html


@pytest.mark.parametrize("count", [3, 40])
def test_publication_change_page_query_count_does_not_grow_with_authors_or_keywords(
    librarian, django_assert_max_num_queries, count
):
    publication = PublicationFactory()
    add_authors(publication, [PersonFactory() for _ in range(count)])
    department = OrganisationFactory()
    for authorship in publication.authorships.all():
        authorship.affiliations.add(department)
    for position in range(1, count + 1):
        keyword = Keyword.objects.create(term=f"keyword {position}")
        PublicationKeyword.objects.create(
            publication=publication, keyword=keyword, position=position
        )
    # 1 session, 2 user, 3 publication, 4 its subject areas, 5 authorships with persons joined,
    # 6 their affiliations, 7 keywords with their terms joined, 8 status history, 9 links,
    # 10 old slugs,
    # 11 the selected journal's label, 12 content types (first use in the process only).
    with django_assert_max_num_queries(12):
        response = librarian.get(f"{CHANGELIST}{publication.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        html.count(f'<option value="{department.pk}" selected>{department.name}</option>') == count
    )
    assert f'value="keyword {count}"' in html
