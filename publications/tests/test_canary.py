"""A draft never leaks: "canary" records in every non-public workflow state and visibility, with a
person, journal, organisations, keyword and subject area known only from them, must not show
through any public door (pages, listing, facets, suggestions, exports, feeds, sitemap, API,
OAI-PMH), and a record that was public disappears from all of them at once when it is withdrawn.

Each door is checked twice: no canary word, name, DOI, slug, ORCID iD or ISSN in what a visitor
gets; and what a visitor gets is exactly what the portal answers once the canaries are deleted
(same status, same bytes), so no count, facet, figure, suggestion or ordering is moved by them.
A canary's own addresses are therefore 404s, answered as for an address that never existed
(a 403 would tell that something is there).

The doors are listed by URL name (DOORS), and a test fails when a public URL pattern has none.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote_plus

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from publications.fingerprints.compute import rebuild_all, refresh
from publications.models import (
    Authorship,
    Journal,
    Keyword,
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    Publication,
    PublicationKeyword,
    PublicationSlug,
    PublicationTombstone,
    SubjectArea,
    Visibility,
    WorkflowState,
)
from publications.pagecache import cacheable
from publications.sitemaps import SITEMAPS
from publications.tests.factories import (
    JournalFactory,
    OrganisationFactory,
    PersonFactory,
    PublicationFactory,
)

CANARY = "xylocanary"
CANARY_ORCID = "0000-0002-1825-0097"
CANARY_ISSN = "2049-3630"  # a valid ISSN, check digit 0
CANARY_KEYWORD = "Xylocanary sensing"
CANARY_CODE = 1105  # Ecology, Evolution, Behavior and Systematics: used by the canaries alone
PUBLIC_CODE = 2403  # Immunology: the public record's
# Everything of the canaries a visitor could see, lower-cased: words, names, DOIs, slugs,
# identifiers. The person's and organisations' names contain the canary word.
NEEDLES = (CANARY, "quorvex", "zephyrine", CANARY_ORCID, CANARY_ISSN, CANARY_ISSN.replace("-", ""))
NON_PUBLIC = [
    (state, visibility)
    for state in WorkflowState.values
    for visibility in Visibility.values
    if (state, visibility) != (WorkflowState.VALIDATED, Visibility.PUBLIC)
]
PERSON_SLUG = "zephyrine-xylocanaryova"
JOURNAL_SLUG = "annals-of-xylocanary-research"
LAB_SLUG = "xylocanary-laboratory"
INSTITUTE_SLUG = "xylocanary-institute"
ACCEPTS = (
    "application/x-bibtex",
    "application/x-research-info-systems",
    "application/vnd.citationstyles.csl+json",
    "application/ld+json",
    "text/x-bibliography",
)
OAI_FORMATS = ("oai_dc", "oai_openaire", "mods")


@dataclass
class World:
    """The public collection, and what the canaries are called."""

    person: Person
    organisation: Organisation
    journal: Journal
    record: Publication
    canary_slugs: list[str] = field(default_factory=list)
    canary_ids: list[int] = field(default_factory=list)


def public_world() -> World:
    """A public record that shares nothing with the canaries: its own journal, keyword and
    subject area. Its author and her department also appear on the canaries, so that their
    counts, co-authors and journals are checked too."""
    university = OrganisationFactory(name="University of Example", kind="university")
    department = OrganisationFactory(name="Department of Immunology", parent=university)
    person = PersonFactory(given_name="Alice", family_name="Public")
    Membership.objects.create(person=person, organisation=department)
    outsider = PersonFactory(given_name="Bob", family_name="Elsewhere", is_internal=False)
    journal = JournalFactory(title="Journal of Open Findings")
    journal.subject_areas.set([SubjectArea.objects.get(code=PUBLIC_CODE)])
    record = PublicationFactory(
        title="Open findings on immunology",
        abstract="<p>Antibodies and their public results.</p>",
        journal=journal,
        doi="10.1000/open.1",
        date=datetime.date(2020, 1, 1),
    )
    for position, author in enumerate([person, outsider], start=1):
        authorship = Authorship.objects.create(
            publication=record, person=author, position=position, name_as_printed=str(author)
        )
        authorship.affiliations.set([department])
    PublicationKeyword.objects.create(
        publication=record, keyword=Keyword.objects.create(term="Immunology"), position=1
    )
    record.subject_areas.set([SubjectArea.objects.get(code=PUBLIC_CODE)])
    Publication.objects.filter(pk=record.pk).refresh_search_text()
    rebuild_all()  # fingerprints: concepts, similar publications and profiles
    return World(person=person, organisation=department, journal=journal, record=record)


def canary_entities(world: World) -> dict:
    """An outside author, a journal, two outside organisations (a partner's laboratory and an
    institute), a keyword: known from the canaries alone. (The institution's own people and
    units are shown whatever their output: they are known from it, not from records.)"""
    lab = OrganisationFactory(
        name="Xylocanary Laboratory", slug=LAB_SLUG, kind=OrganisationKind.EXTERNAL
    )
    institute = OrganisationFactory(
        name="Xylocanary Institute", slug=INSTITUTE_SLUG, kind=OrganisationKind.EXTERNAL
    )
    journal = JournalFactory(title="Annals of Xylocanary Research", issn=CANARY_ISSN)
    journal.slug = JOURNAL_SLUG
    journal.save()
    journal.subject_areas.set([SubjectArea.objects.get(code=CANARY_CODE)])
    person = PersonFactory(  # an outside author: the institution's own people are always shown
        given_name="Zephyrine",
        family_name="Xylocanaryova",
        orcid=CANARY_ORCID,
        slug=PERSON_SLUG,
        is_internal=False,
    )
    keyword = Keyword.objects.create(term=CANARY_KEYWORD)
    return {"lab": lab, "institute": institute, "journal": journal, "person": person, "kw": keyword}


def canary_record(world: World, entities: dict, number: int, state: str, visibility: str):
    """A record full of the canary word, by the canary person (and the public person)."""
    slug = f"{CANARY}-{number}"
    record = PublicationFactory(
        title=f"Xylocanary quorvex findings {number}",
        subtitle="On xylocanary",
        abstract=f"<p>The xylocanary number {number} sings only in drafts.</p>",
        journal=entities["journal"],
        doi=f"10.5555/{CANARY}.{number}",
        pmid=f"99{number}7",
        slug=slug,
        date=datetime.date(2021, 1, 1),
        workflow_state=state,
        visibility=visibility,
    )
    PublicationSlug.objects.create(publication=record, slug=f"{CANARY}-old-{number}")
    first = Authorship.objects.create(
        publication=record,
        person=entities["person"],
        position=1,
        name_as_printed="Z. Xylocanaryova",
    )
    first.affiliations.set([entities["lab"], entities["institute"], world.organisation])
    second = Authorship.objects.create(
        publication=record, person=world.person, position=2, name_as_printed="A. Public"
    )
    second.affiliations.set([world.organisation])
    PublicationKeyword.objects.create(publication=record, keyword=entities["kw"], position=1)
    PublicationKeyword.objects.create(
        publication=record, keyword=Keyword.objects.get(term="Immunology"), position=2
    )
    record.subject_areas.set(SubjectArea.objects.filter(code__in=[CANARY_CODE, PUBLIC_CODE]))
    Publication.objects.filter(pk=record.pk).refresh_search_text()
    return record


def delete_canaries() -> None:
    """The collection as it would be had the canaries never been entered."""
    Publication.objects.filter(slug__startswith=CANARY).delete()
    Person.objects.filter(slug=PERSON_SLUG).delete()
    Journal.objects.filter(slug=JOURNAL_SLUG).delete()
    Organisation.objects.filter(slug__in=[LAB_SLUG, INSTITUTE_SLUG]).delete()
    Keyword.objects.filter(term=CANARY_KEYWORD).delete()


# The doors


@dataclass(frozen=True)
class Door:
    url: str
    accept: str = ""


def record_doors(slug: str) -> list[Door]:
    base = f"/publications/{slug}/"
    return [Door(base), *(Door(base, accept) for accept in ACCEPTS)]


def listing_queries(world: World) -> list[str]:
    """The listing's query strings: searches that would find or suggest a canary, filters on
    every canary entity, every facet in full, and the public person's and unit's scopes."""
    return [
        "",
        f"q={CANARY}",
        "q=xylocanari",  # a typo: "Did you mean" must not offer a canary's name or keyword
        "q=xylocanaryva",
        f"q=10.5555/{CANARY}.1",
        f"q=https://doi.org/10.5555/{CANARY}.1",
        f"person={PERSON_SLUG}",
        f"journal={JOURNAL_SLUG}",
        f"organisation={LAB_SLUG}",
        f"organisation={INSTITUTE_SLUG}",
        f"keyword={CANARY_KEYWORD}",
        f"subject={CANARY_CODE}",
        f"subject={CANARY_CODE // 100 * 100}",
        f"concept={CANARY}",
        f"person={world.person.slug}",
        f"organisation={world.organisation.slug}",
        "year_from=2021&year_to=2021",
        *(f"more={name}" for name in ("person", "journal", "organisation", "keyword", "subject")),
        *(f"more={name}" for name in ("concept", "year", "type", "status")),
    ]


def listing_doors(world: World) -> list[Door]:
    return [Door(f"/publications/?{query}") for query in listing_queries(world)] + [
        Door(f"/publications/?{query}&format=atom") for query in listing_queries(world)[:13]
    ]


def export_doors(world: World) -> list[Door]:
    return [
        Door(f"/publications/export.{extension}?{query}")
        for extension in ("bib", "ris", "json", "csv")
        for query in ("", f"q={CANARY}", f"person={PERSON_SLUG}", f"journal={JOURNAL_SLUG}")
    ]


def entity_doors(kind: str, public_slug: str, canary_slugs: list[str]) -> list[Door]:
    return [Door(f"/{kind}/{slug}/") for slug in [public_slug, *canary_slugs]]


def oai(verb: str, **arguments: str) -> Door:
    query = "&".join(f"{name}={value}" for name, value in arguments.items())
    return Door(f"/oai?verb={verb}" + (f"&{query}" if query else ""))


def oai_doors(world: World) -> list[Door]:
    doors = [oai("Identify"), oai("ListSets"), oai("ListMetadataFormats")]
    sets = [
        f"organisation:{LAB_SLUG}",
        f"organisation:{INSTITUTE_SLUG}",
        f"organisation:{world.organisation.slug}",
        f"subject:{CANARY_CODE // 100 * 100}:{CANARY_CODE}",
        f"subject:{PUBLIC_CODE // 100 * 100}:{PUBLIC_CODE}",
    ]
    for prefix in OAI_FORMATS:
        doors += [oai("ListRecords", metadataPrefix=prefix)]
        doors += [oai("ListIdentifiers", metadataPrefix=prefix)]
        doors += [oai("ListRecords", metadataPrefix=prefix, set=spec) for spec in sets]
        doors += [
            oai("GetRecord", metadataPrefix=prefix, identifier=identifier(pk))
            for pk in [world.record.pk, *world.canary_ids]
        ]
    doors += [
        oai("ListMetadataFormats", identifier=identifier(pk))
        for pk in [world.record.pk, *world.canary_ids]
    ]
    return doors


def identifier(pk: int) -> str:
    return f"oai:testserver:publications/{pk}"


def api_publication_doors(world: World) -> list[Door]:
    queries = [q for q in listing_queries(world) if not q.startswith("more=")]
    return [Door(f"/api/v1/publications/?{query}&facets=all") for query in queries] + [
        Door(f"/api/v1/publications/?facets=all&more={name}")
        for name in ("person", "journal", "organisation", "keyword", "subject", "concept")
    ]


def api_detail_doors(world: World) -> list[Door]:
    slugs = [world.record.slug, *world.canary_slugs]
    slugs += [f"{CANARY}-old-{number}" for number in range(len(NON_PUBLIC))]
    return [Door(f"/api/v1/publications/{slug}/") for slug in slugs]


DOORS: dict[str, Callable[[World], list[Door]]] = {
    "robots_txt": lambda w: [Door("/robots.txt")],
    "sitemap": lambda w: [Door("/sitemap.xml")],
    "sitemap_section": lambda w: [Door(f"/sitemap-{section}.xml") for section in SITEMAPS],
    "feed_publications": lambda w: [Door("/feeds/publications/")],
    "feed_person": lambda w: entity_doors("feeds/persons", w.person.slug, [PERSON_SLUG]),
    "feed_organisation": lambda w: entity_doors(
        "feeds/organisations", w.organisation.slug, [LAB_SLUG, INSTITUTE_SLUG]
    ),
    "feed_journal": lambda w: entity_doors("feeds/journals", w.journal.slug, [JOURNAL_SLUG]),
    "home": lambda w: [Door("/")],
    "publication_list": listing_doors,
    "listing_export": export_doors,
    "publication_detail": lambda w: [
        door
        for slug in [w.record.slug, *w.canary_slugs]
        + [f"{CANARY}-old-{number}" for number in range(len(NON_PUBLIC))]
        for door in record_doors(slug)
    ],
    "publication_cite": lambda w: [
        Door(f"/publications/{slug}/cite/{query}")
        for slug in [w.record.slug, *w.canary_slugs]
        for query in ("", "?style=apa")
    ],
    "publication_fingerprint": lambda w: [
        Door(f"/publications/{slug}/fingerprint/") for slug in [w.record.slug, *w.canary_slugs]
    ],
    "publication_export": lambda w: [
        Door(f"/publications/{slug}/export.{extension}")
        for slug in [w.record.slug, *w.canary_slugs]
        for extension in ("bib", "ris", "json")
    ],
    "person_list": lambda w: [
        Door(f"/persons/{query}")
        for query in (
            "",
            f"?q={CANARY}",
            "?q=xylocanaryva",
            "?q=zephyrine",
            "?letter=X",
            "?letter=Z",
            f"?organisation={LAB_SLUG}",
            f"?organisation={w.organisation.slug}",
        )
    ],
    "person_detail": lambda w: entity_doors("persons", w.person.slug, [PERSON_SLUG]),
    "organisation_list": lambda w: [Door("/organisations/")],
    "organisation_detail": lambda w: (
        entity_doors("organisations", w.organisation.slug, [LAB_SLUG, INSTITUTE_SLUG])
        + [Door(f"/organisations/{w.organisation.parent.slug}/")]
    ),
    "journal_list": lambda w: [
        Door(f"/journals/{query}")
        for query in ("", f"?q={CANARY}", f"?q={CANARY_ISSN}", "?q=annals")
    ],
    "journal_detail": lambda w: entity_doors("journals", w.journal.slug, [JOURNAL_SLUG]),
    "subject_area_list": lambda w: [Door("/subject-areas/")],
    "subject_area_detail": lambda w: [
        Door(f"/subject-areas/{code}/")
        for code in (CANARY_CODE, CANARY_CODE // 100 * 100, PUBLIC_CODE)
    ],
    "oai": oai_doors,
    "api:root": lambda w: [Door("/api/v1/")],
    "api:schema": lambda w: [],  # the OpenAPI description holds no data
    "api:docs": lambda w: [],
    "api:publication-list": api_publication_doors,
    "api:publication-detail": api_detail_doors,
    "api:person-list": lambda w: [Door("/api/v1/persons/")],
    "api:person-detail": lambda w: entity_doors("api/v1/persons", w.person.slug, [PERSON_SLUG]),
    "api:organisation-list": lambda w: [Door("/api/v1/organisations/")],
    "api:organisation-detail": lambda w: entity_doors(
        "api/v1/organisations", w.organisation.slug, [LAB_SLUG, INSTITUTE_SLUG]
    ),
    "api:journal-list": lambda w: [Door("/api/v1/journals/")],
    "api:journal-detail": lambda w: entity_doors("api/v1/journals", w.journal.slug, [JOURNAL_SLUG]),
    "api:subject-area-list": lambda w: [
        Door("/api/v1/subject-areas/"),
        Door("/api/v1/subject-areas/?per_page=100"),
    ],
    "api:subject-area-detail": lambda w: [
        Door(f"/api/v1/subject-areas/{code}/")
        for code in (CANARY_CODE, CANARY_CODE // 100 * 100, PUBLIC_CODE)
    ],
}


def public_url_names() -> set[str]:
    """The names of every URL pattern a visitor can reach (everything but the admin)."""
    names: set[str] = set()

    def walk(patterns, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("admin/"):
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(namespace + pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


# Visiting them


VOLATILE = [
    re.compile(rb"<responseDate>[^<]*</responseDate>"),
    re.compile(rb"<updated>[^<]*</updated>"),  # an empty feed's is the time of the request
    re.compile(rb"cursor=[^\"&<>;]*"),  # the API's cursors are signed with a timestamp
    re.compile(rb"<resumptionToken[^>]*>[^<]*</resumptionToken>"),
]


DELETED_HEADER = re.compile(rb'<header status="deleted">.*?</header>')


def normalised(content: bytes) -> bytes:
    for pattern in VOLATILE:
        content = pattern.sub(b"", content)
    return content


def visit(client, door: Door) -> tuple[int, str, bytes]:
    headers = {"HTTP_ACCEPT": door.accept} if door.accept else {}
    response = client.get(door.url, **headers)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, response.get("Content-Type", ""), normalised(content)


def doors_of(world: World) -> list[Door]:
    return [door for build in DOORS.values() for door in build(world)]


def visit_all(client, world: World) -> dict[Door, tuple[int, str, bytes]]:
    answers = {door: visit(client, door) for door in doors_of(world)}
    # A door that fails, or refuses to answer, would hide a leak.
    assert [door.url for door, answer in answers.items() if answer[0] in (429, 500)] == []
    return answers


def leaks(answers: dict[Door, tuple[int, str, bytes]], world: World) -> dict[Door, list[str]]:
    """The doors whose answer names a canary, with what it names (an OAI identifier too)."""
    found = {}
    for door, (_, _, content) in answers.items():
        text = content.decode("utf-8", "replace").lower()
        # What the visitor typed is echoed (a search box, a filter chip, a feed's link).
        typed = unquote_plus(door.url).lower()
        named = [needle for needle in NEEDLES if needle in text and needle not in typed]
        named += [f"id {pk}" for pk in world.canary_ids if f"publications/{pk}<" in text]
        if named:
            found[door] = named
    return found


def described(found: dict[Door, list[str]]) -> list[str]:
    return sorted(
        f"{door.url} [{door.accept or 'html'}]: {', '.join(named)}" for door, named in found.items()
    )


def differences(before: dict, after: dict) -> list[str]:
    """The doors that answer differently (status, type or bytes), with the first lines that
    differ."""
    found = []
    for door in before:
        if before[door] != after[door]:
            lines = [
                line[:160]
                for line in difflib.unified_diff(
                    *(pieces(answer[2]) for answer in (before[door], after[door])), n=0, lineterm=""
                )
                if line[:1] in "+-" and line[:3] not in ("+++", "---")
            ]
            change = f"{before[door][0]} → {after[door][0]}"
            found.append(f"{door.url} [{door.accept or 'html'}]: {change} {lines[:6]}")
    return found


def pieces(content: bytes) -> list[str]:
    return re.split(r"(?<=[>,])", content.decode("utf-8", "replace"))


@pytest.fixture(autouse=True)
def unthrottled(settings):
    """Every door is visited several times a test: the API's rate limit would answer 429."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None},
    }


@pytest.fixture
def world(db) -> World:
    world = public_world()
    entities = canary_entities(world)
    for number, (state, visibility) in enumerate(NON_PUBLIC):
        record = canary_record(world, entities, number, state, visibility)
        world.canary_slugs.append(record.slug)
        world.canary_ids.append(record.pk)
    rebuild_all()  # fingerprints: concepts, similar publications and profiles
    return world


# The tests


def test_every_public_url_pattern_has_its_canary_doors():
    assert set(DOORS) == public_url_names()


def test_the_canaries_cover_every_non_public_state(world):
    states = set(
        Publication.objects.filter(slug__startswith=CANARY).values_list(
            "workflow_state", "visibility"
        )
    )
    assert states == set(NON_PUBLIC)
    assert not Publication.objects.public().filter(slug__startswith=CANARY).exists()


def test_no_canary_shows_through_any_public_door(visitor, world):
    with_canaries = visit_all(visitor, world)
    assert described(leaks(with_canaries, world)) == []
    for door, (status, _, _) in with_canaries.items():
        if door.url.startswith(tuple(f"/publications/{slug}/" for slug in world.canary_slugs)):
            assert status == 404, door
    delete_canaries()
    assert not PublicationTombstone.objects.exists()  # never public: nothing to withdraw
    without_canaries = visit_all(visitor, world)
    assert differences(with_canaries, without_canaries) == []


def test_the_doors_would_show_a_public_canary(visitor, world):
    """The test can fail: made public, a canary shows through the doors that list records."""
    Publication.objects.filter(slug=world.canary_slugs[0]).update(
        workflow_state=WorkflowState.VALIDATED, visibility=Visibility.PUBLIC
    )
    found = {door.url for door in leaks(visit_all(visitor, world), world)}
    for url in (
        "/",
        "/journals/",
        f"/publications/?q={CANARY}",
        f"/publications/{world.canary_slugs[0]}/",
        f"/publications/export.csv?q={CANARY}",
        "/feeds/publications/",
        "/sitemap-publications.xml",
        "/sitemap-journals.xml",
        "/api/v1/publications/?&facets=all",
        "/oai?verb=ListRecords&metadataPrefix=mods",
        f"/persons/{world.person.slug}/",
        f"/journals/{JOURNAL_SLUG}/",
        f"/organisations/{LAB_SLUG}/",
        f"/subject-areas/{CANARY_CODE}/",
    ):
        assert url in found, url


def test_a_withdrawn_record_leaves_every_door_at_once(visitor, staff_user):
    """Pages kept in the cache (by data version) and cached figures follow a withdrawal: the
    doors answer as if the record had never been public."""
    world = public_world()
    world.canary_slugs = [f"{CANARY}-0"]
    never = visit_all(visitor, world)
    entities = canary_entities(world)
    record = canary_record(world, entities, 0, WorkflowState.VALIDATED, Visibility.PUBLIC)
    refresh([record.pk])  # its fingerprint, and its authors' and units', as an edit does
    while_public = visit_all(visitor, world)  # and kept in the page cache
    assert {
        Door(f"/publications/{record.slug}/"),
        Door("/publications/?"),
        Door(f"/persons/{world.person.slug}/"),
        Door(f"/organisations/{world.organisation.slug}/"),
        Door("/"),
    } <= set(leaks(while_public, world))

    # Withdrawn as a librarian does it: the admin's workflow action.
    admin = Client()
    admin.force_login(staff_user)
    response = admin.post(
        "/admin/publications/publication/",
        {
            "action": "return_to_entry_in_progress",
            "_selected_action": [record.pk],
            "reason": "The affiliations need checking.",
            "post": "yes",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.workflow_state == WorkflowState.IN_PROGRESS

    withdrawn = visit_all(visitor, world)
    # A harvester is told of the withdrawal in the sets the record was in (the canary unit's
    # among them): that names nothing it did not harvest while the record was public.
    seen_elsewhere = {
        door: (status, kind, DELETED_HEADER.sub(b"", content))
        for door, (status, kind, content) in withdrawn.items()
    }
    assert described(leaks(seen_elsewhere, world)) == []
    differing = {door: answer for door, answer in withdrawn.items() if never[door] != answer}
    # OAI-PMH tells harvesters that the record is gone (a deleted header), and nothing else.
    deleted = f'<header status="deleted"><identifier>{identifier(record.pk)}</identifier>'
    for door, (_, _, content) in differing.items():
        assert door.url.startswith("/oai?verb=List"), door
        assert deleted.encode() in content, door
    get_record = visit(
        visitor, oai("GetRecord", metadataPrefix="mods", identifier=identifier(record.pk))
    )
    assert deleted.encode() in get_record[2] and b"<metadata>" not in get_record[2]


def test_librarians_still_preview_drafts(librarian, world):
    for slug in world.canary_slugs:
        response = librarian.get(f"/publications/{slug}/")
        assert response.status_code == 200
        assert b"Xylocanary quorvex findings" in response.content
        assert not cacheable(response.wsgi_request)  # a preview is never kept for visitors
    assert librarian.get(f"/publications/{world.canary_slugs[0]}/export.bib").status_code == 200
    old = librarian.get(f"/publications/{CANARY}-old-0/")
    assert (old.status_code, old["Location"]) == (301, f"/publications/{world.canary_slugs[0]}/")
