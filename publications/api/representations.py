"""Rows of publications.api.queries as the API's JSON: plain dicts, no queries. Absent values are
null (never ""); dates of a status are ISO 8601 at their precision ("1997", "1997-01",
"1997-01-15"). The OpenAPI components in publications.api.serializers describe these shapes, and
a test validates real answers against them."""

from __future__ import annotations

import datetime

import orjson
from django.http import HttpRequest
from django.urls import reverse

from publications.facets import Facet
from publications.models import (
    CATEGORY_OF_TYPE,
    LANGUAGE_CHOICES,
    OPEN_ACCESS_STATES,
    DatePrecision,
    OpenAccess,
    OrganisationKind,
    OutputType,
    PublicationStatus,
    SubjectGroup,
)
from publications.richtext import to_text

TYPE_LABELS = dict(OutputType.choices)
STATUS_LABELS = dict(PublicationStatus.choices)
LANGUAGE_NAMES = dict(LANGUAGE_CHOICES)
OPEN_ACCESS_LABELS = dict(OpenAccess.choices)
KIND_LABELS = dict(OrganisationKind.choices)
GROUP_LABELS = dict(SubjectGroup.choices)
PRECISION_LENGTH = {DatePrecision.YEAR: 4, DatePrecision.MONTH: 7, DatePrecision.DAY: 10}
# A key that both the slug and the int path converters accept, found nowhere else in a URL.
SENTINEL = "987654321"


class Urls:
    """Absolute URLs of API resources and portal pages, from templates made once per request
    (reverse() for every author of a page of 100 records would cost more than the rest)."""

    def __init__(self, request: HttpRequest) -> None:
        self.root = request.build_absolute_uri("/").rstrip("/")
        self.templates: dict[str, tuple[str, str]] = {}

    def of(self, name: str, key: str | int) -> str:
        """The URL of the named detail page or resource with this slug or code."""
        if name not in self.templates:
            before, after = reverse(name, args=[SENTINEL]).split(SENTINEL)
            self.templates[name] = (self.root + before, after)
        before, after = self.templates[name]
        return f"{before}{key}{after}"

    def api(self, name: str) -> str:
        return self.root + reverse(f"api:{name}")


def text(value: str | None) -> str | None:
    return value or None


def at_precision(value: datetime.date | str | None, precision: str) -> str | None:
    """ISO 8601 cut to the date's precision; the JSON of a subquery gives dates as text."""
    if not value:
        return None
    return str(value)[: PRECISION_LENGTH.get(precision, 10)]


def choice(value: str, labels: dict[str, str]) -> dict[str, str]:
    return {"value": value, "label": str(labels.get(value, value))}


def author(data: dict, urls: Urls) -> dict:
    person = None
    if data["family_name"] is not None:  # a person (not a group named as printed)
        internal = bool(data["internal"])
        person = {
            "slug": data["slug"] if internal else None,
            "given_name": text(data["given_name"]),
            "family_name": data["family_name"],
            "orcid": text(data["orcid"]),
            "internal": internal,
            "url": urls.of("api:person-detail", data["slug"]) if internal else None,
            "html_url": urls.of("person_detail", data["slug"]) if internal else None,
        }
    name = data["name_as_printed"] or (
        f"{data['initials'] or ''} {data['family_name'] or ''}".strip()
    )
    return {
        "position": data["position"],
        "name": name,
        "role": data["role"],
        "corresponding": data["corresponding"],
        "person": person,
        "affiliations": [organisation_ref(o, urls) for o in data["affiliations"] or []],
    }


def organisation_ref(data: dict, urls: Urls) -> dict:
    """An organisation named in a record or a membership; only the institution's own have an
    API resource and a page."""
    internal = data["kind"] != OrganisationKind.EXTERNAL
    return {
        "name": data["name"],
        "slug": data["slug"] if internal else None,
        "ror": text(data["ror"]),
        "internal": internal,
        "url": urls.of("api:organisation-detail", data["slug"]) if internal else None,
    }


def subject_ref(data: dict, urls: Urls) -> dict:
    return {
        "code": data["code"],
        "name": data["name"],
        "url": urls.of("api:subject-area-detail", data["code"]),
    }


def publication(row: dict, urls: Urls) -> dict:
    """One publication row (queries.PUBLICATION_FIELDS) as JSON."""
    journal = None
    if row["journal_id"] is not None:
        slug = row["journal__slug"]
        journal = {
            "slug": slug,
            "title": row["journal__title"],
            "abbreviation": text(row["journal__abbreviation"]),
            "issn": text(row["journal__issn"]),
            "eissn": text(row["journal__eissn"]),
            "publisher": text(row["journal__publisher"]),
            "url": urls.of("api:journal-detail", slug),
        }
    conference = None
    if row["conference_name"]:
        conference = {
            "name": row["conference_name"],
            "location": text(row["conference_location"]),
            "start": row["conference_start"],
            "end": row["conference_end"],
        }
    details = orjson.loads(row["details"])
    output_type = row["output_type"]
    date = at_precision(row["date"], row["date_precision"])
    return {
        "slug": row["slug"],
        "url": urls.of("api:publication-detail", row["slug"]),
        "html_url": urls.of("publication_detail", row["slug"]),
        "title": row["title"],
        "subtitle": text(row["subtitle"]),
        "abstract": text(to_text(row["abstract"])),
        "type": {
            "value": output_type,
            "label": str(TYPE_LABELS.get(output_type, output_type)),
            "category": CATEGORY_OF_TYPE.get(output_type, ""),
        },
        "peer_reviewed": row["peer_reviewed"],
        "language": {"code": row["language"], "name": LANGUAGE_NAMES.get(row["language"], "")},
        "status": {**choice(row["status"], STATUS_LABELS), "date": date},
        "status_history": [
            {
                **choice(entry["status"], STATUS_LABELS),
                "date": at_precision(entry["date"], entry["precision"]),
            }
            for entry in details["status_history"] or []
        ],
        "date": date,
        "year": row["year"],
        "journal": journal,
        "host_title": text(row["host_title"]),
        "volume": text(row["volume"]),
        "issue": text(row["issue"]),
        "pages": text(row["pages"]),
        "page_start": row["page_start"],
        "page_end": row["page_end"],
        "number_of_pages": row["number_of_pages"],
        "article_number": text(row["article_number"]),
        "edition": text(row["edition"]),
        "publisher": text(row["publisher"]),
        "place_of_publication": text(row["place_of_publication"]),
        "conference": conference,
        "identifiers": {
            "doi": text(row["doi"]),
            "pmid": text(row["pmid"]),
            "scopus_eid": text(row["scopus_eid"]),
            "isbn": text(row["isbn"]),
        },
        "open_access": {
            **choice(row["open_access"], OPEN_ACCESS_LABELS),
            "is_open": row["open_access"] in OPEN_ACCESS_STATES,
        },
        "keywords": details["keywords"] or [],
        "subject_areas": [subject_ref(s, urls) for s in details["subject_areas"] or []],
        "authors": [author(a, urls) for a in details["authors"] or []],
        "links": [
            {"url": link["url"], "label": text(link["label"])} for link in details["links"] or []
        ],
        "modified": row["modified"],
    }


def publications_of(urls: Urls, name: str, value: str | int) -> str:
    """The API's publication listing with one filter applied."""
    return f"{urls.api('publication-list')}?{name}={value}"


def person(row: dict, urls: Urls) -> dict:
    slug = row["slug"]
    return {
        "slug": slug,
        "url": urls.of("api:person-detail", slug),
        "html_url": urls.of("person_detail", slug),
        "given_name": text(row["given_name"]),
        "family_name": row["family_name"],
        "initials": text(row["initials"]),
        "orcid": text(row["orcid"]),
        "memberships": [
            {
                "organisation": organisation_ref(m, urls),
                "role": text(m["role"]),
                "start_date": m["start_date"],
                "end_date": m["end_date"],
            }
            for m in orjson.loads(row["memberships_json"]) or []
        ],
        "publication_count": row["publication_count"],
        "publications_url": publications_of(urls, "person", slug),
    }


def organisation(row: dict, counts: dict[int, int], urls: Urls) -> dict:
    slug = row["slug"]
    parent = None
    if row["parent__slug"]:
        parent = {
            "slug": row["parent__slug"],
            "name": row["parent__name"],
            "url": urls.of("api:organisation-detail", row["parent__slug"]),
        }
    return {
        "slug": slug,
        "url": urls.of("api:organisation-detail", slug),
        "html_url": urls.of("organisation_detail", slug),
        "name": row["name"],
        "kind": choice(row["kind"], KIND_LABELS),
        "ror": text(row["ror"]),
        "parent": parent,
        "publication_count": counts.get(row["pk"], 0),
        "publications_url": publications_of(urls, "organisation", slug),
    }


def journal(row: dict, urls: Urls) -> dict:
    slug = row["slug"]
    return {
        "slug": slug,
        "url": urls.of("api:journal-detail", slug),
        "html_url": urls.of("journal_detail", slug),
        "title": row["title"],
        "abbreviation": text(row["abbreviation"]),
        "issn": text(row["issn"]),
        "eissn": text(row["eissn"]),
        "publisher": text(row["publisher"]),
        "subject_areas": [
            subject_ref(s, urls) for s in orjson.loads(row["subject_areas_json"]) or []
        ],
        "publication_count": row["publication_count"],
        "publications_url": publications_of(urls, "journal", slug),
    }


def subject_area(row: dict, count: int, urls: Urls) -> dict:
    code = row["code"]
    return {
        "code": code,
        "url": urls.of("api:subject-area-detail", code),
        "html_url": urls.of("subject_area_detail", code),
        "name": row["name"],
        "display_name": row["display_name"],
        "group": choice(row["group"], GROUP_LABELS),
        "parent": row["parent__code"],
        "is_area": code % 100 == 0,
        "publication_count": count,
        "publications_url": publications_of(urls, "subject", code),
    }


def facet(facet: Facet, list_url: str) -> dict:
    """A facet of the listing (publications.facets) with API links: each option's `url` is the
    API's listing with that value applied, as the HTML facet's link is the listing's."""
    return {
        "label": facet.label,
        "has_more": facet.has_more,
        "approximate": facet.approximate,
        "options": [
            {
                "value": option.value,
                "label": option.label,
                "count": option.count,
                "selected": option.selected,
                "url": list_url + option.url,
            }
            for option in facet.options
        ],
    }
