"""The librarian workflow in the admin, as each persona meets it: a visitor and a reader are kept
out; an Editor enters records and submits them; a Librarian validates, returns with a reason,
merges; everything lands in the audit history with its user and reason."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils.html import escape

from publications.models import (
    Keyword,
    Person,
    PersonSlug,
    Publication,
    PublicationKeyword,
    PublicationSlug,
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
from publications.tests.test_admin import add_rows, form_data, posted_values

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/publications/publication/"
ADD = "/admin/publications/publication/add/"
PERSONS = "/admin/publications/person/"


def change_url(publication: Publication) -> str:
    return f"{CHANGELIST}{publication.pk}/change/"


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def staff_member(username: str, group: str) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


# The personas. `visitor` (anonymous) comes from the root conftest.


@pytest.fixture
def reader() -> Client:
    """Logged in, but not staff: a researcher with an account."""
    return logged_in(User.objects.create_user("reader", "reader@example.org"))


@pytest.fixture
def editor() -> Client:
    """Staff in the Editor group: enters and edits records, cannot validate or delete."""
    return logged_in(staff_member("editor", "Editor"))


@pytest.fixture
def librarian() -> Client:
    """Staff in the Librarian group (not a superuser): validates, returns, merges, deletes."""
    return logged_in(staff_member("librarian", "Librarian"))


@pytest.fixture
def superuser() -> Client:
    return logged_in(User.objects.create_superuser("admin", "admin@example.org"))


def run_action(client: Client, action: str, objects, url: str = CHANGELIST, **extra):
    return client.post(
        url,
        {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], **extra},
        follow=True,
    )


def offered_actions(client: Client, url: str = CHANGELIST) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200
    action_form = response.context["action_form"]  # None when no action is offered
    if action_form is None:
        return set()
    return {name for name, _ in action_form.fields["action"].choices if name}


def is_public(publication: Publication) -> bool:
    status = Client().get(f"/publications/{publication.slug}/").status_code
    assert status in (200, 404)
    return status == 200


def state_of(publication: Publication) -> str:
    publication.refresh_from_db()
    return publication.workflow_state


def text(response) -> str:
    return response.content.decode()


# Who gets in.


@pytest.mark.parametrize("persona", ["visitor", "reader"])
@pytest.mark.parametrize("url", ["/admin/", CHANGELIST])
def test_visitors_and_readers_are_sent_to_the_admin_login(request, persona, url):
    response = request.getfixturevalue(persona).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("persona", ["editor", "librarian", "superuser"])
def test_staff_personas_open_the_publication_list(request, persona):
    assert request.getfixturevalue(persona).get(CHANGELIST).status_code == 200


# The Editor.


def test_an_editor_adds_a_publication_which_starts_as_entry_in_progress(editor):
    data = form_data(editor.get(ADD))
    data["title"] = "Entered by an editor"
    response = editor.post(ADD, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    publication = Publication.objects.get(title="Entered by an editor")
    assert publication.workflow_state == WorkflowState.IN_PROGRESS
    assert publication.history.get().history_user.username == "editor"


def test_an_editor_changes_a_publication(editor):
    publication = PublicationFactory(title="Old title", workflow_state=WorkflowState.IN_PROGRESS)
    data = form_data(editor.get(change_url(publication)))
    data["title"] = "Corrected title"
    assert editor.post(change_url(publication), data).status_code == 302
    publication.refresh_from_db()
    assert publication.title == "Corrected title"


def test_an_editor_may_only_submit_for_validation(editor, librarian, superuser):
    assert offered_actions(editor) == {"submit_for_validation"}
    assert offered_actions(editor, PERSONS) == set()
    everything = {
        "submit_for_validation",
        "mark_as_validated",
        "return_to_entry_in_progress",
        "merge_selected_publications",
        "delete_selected",
    }
    assert offered_actions(librarian) == everything
    assert offered_actions(superuser) == everything
    assert offered_actions(librarian, PERSONS) == {"merge_selected_persons", "delete_selected"}


def test_an_editor_posting_mark_as_validated_validates_nothing(editor):
    waiting = PublicationFactory(workflow_state=WorkflowState.FOR_VALIDATION)
    response = run_action(editor, "mark_as_validated", [waiting])
    assert "No action selected." in text(response)
    assert state_of(waiting) == WorkflowState.FOR_VALIDATION
    assert not is_public(waiting)


def test_an_editor_submits_for_validation_and_the_history_says_who(editor):
    draft = PublicationFactory(workflow_state=WorkflowState.IN_PROGRESS)
    response = run_action(editor, "submit_for_validation", [draft])
    assert "1 publication was submitted for validation." in text(response)
    assert state_of(draft) == WorkflowState.FOR_VALIDATION
    latest = draft.history.latest()
    assert (latest.history_user.username, latest.history_change_reason) == (
        "editor",
        "Submitted for validation",
    )


def test_the_validated_choice_is_not_offered_to_an_editor(editor, librarian):
    field = editor.get(ADD).context["adminform"].form.fields["workflow_state"]
    assert [value for value, _ in field.choices] == ["in_progress", "for_validation"]
    assert "Only a librarian can validate a record" in field.help_text
    field = librarian.get(ADD).context["adminform"].form.fields["workflow_state"]
    assert "validated" in [value for value, _ in field.choices]


def test_an_editor_cannot_validate_through_the_form(editor):
    publication = PublicationFactory(title="Waiting", workflow_state=WorkflowState.FOR_VALIDATION)
    data = form_data(editor.get(change_url(publication)))
    data.update(workflow_state="validated", title="Sneaked through")
    response = editor.post(change_url(publication), data)
    assert response.status_code == 200
    assert "Select a valid choice." in error_next_to(response, "workflow_state")
    publication.refresh_from_db()
    assert (publication.workflow_state, publication.title) == ("for_validation", "Waiting")
    assert not is_public(publication)


def test_an_editor_edits_a_validated_record_and_it_stays_validated(editor):
    publication = PublicationFactory(title="Public record", workflow_state=WorkflowState.VALIDATED)
    response = editor.get(change_url(publication))
    field = response.context["adminform"].form.fields["workflow_state"]
    assert field.disabled
    assert "only a librarian can change the workflow state of a validated record" in (
        field.help_text
    )
    data = form_data(response)
    # A tampered post cannot move it either: a disabled field keeps its stored value.
    data.update(title="Public record, corrected", workflow_state="in_progress")
    assert editor.post(change_url(publication), data).status_code == 302
    publication.refresh_from_db()
    assert publication.title == "Public record, corrected"
    assert publication.workflow_state == WorkflowState.VALIDATED
    assert is_public(publication)


def test_an_editor_cannot_delete(editor):
    publication = PublicationFactory(workflow_state=WorkflowState.IN_PROGRESS)
    assert 'class="deletelink"' not in text(editor.get(change_url(publication)))
    assert editor.post(f"{CHANGELIST}{publication.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Publication.objects.filter(pk=publication.pk).exists()


def test_an_editor_cannot_revert_a_record_to_a_validated_version(editor, librarian):
    publication = PublicationFactory(workflow_state=WorkflowState.VALIDATED)
    validated_version = publication.history.latest()
    run_action(
        librarian,
        "return_to_entry_in_progress",
        [publication],
        post="yes",
        reason="Authors missing.",
    )
    assert state_of(publication) == WorkflowState.IN_PROGRESS
    url = f"{CHANGELIST}{publication.pk}/history/{validated_version.history_id}/"
    response = editor.post(url, posted_values(editor.get(url).context["adminform"].form))
    assert response.status_code == 200
    assert "Only a librarian can validate a record or change a validated one" in error_next_to(
        response, "workflow_state"
    )
    assert state_of(publication) == WorkflowState.IN_PROGRESS


# The Librarian: validating.


def test_a_librarian_validates_in_bulk_and_the_records_go_public(librarian):
    waiting = PublicationFactory(workflow_state=WorkflowState.FOR_VALIDATION)
    draft = PublicationFactory(workflow_state=WorkflowState.IN_PROGRESS)
    assert not is_public(waiting) and not is_public(draft)
    response = run_action(librarian, "mark_as_validated", [waiting, draft])
    assert "2 publications were marked as validated." in text(response)
    assert is_public(waiting) and is_public(draft)
    for publication in (waiting, draft):
        latest = publication.history.latest()
        assert latest.workflow_state == WorkflowState.VALIDATED
        assert latest.history_user.username == "librarian"
        assert latest.history_change_reason == "Validated"


def test_a_librarian_validates_through_the_form(librarian):
    publication = PublicationFactory(workflow_state=WorkflowState.FOR_VALIDATION)
    assert not is_public(publication)
    data = form_data(librarian.get(change_url(publication)))
    data["workflow_state"] = "validated"
    assert librarian.post(change_url(publication), data).status_code == 302
    assert state_of(publication) == WorkflowState.VALIDATED
    assert is_public(publication)
    assert publication.history.latest().history_change_reason == "For validation → Validated"


def test_a_record_for_validation_or_in_progress_is_not_public():
    for state in (WorkflowState.FOR_VALIDATION, WorkflowState.IN_PROGRESS):
        assert not is_public(PublicationFactory(workflow_state=state))
    assert is_public(PublicationFactory(workflow_state=WorkflowState.VALIDATED))


def test_each_record_of_a_bulk_transition_gets_its_own_history_row(librarian):
    publications = [PublicationFactory(workflow_state=WorkflowState.IN_PROGRESS) for _ in range(3)]
    run_action(librarian, "submit_for_validation", publications)
    for publication in publications:
        assert publication.history.count() == 2  # created, submitted
        assert publication.history.latest().workflow_state == WorkflowState.FOR_VALIDATION


# The Librarian: returning a record with a reason.


def test_returning_records_asks_for_a_reason_first(librarian):
    validated = PublicationFactory(title="Needs work", workflow_state=WorkflowState.VALIDATED)
    response = run_action(librarian, "return_to_entry_in_progress", [validated])
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == (
        "admin/publications/publication/return_to_in_progress.html"
    )
    html = text(response)
    assert '<textarea name="reason"' in html
    assert "Needs work" in html
    assert state_of(validated) == WorkflowState.VALIDATED


def test_an_empty_reason_shows_the_page_again_with_an_error(librarian):
    validated = PublicationFactory(workflow_state=WorkflowState.VALIDATED)
    response = run_action(
        librarian, "return_to_entry_in_progress", [validated], post="yes", reason="   "
    )
    assert response.status_code == 200
    assert "Give a reason, so that whoever picks the records up knows what to fix." in text(
        response
    )
    assert state_of(validated) == WorkflowState.VALIDATED


def test_a_returned_record_carries_the_reason_in_its_note_history_and_form(librarian):
    validated = PublicationFactory(workflow_state=WorkflowState.VALIDATED)
    waiting = PublicationFactory(workflow_state=WorkflowState.FOR_VALIDATION)
    reason = "The second author is missing; see the PDF."
    response = run_action(
        librarian,
        "return_to_entry_in_progress",
        [validated, waiting],
        post="yes",
        reason=reason,
    )
    assert "2 publications were returned to entry in progress." in text(response)
    for publication in (validated, waiting):
        publication.refresh_from_db()
        assert publication.workflow_state == WorkflowState.IN_PROGRESS
        assert publication.workflow_note == reason
        latest = publication.history.latest()
        assert latest.history_change_reason == f"Returned to entry in progress: {reason}"
        assert latest.history_user.username == "librarian"
    assert not is_public(validated)
    html = text(librarian.get(change_url(validated)))
    # The note is in the Workflow section of the form, for whoever picks the record up.
    assert html.index(">Workflow</h2>") < html.index('name="workflow_note"')
    assert escape(reason) in html


def test_validating_a_returned_record_clears_its_note_and_the_history_keeps_it(librarian):
    publication = PublicationFactory(
        workflow_state=WorkflowState.FOR_VALIDATION, workflow_note="Add the DOI."
    )
    run_action(librarian, "mark_as_validated", [publication])
    publication.refresh_from_db()
    assert publication.workflow_note == ""
    assert publication.history.earliest().workflow_note == "Add the DOI."


# The audit history.


def test_the_history_page_shows_the_user_and_the_title_change(librarian):
    publication = PublicationFactory(title="Mast cells", workflow_state=WorkflowState.IN_PROGRESS)
    data = form_data(librarian.get(change_url(publication)))
    data["title"] = "Mast cells in the gut"
    assert librarian.post(change_url(publication), data).status_code == 302
    response = librarian.get(f"{CHANGELIST}{publication.pk}/history/")
    assert response.status_code == 200
    html = text(response)
    assert "librarian" in html
    assert "title: Mast cells → Mast cells in the gut" in html


def test_the_history_shows_workflow_states_by_their_names_and_the_reason(librarian):
    publication = PublicationFactory(workflow_state=WorkflowState.FOR_VALIDATION)
    run_action(librarian, "mark_as_validated", [publication])
    html = text(librarian.get(f"{CHANGELIST}{publication.pk}/history/"))
    assert "workflow state: For validation → Validated" in html
    assert re.search(r"<td>\s*Validated\s*</td>", html)  # the change reason


def test_the_history_shows_yes_no_choice_labels_and_empty_values(librarian):
    publication = PublicationFactory(peer_reviewed=True, visibility="public", pmid="")
    publication.peer_reviewed, publication.visibility, publication.pmid = False, "campus", "123"
    publication.save()
    html = text(librarian.get(f"{CHANGELIST}{publication.pk}/history/"))
    assert "peer reviewed: Yes → No" in html
    assert "visibility: Public – no restriction → Campus – restricted to the institution" in html
    assert "PubMed ID: (empty) → 123" in html


def test_reverting_to_the_first_version_brings_the_title_back(librarian):
    publication = PublicationFactory(title="First title", workflow_state=WorkflowState.IN_PROGRESS)
    first = publication.history.get()
    for title in ("Second title", "Third title"):
        data = form_data(librarian.get(change_url(publication)))
        data["title"] = title
        assert librarian.post(change_url(publication), data).status_code == 302
    assert publication.history.count() == 3
    url = f"{CHANGELIST}{publication.pk}/history/{first.history_id}/"
    response = librarian.get(url)
    assert response.status_code == 200
    assert 'value="Revert"' in text(response)
    data = posted_values(response.context["adminform"].form)
    assert data["title"] == "First title"
    assert librarian.post(url, data).status_code == 302
    publication.refresh_from_db()
    assert publication.title == "First title"
    assert publication.history.count() == 4
    latest = publication.history.latest()
    assert latest.title == "First title"
    assert latest.history_user.username == "librarian"
    assert latest.history_change_reason.startswith("Reverted to the version of ")
    assert Publication.objects.filter(search_vector="first").get() == publication


@pytest.mark.parametrize(
    ("factory", "field", "new"),
    [
        (lambda: PersonFactory(family_name="Ghezzi"), "family_name", "Ghezzi-Bianchi"),
        (lambda: JournalFactory(title="J Immunol"), "title", "Journal of Immunology"),
        (lambda: OrganisationFactory(name="Dept of X"), "name", "Department of X"),
    ],
    ids=["person", "journal", "organisation"],
)
def test_persons_journals_and_organisations_have_a_history_page(librarian, factory, field, new):
    obj = factory()
    old = getattr(obj, field)
    url = f"/admin/publications/{obj._meta.model_name}/{obj.pk}/"
    data = form_data(librarian.get(f"{url}change/"))
    data[field] = new
    assert librarian.post(f"{url}change/", data).status_code == 302
    html = text(librarian.get(f"{url}history/"))
    verbose = obj._meta.get_field(field).verbose_name
    assert f"{verbose}: {old} → {new}" in html
    assert "librarian" in html


@pytest.mark.parametrize("changes", [3, 40])
def test_history_page_query_count_does_not_grow_with_changes(
    superuser, django_assert_max_num_queries, changes
):
    publication = PublicationFactory()
    for number in range(changes):
        publication.title = f"Title number {number}"
        publication.save()
    # 1 session, 2 user, 3 count of history rows, 4 the page of rows with users and journals
    # joined, 5 the record, 6 content types (first use in the process only).
    with django_assert_max_num_queries(6):
        response = superuser.get(f"{CHANGELIST}{publication.pk}/history/")
    assert response.status_code == 200
    assert f"title: Title number {changes - 2} → Title number {changes - 1}" in text(response)


# Keywords typed as text.


def test_a_typed_keyword_matches_an_existing_one_in_any_case_or_is_created(librarian):
    existing = Keyword.objects.create(term="Mast cells")
    data = form_data(librarian.get(ADD))
    data["title"] = "Typed keywords"
    add_rows(
        data,
        "publication_keywords",
        [{"position": "1", "term": "mast  CELLS"}, {"position": "2", "term": "Gut microbiota"}],
    )
    assert librarian.post(ADD, data).status_code == 302
    publication = Publication.objects.get(title="Typed keywords")
    keywords = [e.keyword for e in PublicationKeyword.objects.filter(publication=publication)]
    assert keywords[0] == existing
    assert keywords[1].term == "Gut microbiota"
    assert Keyword.objects.count() == 2


def test_a_keyword_given_twice_is_refused(librarian):
    data = form_data(librarian.get(ADD))
    data["title"] = "Twice the same keyword"
    add_rows(
        data,
        "publication_keywords",
        [{"position": "1", "term": "Mast cells"}, {"position": "2", "term": "mast cells"}],
    )
    response = librarian.post(ADD, data)
    assert response.status_code == 200
    assert "The keyword “mast cells” is given twice: keep it once." in text(response)
    assert not Publication.objects.filter(title="Twice the same keyword").exists()
    assert not Keyword.objects.exists()


def test_a_user_who_may_not_add_keywords_chooses_an_existing_one(db):
    entry_only = Group.objects.create(name="Entry only")
    entry_only.permissions.set(
        Group.objects.get(name="Editor").permissions.exclude(codename="add_keyword")
    )
    user = User.objects.create_user("entry", "entry@example.org", is_staff=True)
    user.groups.add(entry_only)
    client = logged_in(user)
    Keyword.objects.create(term="Mast cells")
    data = form_data(client.get(ADD))
    data["title"] = "Keywords by someone who may not add them"
    add_rows(
        data,
        "publication_keywords",
        [{"position": "1", "term": "mast cells"}, {"position": "2", "term": "Brand new"}],
    )
    response = client.post(ADD, data)
    assert response.status_code == 200
    assert "There is no keyword “Brand new” yet" in error_next_to(
        response, "publication_keywords-1-term"
    )
    assert Keyword.objects.count() == 1
    del data["publication_keywords-1-term"], data["publication_keywords-1-position"]
    data["publication_keywords-TOTAL_FORMS"] = "1"
    assert client.post(ADD, data).status_code == 302
    publication = Publication.objects.get(title="Keywords by someone who may not add them")
    assert [k.term for k in publication.keywords.all()] == ["Mast cells"]


def test_the_keyword_rows_suggest_existing_keywords(librarian):
    publication = PublicationFactory()
    PublicationKeyword.objects.create(
        publication=publication, keyword=Keyword.objects.create(term="Mast cells"), position=1
    )
    html = text(librarian.get(change_url(publication)))
    assert 'value="Mast cells"' in html
    assert 'list="keyword-suggestions"' in html
    assert '<datalist id="keyword-suggestions" data-endpoint="/admin/autocomplete/">' in html
    assert "js/admin-keyword-suggestions" in html  # a file, not an inline script
    response = librarian.get(
        "/admin/autocomplete/",
        {
            "app_label": "publications",
            "model_name": "publicationkeyword",
            "field_name": "keyword",
            "term": "mast",
        },
    )
    assert [result["text"] for result in response.json()["results"]] == ["Mast cells"]


# Subject areas from the journal.


def test_the_librarian_is_told_the_subject_areas_came_from_the_journal(librarian):
    journal = JournalFactory(title="Journal of Immunology")
    journal.subject_areas.set(SubjectArea.objects.filter(code__in=[2403, 2723]))
    data = form_data(librarian.get(ADD))
    data.update(title="Inherits", journal=journal.pk)
    response = librarian.post(ADD, data, follow=True)
    html = text(response)
    assert "The subject areas were taken from the journal “Journal of Immunology”" in html
    assert escape(str(SubjectArea.objects.get(code=2403))) in html
    publication = Publication.objects.get(title="Inherits")
    assert sorted(publication.subject_areas.values_list("code", flat=True)) == [2403, 2723]


# Validation messages in a librarian's words, next to the field.


def error_next_to(response, field: str) -> str:
    """The text of the error list rendered for the field (Django gives it the id
    id_<field>_error)."""
    match = re.search(
        rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', text(response), re.DOTALL
    )
    assert match, f"no error shown next to {field}"
    return match[1]


@pytest.mark.parametrize(
    ("url", "values", "field", "message"),
    [
        (
            ADD,
            {"title": "Bad DOI", "doi": "10.abc/xyz"},
            "doi",
            "“10.abc/xyz” is not a DOI.",
        ),
        (
            "/admin/publications/journal/add/",
            {"title": "Bad ISSN", "issn": "0393-9741"},
            "issn",
            "The ISSN “0393-9741” has a wrong check digit: it should end in X.",
        ),
        (
            "/admin/publications/person/add/",
            {"family_name": "Bad ORCID", "orcid": "0000-0002-1825-0098"},
            "orcid",
            "The ORCID iD “0000-0002-1825-0098” has a wrong check digit: it should end in 7.",
        ),
        (
            ADD,
            {"title": "Bad pages", "pages": "", "page_start": "78", "page_end": "74"},
            "page_end",
            "The last page (74) comes before the first (78).",
        ),
        (
            ADD,
            {"title": "Bad date", "date": "2020-03-15", "date_precision": "year"},
            "date",
            "The date is more precise than a year: enter 1 January, or choose a finer precision.",
        ),
        (
            ADD,
            {"title": "Bad month", "date": "2020-03-15", "date_precision": "month"},
            "date",
            "The date is more precise than a month: enter the 1st, or choose day precision.",
        ),
    ],
    ids=["doi", "issn", "orcid", "pages", "date-year", "date-month"],
)
def test_a_wrong_value_is_refused_with_a_message_next_to_its_field(
    librarian, url, values, field, message
):
    model = librarian.get(url).context["adminform"].form._meta.model
    before = model.objects.count()
    data = form_data(librarian.get(url))
    data.update(values)
    response = librarian.post(url, data)
    assert response.status_code == 200
    assert escape(message) in error_next_to(response, field)
    assert "is violated" not in text(response)  # no raw constraint names
    assert model.objects.count() == before


# A new external person from the author row.


def test_the_plus_beside_an_author_opens_a_form_for_an_external_person(librarian):
    html = text(librarian.get(ADD))
    urls = re.findall(r'href="(/admin/publications/person/add/\?[^"]+)"', html)
    assert urls and all("is_internal=" in url for url in urls)
    popup = librarian.get(urls[0].replace("&amp;", "&"))
    assert popup.status_code == 200
    assert popup.context["adminform"].form["is_internal"].value() in ("", False)
    assert 'name="is_internal" id="id_is_internal" checked' not in text(popup)
    # From the persons list, a new person is one of the institution's own.
    direct = librarian.get(f"{PERSONS}add/")
    assert direct.context["adminform"].form["is_internal"].value() is True


def test_a_person_added_from_the_popup_is_external(librarian):
    data = form_data(librarian.get(f"{PERSONS}add/?_to_field=id&_popup=1&is_internal="))
    data.update(family_name="Visiting", given_name="Anna", _popup="1", _to_field="id")
    response = librarian.post(f"{PERSONS}add/?_to_field=id&_popup=1", data)
    assert response.status_code == 200  # the popup's closing page
    assert Person.objects.get(family_name="Visiting").is_internal is False


# Merging.


def test_a_librarian_merges_publications_after_choosing_the_one_to_keep(librarian):
    kept = PublicationFactory(title="Mast cells", doi="10.1000/mast", pmid="")
    other = PublicationFactory(title="Mast cells (preprint)", doi="", pmid="123456")
    add_authors(other, [PersonFactory(family_name="Ghezzi")])
    response = run_action(librarian, "merge_selected_publications", [kept, other])
    assert response.status_code == 200
    html = text(response)
    for shown in ("Mast cells (preprint)", "10.1000/mast", "123456", "Workflow state", "PubMed ID"):
        assert shown in html
    assert f'name="keep" value="{kept.pk}"' in html
    assert Publication.objects.count() == 2
    response = run_action(
        librarian, "merge_selected_publications", [kept, other], post="yes", keep=kept.pk
    )
    assert "Merged 1 publication(s) into “Mast cells”" in text(response)
    assert list(Publication.objects.all()) == [kept]
    kept.refresh_from_db()
    assert kept.pmid == "123456"
    assert kept.authorships.get().person.family_name == "Ghezzi"
    assert PublicationSlug.objects.filter(publication=kept, slug=other.slug).exists()


def test_merging_without_choosing_the_one_to_keep_asks_again(librarian):
    first, second = PublicationFactory(), PublicationFactory()
    response = run_action(librarian, "merge_selected_publications", [first, second], post="yes")
    assert response.status_code == 200
    assert "Choose the publication to keep." in text(response)
    assert Publication.objects.count() == 2


def test_merging_one_publication_is_refused_with_a_message(librarian):
    only = PublicationFactory()
    response = run_action(librarian, "merge_selected_publications", [only])
    assert "Select at least two publications to merge." in text(response)
    assert Publication.objects.count() == 1


def test_a_librarian_merges_persons(librarian):
    kept = PersonFactory(given_name="Silvia", family_name="Ghezzi", orcid="")
    other = PersonFactory(given_name="S.", family_name="Ghezzi", orcid="0000-0002-1825-0097")
    add_authors(PublicationFactory(), [other])
    response = run_action(librarian, "merge_selected_persons", [kept, other], url=PERSONS)
    html = text(response)
    assert "0000-0002-1825-0097" in html and "Authorships" in html
    response = run_action(
        librarian, "merge_selected_persons", [kept, other], url=PERSONS, post="yes", keep=kept.pk
    )
    assert "Merged 1 person(s) into Silvia Ghezzi" in text(response)
    assert list(Person.objects.all()) == [kept]
    kept.refresh_from_db()
    assert kept.orcid == "0000-0002-1825-0097"
    assert kept.authorships.count() == 1
    assert PersonSlug.objects.filter(person=kept, slug=other.slug).exists()


def test_an_editor_cannot_merge(editor):
    first, second = PublicationFactory(), PublicationFactory()
    response = run_action(
        editor, "merge_selected_publications", [first, second], post="yes", keep=first.pk
    )
    assert "No action selected." in text(response)
    assert Publication.objects.count() == 2
