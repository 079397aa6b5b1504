"""Whole tasks in a real browser, as the portal's two kinds of user do them: a researcher finds,
cites and downloads a record; a librarian enters one in the admin, validates it and finds it in
the public search. And a full-page screenshot of every page type at a desktop's and a phone's
width, kept as test artifacts (browser.artifacts_dir())."""

from __future__ import annotations

import struct

import bibtexparser
import pytest

from publications.tests.browser import artifacts_dir, committed_rows

pytestmark = pytest.mark.django_db
SCREENSHOT_WIDTHS = [1280, 375]


@pytest.fixture(scope="module")
def record(chromium, django_db_setup, django_db_blocker):
    with committed_rows(django_db_blocker, username="flows-librarian") as rows:
        yield rows


def test_a_researcher_searches_filters_and_cites_a_record_and_downloads_its_bibtex(
    browser, server, record
):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        permissions=["clipboard-read", "clipboard-write"],
        accept_downloads=True,
    )
    page = context.new_page()
    page.goto(server + "/")
    page.get_by_label("Search publications, authors, keywords or a DOI").fill(
        "immune reconstitution"
    )
    page.keyboard.press("Enter")
    page.wait_for_url("**/publications/?q=immune+reconstitution")
    assert int(page.locator("#result-count data").get_attribute("value")) >= 1

    # The facet counts the record's area (2403) in its two-digit field.
    page.locator("section.facet--subject a", has_text="Immunology and Microbiology").click()
    page.wait_for_url("**/publications/?*subject=2400*")
    assert page.locator(
        ".chips a", has_text="Subject area: Immunology and Microbiology"
    ).is_visible()
    assert "q=immune+reconstitution" in page.url, "the filter dropped the search"

    page.get_by_role("link", name=record.record_title).click()
    page.wait_for_url(server + record.urls["record"])

    page.get_by_role("button", name="Copy APA").click()
    page.get_by_text("Copied to the clipboard.").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#cite-apa").inner_text().strip()
    assert "immune reconstitution" in copied and f"https://doi.org/{record.record_doi}" in copied

    page.get_by_role("tab", name="BIBTEX").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download BibTeX").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".bib")
    with open(download.path(), encoding="utf-8") as file:
        library = bibtexparser.parse_string(file.read())
    assert not library.failed_blocks
    [entry] = library.entries
    assert entry.entry_type == "article"
    assert entry.fields_dict["doi"].value == record.record_doi
    assert "Experiences in immune reconstitution" in entry.fields_dict["title"].value
    context.close()


def test_a_librarian_enters_a_record_with_three_authors_validates_it_and_finds_it_in_search(
    browser, server, record
):
    title = "Ribosomal choreography in a record entered by a librarian"
    doi = f"10.5555/{record.username}.2026.entered"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    # The real login form: whatever throttling or policy guards it, a librarian gets through.
    page.goto(server + "/admin/")
    page.get_by_label("Username").fill(record.username)
    page.get_by_label("Password").fill(record.password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(server + "/admin/")

    page.goto(server + "/admin/publications/publication/")
    page.get_by_role("link", name="Add publication").click()
    page.wait_for_url("**/admin/publications/publication/add/")
    page.get_by_label("Type:").select_option(label="Article")
    page.get_by_label("Title:", exact=True).fill(title)
    page.get_by_label("DOI:").fill(doi)
    for row, name in enumerate(record.new_authors):
        if row:
            page.get_by_role("button", name="Add another Author").click()
        page.locator(f"#id_authorships-{row}-position").fill(str(row + 1))
        # The person is chosen in the admin's autocomplete (select2), by typing a family name.
        page.locator(f"#id_authorships-{row}-person + .select2").click()
        results = f"select2-id_authorships-{row}-person-results"
        page.locator(f'.select2-search__field[aria-controls="{results}"]').fill(name.split()[-1])
        page.locator(f"#{results} .select2-results__option", has_text=name).click()
    page.get_by_label("Visibility:").select_option(label="Public – no restriction")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("was added successfully").wait_for()

    # Validated as a librarian does it: tick it in the list, run "Mark as validated".
    row = page.locator("#result_list tbody tr", has=page.get_by_role("link", name=title))
    assert "Entry in progress" in row.inner_text()
    row.locator("input.action-select").check()
    page.get_by_label("Action:").select_option(label="Mark as validated")
    page.get_by_role("button", name="Go").click()
    page.get_by_text("1 publication was marked as validated.").wait_for()
    row = page.locator("#result_list tbody tr", has=page.get_by_role("link", name=title))
    assert "Validated" in row.inner_text() and "Public – no restriction" in row.inner_text()

    visitor = browser.new_context(viewport={"width": 1280, "height": 900})
    public = visitor.new_page()
    public.goto(server + "/")
    public.get_by_label("Search publications, authors, keywords or a DOI").fill(
        "ribosomal choreography"
    )
    public.keyboard.press("Enter")
    public.wait_for_url("**/publications/?q=ribosomal+choreography")
    public.get_by_role("link", name=title).click()
    authors = public.locator(".record__authors").inner_text()
    positions = [authors.find(name.split()[-1]) for name in record.new_authors]
    assert -1 not in positions and positions == sorted(positions), authors
    assert public.locator(f'a[href="https://doi.org/{doi}"]').is_visible()
    visitor.close()

    page.get_by_role("button", name="Log out").click()
    page.get_by_text("Logged out").first.wait_for()
    context.close()


def png_width(path) -> int:
    with open(path, "rb") as file:
        header = file.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">I", header[16:20])[0]


def test_every_page_type_is_screenshotted_at_a_desktop_and_a_phone_width(
    browser, server, record, librarian_state
):
    folder = artifacts_dir()
    visitor = browser.new_context()
    librarian = browser.new_context(storage_state=librarian_state)
    pages = {"visitor": visitor.new_page(), "librarian": librarian.new_page()}
    for width in SCREENSHOT_WIDTHS:
        for name, path in record.urls.items():
            page = pages["librarian" if name.startswith("admin") else "visitor"]
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(server + path)
            assert response.status == 200, path
            shot = folder / f"{name}-{width}.png"
            page.screenshot(path=shot, full_page=True)
            # The public pages never scroll sideways (test_browser.py); the admin's tabular
            # author rows are wider than a phone, and than 1280 px, and the shot shows them all.
            assert png_width(shot) == width or name.startswith("admin"), shot
    visitor.close()
    librarian.close()
