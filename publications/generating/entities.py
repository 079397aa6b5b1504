"""Drawing the collection's organisations, journals, persons and keyword pools: their COPY
rows, and what the publications are later drawn against (ids, Zipf pools, names)."""

from __future__ import annotations

import bisect
import datetime
import random
from dataclasses import dataclass, field
from itertools import accumulate

from publications.generating import vocabulary as words
from publications.generating.common import (
    AREA_WEIGHTS,
    Catalogue,
    Code,
    Slugs,
    cap,
    line,
    weighted,
    zipf_cumulative,
)
from publications.models import OrganisationKind, initials_of
from publications.validators import issn_check_digit, orcid_check_digit

INTERNAL_SHARE = 0.3
ORCID_SHARE = {True: 0.75, False: 0.25}  # internal, external
# Zipf–Mandelbrot weights 1/(rank + q): productivity of persons, popularity of journals and
# keywords; q keeps the head from swallowing the rest (at a million publications the most
# productive person has some 4,000 outputs, the median one about 5; the largest journal some
# 10,000 articles).
PERSON_Q, JOURNAL_Q, KEYWORD_Q = 200, 10, 3
INTERNAL_RANK_BIAS = 0.35  # internal persons tend to the top of the productivity ranking
FIRST_VOLUME_YEAR = 1960


# ---------------------------------------------------------------------------------------------
# Organisations


@dataclass
class Organisations:
    rows: list[str]
    root: int
    faculties: dict[int, int]  # two-digit area -> faculty id
    units: dict[int, list[int]]  # two-digit area -> ids of its departments and research groups
    name: str


def draw_organisations(
    rng: random.Random, catalogue: Catalogue, *, first_id: int, count: int, slugs: Slugs
) -> Organisations:
    """A university, a faculty per two-digit ASJC area and, below them, a department per ASJC
    code and research groups named after the area's keywords: `count` in three levels."""
    vocabulary = words.vocabulary()
    place = rng.choice(words.UNIVERSITY_PLACES)
    name = f"University of {place}"
    rows: list[str] = []
    ids = iter(range(first_id, first_id + count))

    def add(name: str, kind: str, parent: int | None, lineage: list[int]) -> int:
        pk = next(ids)
        rows.append(line(pk, name[:300], kind, parent, "", slugs(name), [*lineage, pk]))
        return pk

    root = add(name, OrganisationKind.UNIVERSITY, None, [])
    areas = [area for area in sorted(catalogue.areas) if area != 10][: max(0, count - 1)]
    faculties = {
        area: add(
            f"Faculty of {catalogue.area_names[area]}", OrganisationKind.FACULTY, root, [root]
        )
        for area in areas
    }
    units: dict[int, list[int]] = {area: [] for area in faculties}
    departments = [(area, code) for area in areas for code in catalogue.specific(area)]
    rng.shuffle(departments)
    room = count - 1 - len(faculties)
    for area, code in sorted(departments[:room], key=lambda item: item[1].code):
        parent = faculties[area]
        units[area].append(
            add(f"Department of {code.name}", OrganisationKind.DEPARTMENT, parent, [root, parent])
        )
    patterns = ("{T} Research Group", "Laboratory of {T}", "Centre for {T}", "{T} Unit")
    seen: set[str] = set()
    while len(rows) < count and areas:
        area = rng.choice(areas)
        group = catalogue.areas[area][0].group
        keywords = vocabulary.groups[group if group in words.GROUPS else "life"].keywords
        topic = " ".join(cap(word) for word in rng.choice(keywords).split())
        group_name = rng.choice(patterns).format(T=topic)
        if group_name in seen:
            continue
        seen.add(group_name)
        parent = faculties[area]
        units[area].append(add(group_name, OrganisationKind.RESEARCH_GROUP, parent, [root, parent]))
    return Organisations(rows=rows, root=root, faculties=faculties, units=units, name=name)


# ---------------------------------------------------------------------------------------------
# Journals


@dataclass
class Journal:
    id: int
    title: str
    area: int
    codes: list[Code]
    volume_offset: int  # volume = year - FIRST_VOLUME_YEAR + volume_offset
    publisher: str


@dataclass
class Journals:
    journals: list[Journal]
    cumulative: list[float]  # Zipf weights in the order of `journals`
    rows: list[str]
    area_rows: list[str]

    def pick(self, rng: random.Random) -> Journal:
        index = bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])
        return self.journals[min(index, len(self.journals) - 1)]


def random_issn(rng: random.Random, taken: set[str]) -> str:
    while True:
        seven = f"{rng.randrange(10**7):07d}"
        issn = f"{seven[:4]}-{seven[4:]}{issn_check_digit(seven)}"
        if issn not in taken:
            taken.add(issn)
            return issn


def abbreviate(title: str) -> str:
    """An ISO 4-like abbreviation: "Journal of Applied Immunology" -> "J Appl Immunology"."""
    kept = [
        w
        for w in title.replace(",", "").split()
        if w.lower() not in {"of", "and", "the", "&", "in", "on", "for"}
    ]
    return " ".join(words.ABBREVIATIONS.get(w.lower(), w) for w in kept)[:200]


def draw_journals(
    rng: random.Random,
    catalogue: Catalogue,
    *,
    first_id: int,
    count: int,
    slugs: Slugs,
    issns: set[str],
) -> Journals:
    area_list, area_cumulative = weighted(
        tuple((a, w) for a, w in AREA_WEIGHTS.items() if a in catalogue.areas)
    )
    journals: list[Journal] = []
    rows, area_rows = [], []
    titles: set[str] = set()
    for pk in range(first_id, first_id + count):
        area = rng.choices(area_list, cum_weights=area_cumulative)[0]
        specific = catalogue.specific(area)
        codes = rng.sample(specific, min(len(specific), rng.choice((1, 1, 2, 2, 3))))
        if rng.random() < 0.15 and catalogue.areas[area][-1] not in codes:
            codes.append(catalogue.areas[area][-1])  # the area's xx00 code
        for _ in range(20):  # a fresh title if one can be found
            template = rng.choice(words.JOURNAL_TEMPLATES)
            pair = rng.sample(specific, 2) if len(specific) > 1 else specific * 2
            title = template.format(X=pair[0].name, Y=pair[1].name)
            if title not in titles:
                break
        titles.add(title)
        kind = rng.random()
        issn = random_issn(rng, issns) if kind < 0.85 else ""
        eissn = random_issn(rng, issns) if kind > 0.05 else ""
        publisher = rng.choice(words.PUBLISHERS)
        journal = Journal(pk, title, area, codes, rng.randint(1, 60), publisher)
        journals.append(journal)
        rows.append(line(pk, title, abbreviate(title), issn, eissn, publisher, slugs(title)))
        area_rows += [line(pk, code.id) for code in codes]
    rng.shuffle(journals)  # the Zipf rank of each journal
    cumulative = zipf_cumulative(len(journals), JOURNAL_Q)
    return Journals(journals=journals, cumulative=cumulative, rows=rows, area_rows=area_rows)


# ---------------------------------------------------------------------------------------------
# Persons


@dataclass
class Pool:
    """Persons to draw authors from, best-ranked first, with their cumulative Zipf weights."""

    members: list[int] = field(default_factory=list)
    cumulative: list[float] = field(default_factory=list)

    def pick(self, rng: random.Random) -> int:
        index = bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])
        return self.members[min(index, len(self.members) - 1)]


@dataclass
class Persons:
    first_id: int
    printed: list[str]  # name as printed, "S. Ghezzi"
    search: list[str]  # printed, given and family name: what the search text holds per author
    internal: bytearray
    unit: list[int]  # the organisation an internal person's authorships are affiliated with
    pools: dict[int, Pool]  # two-digit area -> all its persons
    internal_pools: dict[int, Pool]
    everyone: Pool
    everyone_internal: Pool
    rows: list[str]
    membership_rows: list[str]


def random_orcid(rng: random.Random, taken: set[str]) -> str:
    """An ORCID iD in the 0000-0000-… block, which ORCID has never issued (it began at
    0000-0001-5000-0007), so no generated person points at a real researcher."""
    while True:
        digits = f"00000000{rng.randrange(10**7):07d}"
        orcid = digits + orcid_check_digit(digits)
        orcid = "-".join(orcid[i : i + 4] for i in range(0, 16, 4))
        if orcid not in taken:
            taken.add(orcid)
            return orcid


def draw_persons(
    rng: random.Random,
    catalogue: Catalogue,
    organisations: Organisations,
    *,
    first_id: int,
    count: int,
    slugs: Slugs,
    orcids: set[str],
) -> Persons:
    vocabulary = words.vocabulary()
    areas = [a for a in AREA_WEIGHTS if a in catalogue.areas]
    area_cumulative = list(accumulate(AREA_WEIGHTS[a] for a in areas))
    roles, role_cumulative = weighted(words.ROLES)
    printed, search, unit, person_area, keys = [], [], [], [], []
    internal = bytearray(count)
    rows, membership_rows = [], []
    for index in range(count):
        pk = first_id + index
        is_internal = rng.random() < INTERNAL_SHARE
        given = rng.choice(vocabulary.given_names)
        family = rng.choice(vocabulary.family_names)
        initials = initials_of(given)
        orcid = random_orcid(rng, orcids) if rng.random() < ORCID_SHARE[is_internal] else ""
        area = rng.choices(areas, cum_weights=area_cumulative)[0]
        name = f"{initials} {family}"
        printed.append(name)
        search.append(f"{name} {given} {family}")
        person_area.append(area)
        keys.append(rng.random() * (INTERNAL_RANK_BIAS if is_internal else 1.0))
        member_of = 0
        if is_internal:
            internal[index] = 1
            choices = organisations.units.get(area) or [
                organisations.faculties.get(area, organisations.root)
            ]
            member_of = rng.choice(choices)
            start = datetime.date(rng.randint(1975, 2025), rng.choice((1, 3, 9, 10)), 1)
            role = rng.choices(roles, cum_weights=role_cumulative)[0]
            if rng.random() < 0.2 and start.year > 1980:
                earlier = start.replace(year=start.year - rng.randint(3, 6))
                before = rng.choice(choices)
                membership_rows.append(
                    line(pk, before, "PhD student", earlier, start - datetime.timedelta(days=1))
                )
            membership_rows.append(line(pk, member_of, role, start, None))
        unit.append(member_of)
        slug = slugs(f"{given} {family}")
        rows.append(
            f"{pk}\t{given}\t{family}\t{initials}\t{orcid}\t{'t' if is_internal else 'f'}\t{slug}\n"
        )
    # The productivity ranking: Zipf weights by rank, internal persons drawn towards the top.
    order = sorted(range(count), key=keys.__getitem__)
    weight = [0.0] * count
    for rank, index in enumerate(order, 1):
        weight[index] = 1.0 / (rank + PERSON_Q)
    pools: dict[int, Pool] = {}
    internal_pools: dict[int, Pool] = {}
    everyone, everyone_internal = Pool(), Pool()
    for index in order:
        for pool in (pools.setdefault(person_area[index], Pool()), everyone):
            pool.members.append(index)
        if internal[index]:
            for pool in (internal_pools.setdefault(person_area[index], Pool()), everyone_internal):
                pool.members.append(index)
    for pool in [*pools.values(), *internal_pools.values(), everyone, everyone_internal]:
        pool.cumulative = list(accumulate(weight[i] for i in pool.members))
    return Persons(
        first_id=first_id,
        printed=printed,
        search=search,
        internal=internal,
        unit=unit,
        pools=pools,
        internal_pools=internal_pools,
        everyone=everyone,
        everyone_internal=everyone_internal,
        rows=rows,
        membership_rows=membership_rows,
    )


# ---------------------------------------------------------------------------------------------
# Keywords


@dataclass
class KeywordPool:
    ids: list[int]
    terms: list[str]
    cumulative: list[float]


def keyword_pools(rng: random.Random, ids: dict[str, tuple[int, str]]) -> dict[str, KeywordPool]:
    """Per group, its keywords in a seeded Zipf order; `ids` maps a lower-cased term to the
    (id, term as stored) of its Keyword row."""
    pools = {}
    for group, group_words in words.vocabulary().groups.items():
        terms = list(dict.fromkeys(term.lower() for term in group_words.keywords))
        rng.shuffle(terms)
        pools[group] = KeywordPool(
            ids=[ids[term][0] for term in terms],
            terms=[ids[term][1] for term in terms],
            cumulative=zipf_cumulative(len(terms), KEYWORD_Q),
        )
    return pools
