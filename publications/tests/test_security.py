"""Security: the deploy check, a Content-Security-Policy with nothing inline to allow, the security
headers and cookies, and the admin's sign-in lockout (django-axes)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.db.models import F
from django.http import HttpRequest
from django.template.loader import render_to_string

from publications.fingerprints.compute import rebuild_all
from publications.models import Membership, SubjectArea
from publications.tests.browser import (  # noqa: F401 (fixtures)
    browser,
    chromium,
    collected_var_dir,
    committed_rows,
    log_in,
    server,
)
from publications.tests.factories import OrganisationFactory, PersonFactory, PublicationFactory
from publications.tests.factories import add_authors as add_authors_to
from publications.tests.test_views import text_of

BASE_DIR = Path(__file__).resolve().parents[2]
# Neither the deploy check nor loading the settings connects, so no server is needed here.
PG_URL = "postgres://portal:secret@db.invalid:5432/portal"

LOGIN = "/admin/login/"
PASSWORD = "pw-librarian-1"  # conftest's staff_user
ATTACKER = "203.0.113.7"
COLLEAGUE = "198.51.100.9"


def run_fresh(tmp_path: Path, args: list[str], **env: str) -> subprocess.CompletedProcess:
    """Runs Python in a fresh interpreter with the portal's settings read from this environment
    alone (as test_settings.py does): the settings are loaded once per process."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "PORTAL_", "API_"))
    }
    environment.update({"PORTAL_VAR_DIR": str(tmp_path), "DATABASE_URL": PG_URL, **env})
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


# The deploy check (make check-deploy)


def test_the_deploy_check_passes_with_https_and_a_real_secret(tmp_path):
    result = run_fresh(
        tmp_path,
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_DEBUG="false",
        DJANGO_HTTPS="true",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_fails_over_plain_http(tmp_path):
    """The check above is not vacuous: without DJANGO_HTTPS it finds the missing protections."""
    result = run_fresh(
        tmp_path,
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
    )
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


# Headers on HTTPS, from the settings as a deployment reads them

HTTPS_RESPONSE = """
import django
from django.conf import settings
# Pages without collectstatic's manifest, as in conftest.py.
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
django.setup()
from django.test import Client
client = Client()
print(client.get("/robots.txt", headers={"x-forwarded-proto": "http"}).status_code)
# Over TLS, whether the proxy says so or the request came so.
response = client.get("/robots.txt", secure=True, headers={"x-forwarded-proto": "https"})
print(response.status_code, response.headers.get("Strict-Transport-Security"))
login = client.get("/admin/login/", headers={"x-forwarded-proto": "https"})
cookie = login.cookies["csrftoken"]
print(login.status_code, bool(cookie["secure"]), bool(cookie["httponly"]), cookie["samesite"])
print(settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY)
"""


def https_response(tmp_path: Path, https: str) -> list[str]:
    result = run_fresh(
        tmp_path,
        ["-c", HTTPS_RESPONSE],
        DJANGO_SETTINGS_MODULE="portal.settings",
        DJANGO_HTTPS=https,
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECRET_KEY="k" * 60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_with_https_pages_redirect_to_https_with_hsts_and_secure_cookies(tmp_path):
    assert https_response(tmp_path, "true") == [
        "301",
        "200 max-age=31536000; includeSubDomains; preload",
        "200 True True Lax",
        "True True",
    ]


def test_without_https_there_is_no_hsts_nor_secure_cookie(tmp_path):
    """HSTS would lock browsers out of a portal served over plain HTTP for a year."""
    assert https_response(tmp_path, "false") == [
        "200",
        "200 None",
        "200 False True Lax",
        "False True",
    ]


# Headers on every response


def content_security_policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def assert_strict_headers(response) -> None:
    policy = content_security_policy(response)
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    assert "unsafe-hashes" not in header and "data:" not in header
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions
    assert "clipboard-write" not in permissions  # the copy buttons need it


def test_public_pages_api_and_errors_carry_the_security_headers(visitor, db):
    publication = PublicationFactory()
    for url in ("/", publication.get_absolute_url(), "/api/v1/publications/", "/no/such/page/"):
        assert_strict_headers(visitor.get(url))


def test_admin_pages_carry_the_same_strict_policy(client, staff_user):
    """The stock admin needs no relaxation: its scripts and styles are all files."""
    assert_strict_headers(client.get(LOGIN))
    client.force_login(staff_user)
    for url in ("/admin/", "/admin/publications/publication/", "/admin/auth/user/add/"):
        response = client.get(url)
        assert response.status_code == 200
        assert_strict_headers(response)


def test_the_session_and_csrf_cookies_are_http_only(client, staff_user):
    """No script reads either cookie; the admin's forms carry the CSRF token in the page, so
    signing in still works with an HttpOnly CSRF cookie (checked with CSRF enforced)."""
    client.handler.enforce_csrf_checks = True
    form = client.get(LOGIN)
    assert form.cookies["csrftoken"]["httponly"]
    token = form.context["csrf_token"]
    response = client.post(
        LOGIN, {"username": "librarian", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["httponly"]
    assert client.get("/admin/").status_code == 200


# Nothing inline: every page type's HTML

# Script types a browser runs; any other type (JSON-LD, Django's json_script) is a data block.
EXECUTABLE_SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module"}


class InlineCode(HTMLParser):
    """Collects what a policy without 'unsafe-inline' would block: inline executable scripts,
    event-handler attributes, javascript: URLs, style attributes and <style> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.data_blocks = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        where = self.get_starttag_text()
        if tag == "script":
            if (attributes.get("type") or "").strip().lower() not in EXECUTABLE_SCRIPT_TYPES:
                self.data_blocks += 1
            elif not attributes.get("src"):
                self.found.append(f"inline script {where}")
        if tag == "style":
            self.found.append("a <style> element")
        for name, value in attrs:
            if name == "style":
                self.found.append(f"style attribute {where}")
            if name.startswith("on"):
                self.found.append(f"event handler {where}")
            if (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL {where}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def inline_code_in(html: str) -> InlineCode:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture
def every_page_type(db) -> dict[str, str]:
    """One address of each page type, on records with everything a page may show: authors,
    an organisation, a journal, subject areas, fingerprints and a year histogram."""
    organisation = OrganisationFactory()
    ana, ben = PersonFactory(), PersonFactory()
    for person in (ana, ben):
        Membership.objects.create(person=person, organisation=organisation, role="Professor")
    area = SubjectArea.objects.get(code=2403)
    publications = [
        PublicationFactory(
            title=f"Interleukin-2 therapy restores CD4 T cells in HIV infection, part {n}",
            abstract="Interleukin-2 given to HIV-infected patients raised CD4 T cell counts.",
            doi=f"10.1000/security.{n}",
        )
        for n in range(4)
    ]
    for publication in publications:
        add_authors_to(publication, [ana, ben])
        publication.subject_areas.add(area)
    rebuild_all()
    record = publications[0]
    return {
        "home": "/",
        "listing": "/publications/",
        "search": "/publications/?q=interleukin",
        "record": record.get_absolute_url(),
        "cite": record.get_absolute_url() + "cite/",
        "record fingerprint": record.get_absolute_url() + "fingerprint/",
        "person list": "/persons/",
        "person": ana.get_absolute_url(),
        "organisation list": "/organisations/",
        "organisation": organisation.get_absolute_url(),
        "journal list": "/journals/",
        "journal": record.journal.get_absolute_url(),
        "subject area list": "/subject-areas/",
        "subject area": area.get_absolute_url(),
        "API documentation": "/api/v1/docs/",
    }


def test_no_public_page_has_inline_script_or_style(visitor, every_page_type):
    for page, url in every_page_type.items():
        response = visitor.get(url)
        assert response.status_code == 200, page
        found = inline_code_in(response.content.decode())
        assert found.found == [], f"{page} ({url}): {found.found}"
    # The walk saw the pages' riskiest parts: the listing's year histogram, the record's
    # JSON-LD (a data block, allowed) and its fingerprint.
    listing = visitor.get(every_page_type["listing"]).content.decode()
    assert '<svg class="histogram__bar"' in listing
    record = visitor.get(every_page_type["record"]).content.decode()
    assert inline_code_in(record).data_blocks == 1
    assert 'class="fingerprint__item"' in record


def test_the_listing_updated_by_htmx_and_the_error_pages_have_nothing_inline(
    visitor, every_page_type
):
    partial = visitor.get(every_page_type["search"], headers={"hx-request": "true"})
    assert inline_code_in(partial.content.decode()).found == []
    not_found = visitor.get("/publications/no-such-record/")
    assert not_found.status_code == 404
    assert inline_code_in(not_found.content.decode()).found == []
    assert inline_code_in(render_to_string("500.html")).found == []


def test_htmx_is_told_not_to_inject_its_indicator_style(visitor, db):
    """Without this meta element htmx adds a <style> to every page's head at load."""
    page = visitor.get("/").content.decode()
    assert '<meta name="htmx-config"' in page
    assert '"includeIndicatorStyles": false' in page


# django-simple-history's history list (which templates/admin/publications/history_list.html
# extends) has this one style attribute outside any block. The policy drops it, at no cost but a
# top border on the page count; no relaxation of the policy, nor a copy of the template, is worth
# that.
SIMPLE_HISTORY_PAGINATOR = {'style attribute <p class="paginator" style="border-top: 0">'}


def test_no_admin_page_we_use_has_inline_script_or_style(client, staff_user):
    publication = PublicationFactory()
    person = PersonFactory()
    assert inline_code_in(client.get(LOGIN).content.decode()).found == []
    client.force_login(staff_user)
    for url in (
        "/admin/",
        "/admin/publications/publication/",
        "/admin/publications/publication/add/",
        f"/admin/publications/publication/{publication.pk}/change/",
        f"/admin/publications/publication/{publication.pk}/history/",
        "/admin/publications/person/",
        f"/admin/publications/person/{person.pk}/change/",
        "/admin/publications/organisation/",
        "/admin/publications/journal/",
        "/admin/publications/subjectarea/",
        "/admin/publications/keyword/",
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        f"/admin/auth/user/{staff_user.pk}/password/",
        "/admin/tools/duplicates/",
        "/admin/tools/import/",
        "/admin/axes/accessattempt/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        found = inline_code_in(response.content.decode()).found
        assert [item for item in found if item not in SIMPLE_HISTORY_PAGINATOR] == [], url


# The admin's sign-in lockout


def sign_in(client, password: str, address: str = ATTACKER, **headers: str):
    return client.post(
        LOGIN,
        {"username": "librarian", "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        headers=headers,
    )


def assert_locked_out(response) -> None:
    assert response.status_code == 429
    text = text_of(response)
    assert "Too many failed sign-ins" in text
    assert "After 5 failed attempts to sign in from your network address" in text
    assert "paused for 15 minutes, even with the right password" in text
    assert "Traceback" not in text
    assert inline_code_in(response.content.decode()).found == []


def test_five_failed_sign_ins_lock_the_address_out_for_fifteen_minutes(client, staff_user):
    for _ in range(4):
        response = sign_in(client, "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in text_of(response)
    # The fifth failure is answered with the lockout page (django-axes locks out at the limit).
    assert_locked_out(sign_in(client, "wrong"))
    # A sixth attempt, even with the right password, is refused without signing in.
    assert_locked_out(sign_in(client, PASSWORD))
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    other = sign_in(client, "wrong", address=COLLEAGUE)
    assert other.status_code == 200
    assert 'name="password"' in other.content.decode()

    # Failures during the lockout do not extend it: 15 minutes after the fifth, it is over.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=14))
    assert_locked_out(sign_in(client, PASSWORD))
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=1, seconds=1))
    response = sign_in(client, PASSWORD)
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.session["_auth_user_id"] == str(staff_user.pk)


def test_the_lockout_counts_failures_by_address_whatever_the_username(client, staff_user):
    for n in range(5):
        client.post(LOGIN, {"username": f"guess{n}", "password": "x"}, REMOTE_ADDR=ATTACKER)
    assert_locked_out(sign_in(client, PASSWORD))


def test_a_forged_forwarded_for_header_does_not_dodge_the_lockout(client, staff_user):
    """With no proxy configured (NUM_PROXIES 0) X-Forwarded-For is the client's to write, so it
    is ignored."""
    for n in range(5):
        sign_in(client, "wrong", x_forwarded_for=f"192.0.2.{n}")
    assert_locked_out(sign_in(client, PASSWORD, x_forwarded_for="192.0.2.99"))


def test_behind_the_proxy_the_lockout_is_by_the_address_the_proxy_saw(client, staff_user, settings):
    """Behind one TLS-terminating proxy every request comes from its address; the client's is
    the last entry of X-Forwarded-For, the one the proxy appended. Entries to its left are the
    client's own and cannot dodge the lockout."""
    settings.NUM_PROXIES = 1
    proxy = "127.0.0.1"
    for n in range(5):
        sign_in(client, "wrong", address=proxy, x_forwarded_for=f"192.0.2.{n}, {ATTACKER}")
    assert_locked_out(sign_in(client, PASSWORD, address=proxy, x_forwarded_for=ATTACKER))
    assert AccessAttempt.objects.get().ip_address == ATTACKER
    colleague = sign_in(client, PASSWORD, address=proxy, x_forwarded_for=COLLEAGUE)
    assert colleague.status_code == 302


def test_force_login_still_works_for_tests(client, staff_user):
    client.force_login(staff_user)
    assert client.get("/admin/").status_code == 200


# Passwords


def test_the_admin_refuses_a_weak_password_for_a_new_user(client, staff_user):
    client.force_login(staff_user)
    response = client.post(
        "/admin/auth/user/add/",
        {"username": "newlibrarian", "usable_password": "true", "password1": "password"}
        | {"password2": "password"},
    )
    assert response.status_code == 200
    text = text_of(response)
    assert "This password is too common." in text
    assert not User.objects.filter(username="newlibrarian").exists()


def test_the_admin_refuses_a_weak_password_change(client, staff_user):
    client.force_login(staff_user)
    response = client.post(
        f"/admin/auth/user/{staff_user.pk}/password/",
        {"usable_password": "true", "password1": "librarian", "password2": "librarian"},
    )
    assert response.status_code == 200
    text = text_of(response)
    assert "This password is too short." in text or "too similar" in text
    staff_user.refresh_from_db()
    assert staff_user.check_password(PASSWORD)


def test_the_test_clients_login_needs_a_request_for_the_lockout_check(client, staff_user):
    """django-axes checks the lockout of every authentication, by the request's address: the test
    client's login() has none of its own, so tests pass one (or use force_login)."""
    with pytest.raises(ValueError, match="requires a request"):
        client.login(username="librarian", password=PASSWORD)
    assert client.login(request=HttpRequest(), username="librarian", password=PASSWORD)
    assert client.get("/admin/").status_code == 200


# The policy in a real browser: nothing the portal or the admin does is refused

# Records each refusal as the page sees it (init scripts are the browser's, not the page's, so
# the policy does not apply to this one).
REFUSALS_SCRIPT = """
window.__refused = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__refused.push(
        `${event.effectiveDirective} refused ${event.blockedURI} ${event.sample || ""}`.trim()
    );
});
"""


@pytest.fixture(scope="module")
def record(chromium, django_db_setup, django_db_blocker):  # noqa: F811
    with committed_rows(django_db_blocker, username="security-librarian") as rows:
        yield rows


def refusals(page) -> list[str]:
    return page.evaluate("window.__refused")


@pytest.mark.django_db
def test_no_public_page_nor_htmx_trips_the_policy_in_a_browser(browser, server, record):  # noqa: F811
    context = browser.new_context()
    context.add_init_script(REFUSALS_SCRIPT)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    for name, path in record.urls.items():
        if path.startswith("/admin/"):
            continue
        page.goto(server + path)
        page.wait_for_load_state("load")
        assert refusals(page) == [], name
    # An htmx update of the listing (hx-boost on a facet link) swaps in the new results.
    page.goto(server + record.urls["listing"])
    page.locator("section.facet--year .histogram a").first.click()
    page.wait_for_url("**/publications/?*year_from=*")
    page.wait_for_load_state("networkidle")
    assert page.locator("#listing").count() == 1
    assert refusals(page) == []
    assert [text for text in console if "Content Security Policy" in text] == []
    context.close()


@pytest.mark.django_db
def test_no_admin_page_trips_the_policy_in_a_browser(browser, server, record):  # noqa: F811
    context = browser.new_context()
    context.add_init_script(REFUSALS_SCRIPT)
    page = context.new_page()
    log_in(page, server, record)
    change_form = record.urls["admin-change-form"]
    for path in (
        "/admin/",
        "/admin/publications/publication/",
        "/admin/publications/publication/add/",
        change_form,
        "/admin/publications/person/",
        "/admin/tools/duplicates/",
        "/admin/password_change/",
    ):
        page.goto(server + path)
        page.wait_for_load_state("networkidle")
        assert refusals(page) == [], path
    # The change form's scripts at work: the keyword suggestions fetch from the admin.
    page.goto(server + change_form)
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state("networkidle")
    assert refusals(page) == []
    context.close()
