"""load_demo_data(): writes build_demo() to the database, in one transaction.

Rows are found by natural keys (organisation slug, journal ISSN, person ORCID or slug, publication
DOI or slug) and only rewritten when they differ from the description, so a second run changes
nothing and keeps every id; it also restores demo records a librarian has edited. Publications go
in batches: a few queries per batch, whatever its size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from publications.demo.builder import build_demo
from publications.demo.specs import (
    DemoSummary,
    JournalSpec,
    OrganisationSpec,
    PersonSpec,
    PublicationSpec,
)
from publications.fingerprints.compute import rebuild_all as rebuild_fingerprints
from publications.models import (
    Authorship,
    Journal,
    Keyword,
    Membership,
    Organisation,
    Person,
    PersonNameVariant,
    Publication,
    PublicationConcept,
    PublicationKeyword,
    PublicationLink,
    PublicationStatusEntry,
    SubjectArea,
)

BATCH = 100  # publications written per round trip; progress is reported after each


def load_demo_data(*, progress: Callable[[int, int], None] | None = None) -> DemoSummary:
    """Writes the demo (see the module docstring); progress(done, total) is called after every
    batch of publications."""
    data = build_demo()
    area_ids = dict(SubjectArea.objects.values_list("code", "pk"))
    needed = {code for journal in data.journals for code in journal.codes}
    needed |= {code for spec in data.publications for code in spec.codes}
    if missing := needed - area_ids.keys():
        raise RuntimeError(
            f"ASJC subject areas {sorted(missing)} are missing: run `manage.py migrate` first."
        )
    created = updated = 0
    with transaction.atomic():
        organisation_ids = _load_organisations(data.organisations)
        ids = _Ids(
            organisations=organisation_ids,
            journals=_load_journals(data.journals, area_ids),
            persons=_load_persons(data.persons, organisation_ids),
            keywords=_load_keywords(term for spec in data.publications for term in spec.keywords),
            areas=area_ids,
        )
        total = len(data.publications)
        for start in range(0, total, BATCH):
            new, changed = _load_publication_batch(data.publications[start : start + BATCH], ids)
            created, updated = created + new, updated + changed
            if progress is not None:
                progress(min(start + BATCH, total), total)
        # Authors, keywords and journal titles into the search text, for all demo records at once.
        demo_slugs = [spec.slug for spec in data.publications]
        Publication.objects.filter(slug__in=demo_slugs).refresh_search_text()
        # Fingerprints of every record, person and organisation (deterministic, like the rest);
        # a reload that changed nothing leaves them, and the data version, alone.
        if created or updated or not PublicationConcept.objects.exists():
            rebuild_fingerprints()
    # Fresh statistics: plans made while autovacuum still believed the tables empty would be
    # nested loops over every row (seconds per page) until it catches up.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return DemoSummary(
        publications=len(data.publications),
        created=created,
        updated=updated,
        persons=len(data.persons),
        organisations=len(data.organisations),
        journals=len(data.journals),
    )


def _upsert(model: type[models.Model], lookup: dict, values: dict) -> models.Model:
    """update_or_create that validates (full_clean) and writes only when something differs."""
    instance = model._default_manager.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
    elif all(getattr(instance, name) == value for name, value in values.items()):
        return instance
    else:
        for name, value in values.items():
            setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


def _load_organisations(specs: Iterable[OrganisationSpec]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for spec in specs:  # parents come before their children
        organisation = _upsert(
            Organisation,
            {"slug": spec.slug},
            {
                "name": spec.name,
                "kind": spec.kind,
                "parent_id": ids[spec.parent] if spec.parent else None,
                "ror": spec.ror,
            },
        )
        ids[spec.slug] = organisation.pk
    return ids


def _load_journals(specs: Iterable[JournalSpec], area_ids: dict[int, int]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for spec in specs:
        journal = _upsert(
            Journal,
            {"issn": spec.issn},
            {
                "title": spec.title,
                "abbreviation": spec.abbreviation,
                "eissn": spec.eissn,
                "publisher": spec.publisher,
                "slug": spec.slug,
            },
        )
        journal.subject_areas.set([area_ids[code] for code in spec.codes])  # writes only changes
        ids[spec.issn] = journal.pk
    return ids


def _load_persons(specs: list[PersonSpec], organisation_ids: dict[str, int]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for spec in specs:
        lookup = {"orcid": spec.orcid} if spec.orcid else {"slug": spec.slug}
        values = {
            "given_name": spec.given_name,
            "family_name": spec.family_name,
            "initials": spec.initials,
            "is_internal": spec.is_internal,
            "slug": spec.slug,
            "orcid": spec.orcid,
        }
        values.pop(next(iter(lookup)))
        ids[spec.slug] = _upsert(Person, lookup, values).pk

    memberships: dict[int, set] = defaultdict(set)
    for row in Membership.objects.filter(person_id__in=ids.values()).values_list(
        "person_id", "organisation_id", "role", "start_date", "end_date"
    ):
        memberships[row[0]].add(row[1:])
    variants: dict[int, set] = defaultdict(set)
    for person_id, name in PersonNameVariant.objects.filter(person_id__in=ids.values()).values_list(
        "person_id", "name"
    ):
        variants[person_id].add(name)

    new_memberships, new_variants, stale_memberships, stale_variants = [], [], [], []
    for spec in specs:
        person_id = ids[spec.slug]
        wanted = {
            (organisation_ids[m.organisation], m.role, m.start, m.end) for m in spec.memberships
        }
        if wanted != memberships[person_id]:
            stale_memberships.append(person_id)
            new_memberships += [
                Membership(
                    person_id=person_id,
                    organisation_id=organisation_ids[m.organisation],
                    role=m.role,
                    start_date=m.start,
                    end_date=m.end,
                )
                for m in spec.memberships
            ]
        if set(spec.variants) != variants[person_id]:
            stale_variants.append(person_id)
            new_variants += [PersonNameVariant(person_id=person_id, name=v) for v in spec.variants]
    Membership.objects.filter(person_id__in=stale_memberships).delete()
    PersonNameVariant.objects.filter(person_id__in=stale_variants).delete()
    Membership.objects.bulk_create(new_memberships)
    PersonNameVariant.objects.bulk_create(new_variants)
    return ids


def _load_keywords(terms: Iterable[str]) -> dict[str, int]:
    """Keyword ids by lower-cased term; a term already there in another case is reused."""
    wanted = {}
    for term in terms:
        wanted.setdefault(term.lower(), term)
    ids = dict(
        Keyword.objects.annotate(lower=Lower("term"))
        .filter(lower__in=wanted)
        .values_list("lower", "pk")
    )
    missing = [Keyword(term=term) for lower, term in wanted.items() if lower not in ids]
    for keyword in Keyword.objects.bulk_create(missing):
        ids[keyword.term.lower()] = keyword.pk
    return ids


PUBLICATION_FIELDS = (
    "title",
    "subtitle",
    "abstract",
    "output_type",
    "peer_reviewed",
    "language",
    "journal_id",
    "volume",
    "issue",
    "pages",
    "page_start",
    "page_end",
    "number_of_pages",
    "article_number",
    "doi",
    "pmid",
    "scopus_eid",
    "isbn",
    "host_title",
    "edition",
    "publisher",
    "place_of_publication",
    "conference_name",
    "conference_location",
    "conference_start",
    "conference_end",
    "open_access",
    "status",
    "date",
    "date_precision",
    "workflow_state",
    "visibility",
    "slug",
)


@dataclass
class _Ids:
    organisations: dict[str, int]
    journals: dict[str, int]
    persons: dict[str, int]
    keywords: dict[str, int]
    areas: dict[int, int]


def _target(spec: PublicationSpec, ids: _Ids) -> Publication:
    """The publication as the spec describes it, with derived pages and status applied."""
    values = dict(spec.values)
    journal = values.pop("journal")
    publication = Publication(
        **values, slug=spec.slug, journal_id=ids.journals[journal.issn] if journal else None
    )
    publication.fill_derived_fields()
    publication.apply_status_history(
        [
            PublicationStatusEntry(status=s.status, date=s.date, date_precision=s.precision)
            for s in spec.statuses
        ]
    )
    return publication


def _load_publication_batch(specs: list[PublicationSpec], ids: _Ids) -> tuple[int, int]:
    """Writes one batch of publications and, where they differ, their authors, keywords,
    status history, subject areas and links. Returns (created, updated)."""
    targets = [_target(spec, ids) for spec in specs]
    existing = Publication.objects.filter(
        models.Q(slug__in=[t.slug for t in targets])
        | models.Q(doi__in=[t.doi for t in targets if t.doi])
    )
    by_doi = {p.doi: p for p in existing if p.doi}
    by_slug = {p.slug: p for p in existing}
    publications, to_create, to_update = [], [], []
    now = timezone.now()
    for target in targets:
        current = (target.doi and by_doi.get(target.doi)) or by_slug.get(target.slug)
        if current is None:
            to_create.append(target)
            publications.append(target)
            continue
        if any(getattr(current, name) != getattr(target, name) for name in PUBLICATION_FIELDS):
            for name in PUBLICATION_FIELDS:
                setattr(current, name, getattr(target, name))
            current.modified = now
            to_update.append(current)
        publications.append(current)
    Publication.objects.bulk_create(to_create)
    Publication.objects.bulk_update(to_update, [*PUBLICATION_FIELDS, "modified"])
    pub_ids = [p.pk for p in publications]

    affiliation = Authorship.affiliations.through
    area_link = Publication.subject_areas.through

    # What each publication has now, in a comparable form.
    have_authors: dict[int, list] = defaultdict(list)
    affiliations: dict[int, set[int]] = defaultdict(set)
    for authorship_id, organisation_id in affiliation.objects.filter(
        authorship__publication_id__in=pub_ids
    ).values_list("authorship_id", "organisation_id"):
        affiliations[authorship_id].add(organisation_id)
    for row in (
        Authorship.objects.filter(publication_id__in=pub_ids)
        .order_by("position")
        .values_list(
            "pk",
            "publication_id",
            "position",
            "person_id",
            "name_as_printed",
            "role",
            "corresponding",
        )
    ):
        have_authors[row[1]].append((*row[2:], frozenset(affiliations[row[0]])))
    have_keywords: dict[int, list] = defaultdict(list)
    for publication_id, keyword_id, position in (
        PublicationKeyword.objects.filter(publication_id__in=pub_ids)
        .order_by("position")
        .values_list("publication_id", "keyword_id", "position")
    ):
        have_keywords[publication_id].append((keyword_id, position))
    have_statuses: dict[int, set] = defaultdict(set)
    for publication_id, *status in PublicationStatusEntry.objects.filter(
        publication_id__in=pub_ids
    ).values_list("publication_id", "status", "date", "date_precision"):
        have_statuses[publication_id].add(tuple(status))
    have_areas: dict[int, set] = defaultdict(set)
    for publication_id, area_id in area_link.objects.filter(publication_id__in=pub_ids).values_list(
        "publication_id", "subjectarea_id"
    ):
        have_areas[publication_id].add(area_id)
    have_links: dict[int, list] = defaultdict(list)
    for publication_id, url, label in (
        PublicationLink.objects.filter(publication_id__in=pub_ids)
        .order_by("pk")
        .values_list("publication_id", "url", "label")
    ):
        have_links[publication_id].append((url, label))

    stale: dict[str, list[int]] = defaultdict(list)
    new_authors: list[tuple[Authorship, list[int]]] = []
    new_keywords, new_statuses, new_areas, new_links = [], [], [], []
    for spec, publication in zip(specs, publications, strict=True):
        pk = publication.pk
        authors = [
            (
                position,
                ids.persons[a.person],
                a.name_as_printed,
                a.role,
                a.corresponding,
                frozenset(ids.organisations[o] for o in a.affiliations),
            )
            for position, a in enumerate(spec.authors, start=1)
        ]
        if authors != have_authors[pk]:
            stale["authors"].append(pk)
            for position, person_id, name, role, corresponding, organisations in authors:
                authorship = Authorship(
                    publication_id=pk,
                    position=position,
                    person_id=person_id,
                    name_as_printed=name,
                    role=role,
                    corresponding=corresponding,
                )
                new_authors.append((authorship, sorted(organisations)))
        keywords = [
            (ids.keywords[term.lower()], n) for n, term in enumerate(spec.keywords, start=1)
        ]
        if keywords != have_keywords[pk]:
            stale["keywords"].append(pk)
            new_keywords += [
                PublicationKeyword(publication_id=pk, keyword_id=k, position=n) for k, n in keywords
            ]
        statuses = {(s.status, s.date, s.precision) for s in spec.statuses}
        if statuses != have_statuses[pk]:
            stale["statuses"].append(pk)
            new_statuses += [
                PublicationStatusEntry(
                    publication_id=pk, status=s.status, date=s.date, date_precision=s.precision
                )
                for s in spec.statuses
            ]
        areas = {ids.areas[code] for code in spec.codes}
        if areas != have_areas[pk]:
            stale["areas"].append(pk)
            new_areas += [area_link(publication_id=pk, subjectarea_id=a) for a in sorted(areas)]
        if spec.links != have_links[pk]:
            stale["links"].append(pk)
            new_links += [
                PublicationLink(publication_id=pk, url=u, label=lbl) for u, lbl in spec.links
            ]

    Authorship.objects.filter(publication_id__in=stale["authors"]).delete()
    PublicationKeyword.objects.filter(publication_id__in=stale["keywords"]).delete()
    PublicationStatusEntry.objects.filter(publication_id__in=stale["statuses"]).delete()
    area_link.objects.filter(publication_id__in=stale["areas"]).delete()
    PublicationLink.objects.filter(publication_id__in=stale["links"]).delete()

    Authorship.objects.bulk_create([authorship for authorship, _ in new_authors])
    affiliation.objects.bulk_create(
        [
            affiliation(authorship_id=authorship.pk, organisation_id=organisation_id)
            for authorship, organisations in new_authors
            for organisation_id in organisations
        ]
    )
    PublicationKeyword.objects.bulk_create(new_keywords)
    PublicationStatusEntry.objects.bulk_create(new_statuses)
    area_link.objects.bulk_create(new_areas)
    PublicationLink.objects.bulk_create(new_links)
    return len(to_create), len(to_update)
