"""Machine-readable metadata of a record page: schema.org JSON-LD, a COinS OpenURL context object
and FAIR Signposting links. Built from a publication loaded with for_detail() (no queries)."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from publications.models import Authorship, Publication

DESCRIBED_BY = (
    ("bib", "application/x-bibtex"),
    ("ris", "application/x-research-info-systems"),
    ("json", "application/vnd.citationstyles.csl+json"),
)
SCHEMA_TYPES = {
    "Contribution to journal": "ScholarlyArticle",
    "Chapter in Book/Report/Conference proceeding": "Chapter",
    "Book/Report": "Book",
    "Thesis": "Thesis",
}


def absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def person_ld(request: HttpRequest, authorship: Authorship) -> dict:
    if authorship.person is None:
        return {"@type": "Organization", "name": authorship.display_name}
    person = authorship.person
    node = {
        "@type": "Person",
        "name": person.full_name or authorship.display_name,
        "familyName": person.family_name,
    }
    if person.given_name:
        node["givenName"] = person.given_name
    same_as = []
    if person.orcid:
        same_as.append(f"https://orcid.org/{person.orcid}")
    if person.is_internal:
        node["url"] = absolute(request, person.get_absolute_url())
    if same_as:
        node["sameAs"] = same_as
    return node


def json_ld(request: HttpRequest, publication: Publication, authorships: list[Authorship]) -> dict:
    """schema.org description of the record: ScholarlyArticle (or Chapter, Book, Thesis)."""
    node: dict = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES.get(publication.output_category, "CreativeWork"),
        "@id": absolute(request, publication.get_absolute_url()),
        "url": absolute(request, publication.get_absolute_url()),
        "name": publication.full_title,
        "headline": publication.full_title[:110],
        "author": [person_ld(request, a) for a in authorships if a.role == "author"],
        "inLanguage": publication.language,
    }
    editors = [person_ld(request, a) for a in authorships if a.role == "editor"]
    if editors:
        node["editor"] = editors
    if publication.abstract:
        node["abstract"] = publication.abstract_text
    if publication.date:
        node["datePublished"] = publication.date_iso
    if publication.doi:
        node["identifier"] = {
            "@type": "PropertyValue",
            "propertyID": "DOI",
            "value": publication.doi,
        }
        node["sameAs"] = f"https://doi.org/{publication.doi}"
    if publication.page_start:
        node["pageStart"] = str(publication.page_start)
    if publication.page_end:
        node["pageEnd"] = str(publication.page_end)
    if publication.pages:
        node["pagination"] = publication.pages
    keywords = [pk.keyword.term for pk in publication.publication_keywords.all()]
    if keywords:
        node["keywords"] = keywords
    areas = [area.display_name for area in publication.subject_areas.all()]
    if areas:
        node["about"] = [{"@type": "Thing", "name": name} for name in areas]
    if publication.journal:
        node["isPartOf"] = part_of(request, publication)
    if publication.isbn:
        node["isbn"] = publication.isbn
    return node


def part_of(request: HttpRequest, publication: Publication) -> dict:
    """Issue › Volume › Periodical, as far as the record knows them."""
    journal = publication.journal
    periodical: dict = {
        "@type": "Periodical",
        "name": journal.title,
        "url": absolute(request, journal.get_absolute_url()),
    }
    issns = [issn for issn in (journal.issn, journal.eissn) if issn]
    if issns:
        periodical["issn"] = issns
    if journal.publisher:
        periodical["publisher"] = {"@type": "Organization", "name": journal.publisher}
    node = periodical
    if publication.volume:
        node = {"@type": "PublicationVolume", "volumeNumber": publication.volume, "isPartOf": node}
    if publication.issue:
        node = {"@type": "PublicationIssue", "issueNumber": publication.issue, "isPartOf": node}
    return node


def script_json(data: dict) -> SafeString:
    """JSON for a <script> element: '</' and '<!--' cannot end or confuse it."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - every <, > and & is escaped as a JSON \\u escape


def coins(publication: Publication, authorships: list[Authorship]) -> str:
    """The title attribute of a COinS span: an OpenURL 1.0 KEV context object."""
    fields = [("ctx_ver", "Z39.88-2004")]
    if publication.journal:
        fields += [
            ("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal"),
            ("rft.genre", "article"),
            ("rft.atitle", publication.full_title),
            ("rft.jtitle", publication.journal.title),
        ]
        if publication.journal.issn:
            fields.append(("rft.issn", publication.journal.issn))
    else:
        fields += [
            ("rft_val_fmt", "info:ofi/fmt:kev:mtx:book"),
            ("rft.genre", "book"),
            ("rft.btitle", publication.full_title),
        ]
    for authorship in authorships:
        fields.append(("rft.au", authorship.display_name))
    if publication.date:
        fields.append(("rft.date", publication.date_iso))
    for name, value in [
        ("rft.volume", publication.volume),
        ("rft.issue", publication.issue),
        ("rft.spage", publication.page_start),
        ("rft.epage", publication.page_end),
        ("rft.pages", publication.pages),
        ("rft.isbn", publication.isbn),
    ]:
        if value:
            fields.append((name, str(value)))
    if publication.doi:
        fields.append(("rft_id", f"info:doi/{publication.doi}"))
    return urlencode(fields)


def doi_url(doi: str) -> str:
    """The doi.org address of a DOI for a Link header. A DOI may hold any character but white
    space: those that would end the link (`>`), separate links or parameters (`,` `;`) or change
    the URL (`%` `#` `?`) are percent-encoded, as the DOI Handbook asks for URLs."""
    return "https://doi.org/" + quote(doi, safe="/:()!$&'*=@~")


def signposting(
    request: HttpRequest, publication: Publication, authorships: list[Authorship]
) -> str:
    """FAIR Signposting for the HTTP Link header: cite-as, the authors' ORCIDs and the type."""
    cite_as = (
        doi_url(publication.doi)
        if publication.doi
        else absolute(request, publication.get_absolute_url())
    )
    links = [f'<{cite_as}>; rel="cite-as"']
    record = absolute(request, publication.get_absolute_url())
    for extension, media_type in DESCRIBED_BY:
        links.append(f'<{record}export.{extension}>; rel="describedby"; type="{media_type}"')
    for authorship in authorships:
        if authorship.person and authorship.person.orcid:
            links.append(f'<https://orcid.org/{authorship.person.orcid}>; rel="author"')
    schema_type = SCHEMA_TYPES.get(publication.output_category, "CreativeWork")
    links.append(f'<https://schema.org/{schema_type}>; rel="type"')
    links.append('<https://schema.org/AboutPage>; rel="type"')
    return ", ".join(links)
