"""The demo's people: the institution's researchers and their outside co-authors, and the ordered
author list of each publication."""

from __future__ import annotations

import datetime
import random
import unicodedata
from collections import Counter
from collections.abc import Callable

from publications.demo.organisations import EXTERNAL_ORGANISATIONS
from publications.demo.research_fields import FIELDS
from publications.demo.source import SOURCE_PERSONS
from publications.demo.specs import AuthorSpec, MembershipSpec, PersonSpec, ResearchField, demo_slug
from publications.demo.vocabulary import (
    BOOK_TYPES,
    EXTERNAL_COUNT,
    FAMILY_NAMES,
    GIVEN_NAMES,
    INTERNAL_PER_FIELD,
    ROLES,
    SENIOR_ROLES,
    SHORT_TYPES,
    THESIS_TYPES,
)
from publications.models import OutputType, initials_of


def draw_persons(rng: random.Random, orcid: Callable[[], str]) -> list[PersonSpec]:
    """The source record's authors, then each field's internal persons (one per career role, with
    an earlier post for some), then the external ones; orcid() draws an unused ORCID iD."""
    persons = list(SOURCE_PERSONS)
    slugs = {person.slug for person in persons}
    family_names = rng.sample(FAMILY_NAMES, len(FAMILY_NAMES))
    for research_field in FIELDS:
        unit = research_field.group or research_field.department
        for role, first, last in ROLES[: INTERNAL_PER_FIELD[research_field.key]]:
            given, family = rng.choice(GIVEN_NAMES), family_names.pop()
            start = datetime.date(rng.randint(first, last), rng.choice((1, 3, 9, 10)), 1)
            organisation = research_field.department if role in SENIOR_ROLES else unit
            memberships = [MembershipSpec(organisation, role, start)]
            if role == "Professor" or (role != "PhD student" and rng.random() < 0.3):
                earlier = "Associate Professor" if role == "Professor" else "PhD student"
                earlier_start = start.replace(year=start.year - rng.randint(4, 8))
                memberships.append(
                    MembershipSpec(
                        research_field.department,
                        earlier,
                        earlier_start,
                        start - datetime.timedelta(days=1),
                    )
                )
            persons.append(
                _person(rng, orcid, given, family, True, research_field.key, memberships, slugs)
            )
    for n in range(EXTERNAL_COUNT):
        family = family_names.pop()
        given = rng.choice(GIVEN_NAMES) if rng.random() < 0.5 else ""
        memberships = []
        if rng.random() < 0.5:
            memberships.append(MembershipSpec(rng.choice(EXTERNAL_ORGANISATIONS), "Researcher"))
        research_field = FIELDS[n % len(FIELDS)].key
        persons.append(
            _person(rng, orcid, given, family, False, research_field, memberships, slugs)
        )
    return persons


def _person(
    rng: random.Random,
    orcid: Callable[[], str],
    given: str,
    family: str,
    internal: bool,
    research_field: str,
    memberships: list[MembershipSpec],
    slugs: set[str],
) -> PersonSpec:
    initials = (
        initials_of(given)
        if given
        else "".join(
            f"{letter}." for letter in rng.sample("ABCDEFGHJKLMNPRSTVW", rng.choice((1, 1, 2)))
        )
    )
    slug = demo_slug(f"{given or initials} {family}")
    while slug in slugs:  # two persons may share a name, never a slug
        slug = demo_slug(f"{slug}-{len(slugs)}")
    slugs.add(slug)
    person_orcid = orcid() if internal or rng.random() < 0.4 else ""
    variants = []
    if internal and rng.random() < 0.4:
        variants = [f"{family}, {initials}", f"{family} {initials.replace('.', '')}"]
        folded = unicodedata.normalize("NFKD", family).encode("ascii", "ignore").decode()
        if folded != family:
            variants.append(f"{folded}, {initials}")  # "Muller, T." for "Müller"
    return PersonSpec(
        slug=slug,
        given_name=given,
        family_name=family,
        initials=initials,
        is_internal=internal,
        field=research_field,
        orcid=person_orcid,
        memberships=memberships,
        variants=variants,
    )


def draw_authors(
    rng: random.Random,
    author_load: Counter[str],
    research_field: ResearchField,
    output_type: str,
    date: datetime.date,
    internal: dict[str, list[PersonSpec]],
    external: dict[str, list[PersonSpec]],
    author_count: int,
) -> list[AuthorSpec]:
    """An ordered author list with at least one internal person: usually an internal lead
    author (the least published so far in author_load, so every profile fills), co-authors from
    the field and outside, and often a senior internal last author."""
    colleagues = [p for p in internal[research_field.key] if p.active_from <= date.year]
    colleagues = colleagues or internal[research_field.key]
    outsiders = external[research_field.key]
    if output_type in THESIS_TYPES:
        count = 1
    elif author_count:
        count = author_count
    elif output_type in BOOK_TYPES:
        count = rng.choice((1, 1, 2, 3))
    elif output_type in SHORT_TYPES:
        count = rng.randint(1, 5)
    else:
        count = rng.choices(range(1, 13), (8, 12, 15, 15, 13, 10, 8, 6, 4, 3, 3, 3))[0]
    least = min(author_load[p.slug] for p in colleagues)
    lead = rng.choice([p for p in colleagues if author_load[p.slug] == least])
    chosen = [lead]
    others = [p for p in colleagues if p is not lead]
    rng.shuffle(others)
    if count > 2 and others and rng.random() < 0.6:
        seniors = [p for p in others if p.memberships[0].role in SENIOR_ROLES] or others
        last = rng.choice(seniors)
        others.remove(last)
    else:
        last = None
    pool = others[:3] + rng.sample(outsiders, min(len(outsiders), 4))
    if count > len(pool) + len(chosen) + (last is not None):
        everyone = [p for people in (*internal.values(), *external.values()) for p in people]
        pool += rng.sample(
            [p for p in everyone if p not in pool and p not in chosen and p is not last], count
        )
    rng.shuffle(pool)
    middle_count = count - 1 - (last is not None)
    chosen += pool[: max(middle_count, 0)]
    if last is not None and count > 1:
        chosen.append(last)
    if rng.random() < 0.2 and len(chosen) > 1 and chosen[0].is_internal and not author_count:
        # Sometimes an outside colleague leads and ours follows.
        chosen[0], chosen[1] = chosen[1], chosen[0]
    corresponding = None
    if rng.random() < 0.6:
        corresponding = chosen[-1] if last is not None and rng.random() < 0.5 else chosen[0]
    role = "editor" if output_type == OutputType.ANTHOLOGY else "author"
    authors = []
    for person in chosen:
        author_load[person.slug] += 1
        organisation = person.organisation_on(date)
        authors.append(
            AuthorSpec(
                person=person.slug,
                name_as_printed=person.printed_name,
                affiliations=(organisation,) if organisation else (),
                role=role,
                corresponding=person is corresponding,
            )
        )
    return authors
