"""Accessibility in a real browser: axe-core (vendored in data/axe/, never downloaded) finds no
serious or critical violation on any page type at a desktop's and a phone's width; the filters
work by keyboard alone; focus is visible on every kind of control; and no page trips the
Content-Security-Policy."""

from __future__ import annotations

import pytest

from publications.tests.browser import axe_script, axe_violations, committed_rows

pytestmark = pytest.mark.django_db
WIDTHS = [1280, 375]
# The listing with filters chosen and the filter panel (the facets) in view.
FILTERED_LISTING = "/publications/?type=article&subject=2400"


@pytest.fixture(scope="module")
def record(chromium, django_db_setup, django_db_blocker):
    with committed_rows(django_db_blocker, username="a11y-librarian") as rows:
        yield rows


@pytest.fixture(scope="module")
def axe() -> str:
    return axe_script()


def test_no_page_type_has_serious_or_critical_axe_violations(
    axe, browser, server, record, librarian_state
):
    # axe is injected as the page's own script, which the Content-Security-Policy would refuse:
    # these contexts bypass it (test_no_page_trips_the_content_security_policy checks it).
    visitor = browser.new_context(bypass_csp=True)
    librarian = browser.new_context(bypass_csp=True, storage_state=librarian_state)
    pages = {"visitor": visitor.new_page(), "librarian": librarian.new_page()}
    violations = []
    for width in WIDTHS:
        for name, path in [*record.urls.items(), ("filtered listing", FILTERED_LISTING)]:
            page = pages["librarian" if name.startswith("admin") else "visitor"]
            page.set_viewport_size({"width": width, "height": 900})
            assert page.goto(server + path).status == 200, path
            if name == "filtered listing":
                # On a phone the facets are below the results, a link away.
                refine = page.get_by_role("link", name="Refine results")
                if refine.is_visible():
                    refine.click()
                assert page.locator("#facets-title").is_visible()
                assert page.locator(".chips").is_visible()
            violations += axe_violations(page, axe, f"{name} at {width}px")
    visitor.close()
    librarian.close()
    assert not violations, "\n".join(violations)


def test_no_page_trips_the_content_security_policy(browser, server, record, librarian_state):
    """Every page type loads, scripts and styles included, without a CSP violation (reported as
    a securitypolicyviolation event and a console error)."""
    visitor = browser.new_context()
    librarian = browser.new_context(storage_state=librarian_state)
    reported = []
    for context in (visitor, librarian):
        context.add_init_script(
            """document.addEventListener("securitypolicyviolation", (event) => {
                console.error(`Content Security Policy: ${event.violatedDirective} refused `
                    + `${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`);
            });"""
        )
    pages = {"visitor": visitor.new_page(), "librarian": librarian.new_page()}
    for page in pages.values():
        page.on(
            "console",
            lambda message, page=page: (
                "Content Security Policy" in message.text
                and reported.append(f"{page.url}: {message.text}")
            ),
        )
    for name, path in [*record.urls.items(), ("filtered listing", FILTERED_LISTING)]:
        page = pages["librarian" if name.startswith("admin") else "visitor"]
        assert page.goto(server + path).status == 200, path
    # A filter applied in place (htmx swaps the listing) and a cite tab chosen.
    page = pages["visitor"]
    page.goto(server + "/publications/")
    page.locator("section.facet--type a", has_text="Article").click()
    page.wait_for_url("**/publications/?type=article")
    page.goto(server + record.urls["record"])
    page.get_by_role("tab", name="RIS").click()
    page.wait_for_timeout(100)  # console messages arrive asynchronously
    visitor.close()
    librarian.close()
    assert not reported, "\n".join(reported)


def tab_to(page, selector: str, limit: int = 150, key: str = "Tab") -> None:
    """Presses Tab (or the key) until the focused element matches the selector."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reached by {limit} presses of Tab")


def test_filters_work_by_keyboard_alone(browser, server, record):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/publications/")
    page.evaluate("window.notReloaded = true")
    option = "section.facet--type :is(a, input[type=checkbox])"
    tab_to(page, option)
    label = page.evaluate("document.activeElement.textContent")
    assert "Article" in label, label
    # A link follows on Enter; a checkbox toggles on Space.
    is_link = page.evaluate("document.activeElement.tagName === 'A'")
    page.keyboard.press("Enter" if is_link else "Space")
    page.wait_for_url("**/publications/?type=article")
    page.locator(".chips a", has_text="Type: Article").wait_for()
    assert page.evaluate("window.notReloaded === true"), "the page reloaded"
    assert page.locator("#result-count data").get_attribute("value") == "1"
    # Focus stays on the option just chosen, now marked selected: the next Tab goes on from
    # there.
    focused = page.evaluate(
        """() => {
            const el = document.activeElement;
            return {facet: !!el.closest("section.facet--type"), text: el.textContent,
                    selected: el.getAttribute("aria-current") || String(el.checked)};
        }"""
    )
    assert focused["facet"] and "Article" in focused["text"], focused
    assert focused["selected"] == "true", focused
    # The filter's chip, back above the results, removes it.
    tab_to(page, ".chips a", key="Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "type=" not in url)
    page.locator("#result-count").wait_for()
    assert page.locator(".chips").count() == 0
    page.close()


# One of each kind of focusable control, on the page where it is.
CONTROLS = {
    "/publications/": {
        "link": ".site-nav a",
        "search input": "#site-search-q",
        "button": ".site-search button",
        "select": "#listing-sort",
        "facet option": "section.facet--type :is(a, input[type=checkbox])",
        "number input": "#year-from",
        "active filter chip": ".chips a",
    },
    "record": {
        "link in text": ".details td a",
        "cite tab": "[role=tab]",
        "copy button": "button[data-copy]",
    },
}
# Marks the first element of each kind with its unfocused outline and shadow.
PROBE = """(controls) => {
    window.focusStyle = (el) => {
        const style = getComputedStyle(el);
        return [style.outlineStyle, style.outlineWidth, style.outlineColor, style.boxShadow];
    };
    for (const [kind, selector] of Object.entries(controls)) {
        const el = document.querySelector(selector);
        if (el) { el.focusProbe = {kind, before: window.focusStyle(el)}; }
    }
}"""
FOCUSED = """() => {
    const el = document.activeElement;
    return el.focusProbe ? {...el.focusProbe, after: window.focusStyle(el)} : null;
}"""


def test_focus_is_visible_on_every_kind_of_control(browser, server, record):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []
    for where, controls in CONTROLS.items():
        path = record.urls["record"] if where == "record" else where + "?type=article"
        page.goto(server + path)
        page.evaluate(PROBE, controls)
        # Tabbing from the top of the page, so that :focus-visible applies as for any
        # keyboard user.
        unseen = set(controls)
        for _ in range(200):
            page.keyboard.press("Tab")
            probe = page.evaluate(FOCUSED)
            if probe is None or probe["kind"] not in unseen:
                continue
            unseen.discard(probe["kind"])
            outline_style, outline_width, _, shadow = probe["after"]
            shown = (outline_style != "none" and outline_width != "0px") or shadow != "none"
            if probe["after"] == probe["before"] or not shown:
                problems.append(f"{probe['kind']} on {path}: {probe['before']} → {probe['after']}")
            if not unseen:
                break
        problems += [f"{kind} on {path}: not reached by Tab" for kind in sorted(unseen)]
    page.close()
    assert not problems, "focus is not visible on:\n" + "\n".join(problems)
