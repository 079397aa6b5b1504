"""Markup stays text everywhere (issue 9). Two records whose every imported text field carries
script, event-handler, template and CDATA payloads are imported through the real command from
files, made public, and then read back from every page, export, feed, the API, OAI-PMH and the
sitemap: HTML is parsed and no element or attribute came from a payload; XML parses and the
text comes back whole; JSON escapes it."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.core.management import call_command
from lxml import etree, html

from publications.models import Journal, Organisation, Person, Publication
from publications.services import publication_sync_derived

pytestmark = pytest.mark.django_db

# One string with each kind of payload; every field gets it behind its own label, so that a
# field that reaches a page can be recognised there.
MARKUP = (
    '<script>alert(1)</script> "><img src=x onerror=alert(1)> {{7*7}} {% debug %} '
    "</script><script>alert(2)</script> ]]><x> '-alert(4)-' </title><svg/onload=alert(5)>"
)
JAVASCRIPT_URL = "javascript:alert(1)//"


def payload(label: str) -> str:
    return f"{label} {MARKUP}"


TITLE = payload("Hostile title")
DOI = '10.5555/x"><script>alert(6)</script><img/src=x/onerror=alert(7)>'
CROSSREF_WORK = {
    "DOI": DOI,
    "type": "journal-article",
    "title": [TITLE],
    "subtitle": [payload("Hostile subtitle")],
    "abstract": f"<jats:p>{payload('Hostile abstract')}</jats:p>",
    "container-title": [payload("Hostile journal")],
    "short-container-title": [payload("Hostile abbreviation")],
    "publisher": payload("Hostile publisher"),
    "publisher-location": payload("Hostile place"),
    "volume": "<b>7</b>",
    "issue": "<i>2</i>",
    "page": "<script>1</script>",
    "article-number": "<img src=x onerror=alert(8)>",
    "language": "en",
    "issued": {"date-parts": [[2021, 3, 4]]},
    "author": [
        {
            "given": payload("Hostile given"),
            "family": payload("Hostile family"),
            "sequence": "first",
            "affiliation": [{"name": payload("Hostile organisation")}],
        },
        {"name": payload("Hostile consortium"), "sequence": "additional"},
    ],
}
CSL_ITEM = {
    "id": payload("Hostile id"),
    "type": "paper-conference",
    "title": payload("Hostile chapter"),
    "container-title": payload("Hostile proceedings"),
    "event-title": payload("Hostile conference"),
    "event-place": payload("Hostile venue"),
    "edition": payload("Hostile edition"),
    "publisher": payload("Hostile press"),
    "publisher-place": payload("Hostile city"),
    "keyword": [payload("Hostile keyword"), "{{7*7}}", "</script>"],
    "note": payload("Hostile note"),
    "URL": JAVASCRIPT_URL,
    "DOI": "10.5555/hostile.chapter",
    "abstract": payload("Hostile summary"),
    "author": [{"family": payload("Hostile author"), "given": "Eve"}],
    "editor": [{"literal": payload("Hostile editor")}],
    "issued": {"date-parts": [[2022]]},
}

STYLES = ["apa", "vancouver-nlm", "harvard-cite-them-right", "ieee", "nature"]


@pytest.fixture
def hostile(db, tmp_path, settings):
    """The two records, imported from files as Validated (public), with the first author made
    internal (a librarian's edit) so that a person page shows them."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None},
    }
    # Affiliations link to organisations a librarian entered: this one's name is hostile too.
    Organisation.objects.create(name=payload("Hostile organisation"), kind="department")
    crossref = tmp_path / "hostile-crossref.json"
    crossref.write_text(json.dumps({"status": "ok", "message": CROSSREF_WORK}))
    csl = tmp_path / "hostile.json"
    csl.write_text(json.dumps([CSL_ITEM]))
    for path in (crossref, csl):
        call_command("import_publications", str(path), "--state", "validated", stdout=io.StringIO())
    article = Publication.objects.get(doi=DOI.lower())
    chapter = Publication.objects.get(doi="10.5555/hostile.chapter")
    assert article.is_public and chapter.is_public
    # The payload arrived as text: the test would prove nothing if the importer dropped it.
    assert article.title == TITLE
    person = Person.objects.get(family_name__startswith="Hostile family")
    person.is_internal = True
    person.save()
    # An abstract typed in the admin is plain text, kept as typed (only imported HTML is
    # sanitised on the way in): the pages and the search snippets must escape it.
    chapter.abstract = payload("Typed abstract")
    chapter.save()
    publication_sync_derived(publication=chapter)
    return article, chapter


def payload_nodes(page) -> list[str]:
    """What a payload could have created in a parsed HTML page."""
    found = []
    for element in page.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag == "x" or (tag == "img" and element.get("src") == "x"):
            found.append(f"<{tag}> element")
        if tag == "script":
            if element.get("type") == "application/ld+json":
                if "<" in (element.text or ""):  # a "</script>" inside would end it early
                    found.append("unescaped < in JSON-LD")
            elif "alert" in (element.text or ""):
                found.append(f"script: {element.text[:60]}")
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                found.append(f"{name}= on <{tag}>")
            if name.lower() in {
                "href",
                "src",
                "action",
                "formaction",
            } and value.strip().lower().startswith("javascript:"):
                found.append(f"{name}={value[:40]} on <{tag}>")
    return found


def read_page(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, url
    assert response["Content-Type"].startswith("text/html"), url
    text = response.content.decode()
    page = html.fromstring(text)
    assert payload_nodes(page) == [], url
    return text, page


def shown(page, label: str) -> bool:
    """Whether the field's payload is shown whole, as text."""
    return payload(label) in " ".join(page.text_content().split())


def json_ld_of(text: str, page) -> dict:
    scripts = page.xpath('//script[@type="application/ld+json"]')
    assert len(scripts) == 1
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S).group(1)
    assert "<" not in raw  # "</script>" inside could end the element: escaped as \u003c
    return json.loads(raw)


def test_the_record_page_shows_every_payload_as_text(hostile, client):
    article, chapter = hostile
    text, page = read_page(client, article.get_absolute_url())
    for label in ("Hostile title", "Hostile subtitle", "Hostile journal", "Hostile family"):
        assert shown(page, label), label
    assert "Hostile abstract" in page.text_content()
    assert json_ld_of(text, page)["name"].startswith(TITLE)
    # The DOI's link stays a doi.org address: its quote did not end the attribute.
    links = page.xpath("//a[contains(@href, 'doi.org')]")
    assert links and all(link.get("href").startswith("https://doi.org/10.5555/x") for link in links)

    text, page = read_page(client, chapter.get_absolute_url())
    for label in (
        "Hostile chapter",
        "Hostile proceedings",
        "Hostile keyword",
        "Hostile author",
        "Typed abstract",
    ):
        assert shown(page, label), label
    assert JAVASCRIPT_URL not in [a.get("href") for a in page.iter("a")]
    json_ld_of(text, page)


def test_listing_search_and_highlighting_keep_payloads_as_text(hostile, client):
    for url in (
        "/publications/",
        "/publications/?q=hostile",
        "/publications/?q=script+alert",
        "/publications/?q=img+onerror",
        "/publications/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/publications/?q=%22Hostile+title%22",
        "/publications/?keyword=%7B%7B7*7%7D%7D",
        "/publications/?sort=title&per_page=100",
        "/",
    ):
        _, page = read_page(client, url)
        if url in {"/publications/", "/publications/?q=hostile", "/"}:
            assert shown(page, "Hostile title"), url
    _, page = read_page(client, "/publications/?q=hostile+title")
    assert page.xpath("//mark"), "the search highlights its words"
    # The snippet of the typed abstract: the matches marked, the rest text.
    _, page = read_page(client, "/publications/?q=typed+abstract")
    snippets = page.find_class("result__snippet")
    assert snippets and snippets[0].xpath(".//mark")
    assert "<img src=x onerror=alert(1)>" in snippets[0].text_content()


def test_entity_pages_keep_payloads_as_text(hostile, client):
    article, _ = hostile
    person = Person.objects.get(family_name__startswith="Hostile family")
    journal = Journal.objects.get(title__startswith="Hostile journal")
    organisation = Organisation.objects.get(name__startswith="Hostile organisation")
    for url, label in (
        (person.get_absolute_url(), "Hostile family"),
        (journal.get_absolute_url(), "Hostile journal"),
        (organisation.get_absolute_url(), "Hostile organisation"),
        ("/persons/?q=hostile", "Hostile family"),
        ("/journals/?q=hostile", "Hostile journal"),
        ("/organisations/", "Hostile organisation"),
        ("/subject-areas/", None),
        (article.get_absolute_url() + "fingerprint/", "Hostile title"),
    ):
        _, page = read_page(client, url)
        if label:
            assert label in page.text_content(), url


def test_the_cite_page_keeps_payloads_as_text_in_every_style(hostile, client):
    article, chapter = hostile
    for record in (article, chapter):
        url = record.get_absolute_url() + "cite/"
        _, page = read_page(client, url)
        for style in STYLES:
            _, page = read_page(client, f"{url}?style={style}")
            assert "Hostile" in page.text_content(), style
        read_page(client, f"{url}?q=%3Cscript%3E")
        read_page(client, f"{url}?style=%3Cscript%3Ealert(1)%3C/script%3E", status=400)


def test_exports_carry_payloads_as_data_not_markup(hostile, client):
    article, chapter = hostile
    for record in (article, chapter):
        url = record.get_absolute_url()
        for extension, media_type in (
            ("bib", "application/x-bibtex"),
            ("ris", "application/x-research-info-systems"),
        ):
            response = client.get(f"{url}export.{extension}")
            assert response.status_code == 200
            assert response["Content-Type"].startswith(media_type)
            assert response["X-Content-Type-Options"] == "nosniff"
            assert "attachment" in response["Content-Disposition"]
            assert "Hostile" in response.content.decode()
        # CSL-JSON and JSON-LD: the text comes back whole from the JSON.
        item = json.loads(client.get(f"{url}export.json").content)
        item = item[0] if isinstance(item, list) else item
        assert item["title"].startswith(record.title)
        ld = client.get(url, headers={"Accept": "application/ld+json"})
        assert ld["Content-Type"].startswith("application/ld+json")
        assert json.loads(ld.content)["name"].startswith(record.title)

    listing = json.loads(b"".join(client.get("/publications/export.json").streaming_content))
    assert any(entry["title"].startswith(TITLE) for entry in listing)
    rows = list(
        csv.reader(
            io.StringIO(b"".join(client.get("/publications/export.csv").streaming_content).decode())
        )
    )
    assert any(TITLE in cell for row in rows for cell in row)
    for extension in ("bib", "ris"):
        response = client.get(f"/publications/export.{extension}")
        assert not response["Content-Type"].startswith("text/html")


def parse_xml(content: bytes):
    root = etree.fromstring(content)
    names = {etree.QName(element).localname.lower() for element in root.iter(etree.Element)}
    assert not names & {"script", "img", "svg", "x"}, names
    return root


def texts(root) -> str:
    return " ".join(" ".join(root.itertext()).split())


def test_feeds_oai_pmh_and_sitemap_are_well_formed_and_round_trip(hostile, client):
    article, _ = hostile
    person = Person.objects.get(family_name__startswith="Hostile family")
    journal = Journal.objects.get(title__startswith="Hostile journal")
    organisation = Organisation.objects.get(name__startswith="Hostile organisation")
    feeds = [
        "/feeds/publications/",
        "/publications/?format=atom&q=hostile",
        f"/feeds/persons/{person.slug}/",
        f"/feeds/journals/{journal.slug}/",
        f"/feeds/organisations/{organisation.slug}/",
    ]
    for url in feeds:
        response = client.get(url)
        assert response.status_code == 200, url
        assert TITLE in texts(parse_xml(response.content)), url

    identifier = f"oai:testserver:publications/{article.pk}"
    for prefix in ("oai_dc", "oai_openaire", "mods"):
        response = client.get(
            f"/oai?verb=GetRecord&metadataPrefix={prefix}&identifier={identifier}"
        )
        root = parse_xml(response.content)
        assert "error" not in {etree.QName(e).localname for e in root}, prefix
        assert TITLE in texts(root), prefix
    response = client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc")
    assert TITLE in texts(parse_xml(response.content))

    index = parse_xml(client.get("/sitemap.xml").content)
    for location in index.iter("{*}loc"):
        section = location.text.split("testserver", 1)[1]
        parse_xml(client.get(section).content)


def test_the_api_escapes_payloads_as_json(hostile, client):
    article, _ = hostile
    for url in (
        f"/api/v1/publications/{article.slug}/",
        "/api/v1/publications/?q=hostile",
        "/api/v1/persons/",
        "/api/v1/journals/",
        "/api/v1/organisations/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("application/json"), url
        data = response.json()
        assert "Hostile" in json.dumps(data, ensure_ascii=False), url
    detail = client.get(f"/api/v1/publications/{article.slug}/").json()
    assert detail["title"] == TITLE
    # The browsable docs page is HTML: it must not echo a payload either.
    read_page(client, "/api/v1/docs/")


def test_the_admin_shows_payloads_as_text(hostile, librarian):
    article, _ = hostile
    for url in (
        f"/admin/publications/publication/{article.pk}/change/",
        "/admin/publications/publication/?q=hostile",
        "/admin/publications/person/",
        "/admin/publications/journal/",
    ):
        response = librarian.get(url)
        assert response.status_code == 200, url
        assert payload_nodes(html.fromstring(response.content)) == [], url


def test_a_doi_cannot_add_links_to_the_signposting_header(db, client):
    """A DOI may hold any character but white space: `>` ended the cite-as link of the HTTP
    Link header early, and the rest of the DOI became links of its own (here a "describedby"
    pointing harvesters elsewhere). In the header the DOI is percent-encoded."""
    from publications.tests.factories import PublicationFactory

    doi = '10.5555/x>;rel="describedby",<https://evil.example/>;rel="cite-as",<x'
    publication = PublicationFactory(doi=doi, title="Signposted")
    header = client.get(publication.get_absolute_url())["Link"]
    targets = re.findall(r"<([^>]*)>", header)
    assert not any("evil.example" in target and "doi.org" not in target for target in targets)
    assert targets[0].startswith("https://doi.org/10.5555/x%3E")
    assert header.count('rel="cite-as"') == 1
