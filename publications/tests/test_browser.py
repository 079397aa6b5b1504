"""Pages in a real browser (Debian's Chromium driven by Playwright): readable at a phone's 375 px
and a desktop's 1440 px, keyboard-usable. Chromium is a prerequisite named in README.md: without it
these tests are skipped on a developer's machine and fail in CI."""

from __future__ import annotations

import os
import shutil

import pytest

from publications.tests.factories import (
    JournalFactory,
    PersonFactory,
    PublicationFactory,
    add_authors,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = [375, 1440]
# The live server needs committed rows; serialized_rollback restores the ASJC codes that the
# data migration loaded, which the flush after each transactional test would otherwise remove.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        message = "Chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django must allow ORM calls from this thread.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def record():
    journal = JournalFactory(title="Journal of Biological Regulators and Homeostatic Agents")
    publication = PublicationFactory(
        title="Experiences in immune reconstitution. The rationale for interleukin-2 "
        "administration to HIV-infected individuals",
        journal=journal,
        doi="10.5555/a-long-doi-suffix-that-could-overflow-a-narrow-screen.1997.00001",
        abstract="Since the clinical earliest descriptions of patients with AIDS " * 10,
    )
    add_authors(publication, PersonFactory.create_batch(7))
    return publication


def page_paths(record) -> list[str]:
    author = record.authorships.first().person
    return [
        "/",
        "/publications/",
        record.get_absolute_url(),
        author.get_absolute_url(),
        "/persons/",
        "/organisations/",
        "/journals/",
        record.journal.get_absolute_url(),
        "/subject-areas/",
        "/subject-areas/2400/",
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_fit_the_screen_without_sideways_scrolling(browser, live_server, record, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    for path in page_paths(record):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
        assert page.locator("h1").count() == 1, path
        assert page.get_by_role("search").first.is_visible(), path
        assert page.get_by_role("navigation", name="Main").is_visible(), path
    page.close()


def test_search_box_submits_q_to_the_listing(browser, live_server, record):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(live_server.url + record.get_absolute_url())
    page.get_by_label("Search research output").fill("immune")
    page.keyboard.press("Enter")
    page.wait_for_url("**/publications/?q=immune")
    assert page.locator("#result-count data").get_attribute("value") is not None
    page.close()


def test_keyboard_reaches_the_skip_link_first(browser, live_server, record):
    page = browser.new_page()
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.close()
