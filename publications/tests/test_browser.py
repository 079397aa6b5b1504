"""Pages in a real browser (Debian's Chromium driven by Playwright): readable at a phone's 375 px
and a desktop's 1440 px, keyboard-usable. Chromium is a prerequisite named in README.md: without it
these tests are skipped on a developer's machine and fail in CI.

The portal runs in its own process, as `make run` serves it, on the test database (the fixtures
are in publications/tests/browser.py). Its data is committed by a module-scoped fixture and
deleted afterwards, so no test here needs Django's transactional flush (which Playwright's event
loop in this thread would interfere with)."""

from __future__ import annotations

import pytest
from django.db import connection

from publications.models import Person, PublicationTombstone, SubjectArea
from publications.tests.factories import (
    JournalFactory,
    PersonFactory,
    PublicationFactory,
    add_authors,
)

WIDTHS = [375, 1440]
# Without a database marker in the session, pytest-django would not create the test database and
# the module's data would go to the development database.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def record(chromium, django_db_setup, django_db_blocker):
    """A committed record for the server process to show; only these rows are removed again."""
    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"].startswith("test_"), "not on a test database"
        journal = JournalFactory(title="Journal of Biological Regulators and Homeostatic Agents")
        publication = PublicationFactory(
            title="Experiences in immune reconstitution. The rationale for interleukin-2 "
            "administration to HIV-infected individuals",
            journal=journal,
            doi="10.5555/a-long-doi-suffix-that-could-overflow-a-narrow-screen.1997.00001",
            abstract="Since the clinical earliest descriptions of patients with AIDS " * 10,
        )
        publication.subject_areas.add(SubjectArea.objects.get(code=2403))
        persons = PersonFactory.create_batch(7)
        add_authors(publication, persons)
        urls = {
            "record": publication.get_absolute_url(),
            "author": persons[0].get_absolute_url(),
            "journal": journal.get_absolute_url(),
        }
    yield urls
    with django_db_blocker.unblock():
        pk = publication.pk
        publication.delete()
        # Deleting a public record leaves an OAI-PMH tombstone: it goes too.
        PublicationTombstone.objects.filter(pk=pk).delete()
        Person.objects.filter(pk__in=[person.pk for person in persons]).delete()
        journal.delete()


def page_paths(record: dict[str, str]) -> list[str]:
    return [
        "/",
        "/publications/",
        record["record"],
        record["author"],
        "/persons/",
        "/organisations/",
        "/journals/",
        record["journal"],
        "/subject-areas/",
        "/subject-areas/2400/",
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_fit_the_screen_without_sideways_scrolling(browser, server, record, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    for path in page_paths(record):
        response = page.goto(server + path)
        assert response.status == 200, path
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
        assert page.locator("h1").count() == 1, path
        assert page.get_by_role("search").first.is_visible(), path
        assert page.get_by_role("navigation", name="Main").is_visible(), path
    page.close()


def test_search_box_submits_q_to_the_listing(browser, server, record):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(server + record["record"])
    page.get_by_label("Search research output").fill("immune")
    page.keyboard.press("Enter")
    page.wait_for_url("**/publications/?q=immune")
    assert page.locator("#result-count data").get_attribute("value") is not None
    page.close()


def test_keyboard_reaches_the_skip_link_first(browser, server, record):
    page = browser.new_page()
    page.goto(server + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.close()


def test_filters_update_the_listing_in_place_and_the_address_follows(browser, server, record):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(server + "/publications/")
    page.evaluate("window.notReloaded = true")
    page.locator("section.facet--type a", has_text="Article").click()
    page.wait_for_url("**/publications/?type=article")
    assert page.evaluate("window.notReloaded === true"), "the page reloaded"
    assert page.locator("#result-count data").get_attribute("value") == "1"
    assert page.locator(".chips a", has_text="Type: Article").is_visible()
    page.locator("#listing-sort").select_option("title")
    page.wait_for_url("**/publications/?*sort=title*")
    assert page.evaluate("window.notReloaded === true")
    page.go_back()
    page.wait_for_url("**/publications/?type=article")
    assert page.locator(".chips a", has_text="Type: Article").is_visible()
    page.close()


def test_the_listing_works_with_javascript_off(browser, server, record):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/publications/")
    page.locator("section.facet--type a", has_text="Article").click()
    page.wait_for_url("**/publications/?type=article")
    page.get_by_label("Search research output", exact=True).nth(1).fill("immune")
    page.locator("form.listing-search button[type=submit]").first.click()
    page.wait_for_url("**/publications/?q=immune*")
    assert "type=article" in page.url
    assert page.locator("#result-count data").get_attribute("value") == "1"
    context.close()


def test_cite_this_is_tabs_with_a_working_copy_button(browser, server, record):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(server + record["record"])
    tabs = page.get_by_role("tab")
    assert tabs.all_inner_texts() == [
        "APA",
        "Author",
        "BIBTEX",
        "Harvard",
        "Standard",
        "RIS",
        "Vancouver",
    ]
    assert page.locator("#cite-apa").is_visible()
    assert not page.locator("#cite-vancouver").is_visible()
    page.get_by_role("tab", name="Vancouver").click()
    assert page.locator("#cite-vancouver").is_visible()
    assert not page.locator("#cite-apa").is_visible()
    # Arrow keys move between tabs, as the WAI-ARIA tabs pattern has it.
    page.keyboard.press("ArrowLeft")
    assert page.locator("#cite-ris").is_visible()
    assert page.evaluate("document.activeElement.textContent") == "RIS"
    page.get_by_role("tab", name="BIBTEX").click()
    page.get_by_role("button", name="Copy BIBTEX").click()
    page.get_by_text("Copied to the clipboard.").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("@article{") and "Experiences in immune reconstitution" in copied
    context.close()


def test_cite_this_is_stacked_and_readable_with_javascript_off(browser, server, record):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + record["record"])
    for key in ["apa", "author", "bibtex", "harvard", "standard", "ris", "vancouver"]:
        assert page.locator(f"#cite-{key}").is_visible(), key
    # Without JavaScript there is no clipboard to copy to: the buttons stay hidden.
    assert page.locator('[data-copy="cite-apa"]').is_hidden()
    context.close()
