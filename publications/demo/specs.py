"""What the demo holds, as plain data: the specs the builder draws and the loader writes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from publications.models import slug_base


def demo_slug(text: str, max_length: int = 80) -> str:
    """A demo record's slug (models.slug_base), worked out without asking the database."""
    return slug_base(text, max_length)


# The bibliographic details a record leaves empty unless its type gives them a value.
BLANK_DETAILS: dict = {
    "volume": "",
    "issue": "",
    "pages": "",
    "page_start": None,
    "page_end": None,
    "number_of_pages": None,
    "article_number": "",
    "doi": "",
    "pmid": "",
    "scopus_eid": "",
    "isbn": "",
    "host_title": "",
    "edition": "",
    "publisher": "",
    "place_of_publication": "",
    "conference_name": "",
    "conference_location": "",
    "conference_start": None,
    "conference_end": None,
}


@dataclass(frozen=True)
class OrganisationSpec:
    slug: str
    name: str
    kind: str
    parent: str | None = None  # slug
    ror: str = ""


@dataclass(frozen=True)
class JournalSpec:
    title: str
    abbreviation: str
    issn: str
    eissn: str
    publisher: str
    codes: tuple[int, ...]
    since: int  # first volume; volume numbers count from it
    languages: tuple[str, ...] = ("en",)

    @property
    def slug(self) -> str:
        return demo_slug(self.title)


@dataclass(frozen=True)
class MembershipSpec:
    organisation: str  # slug
    role: str
    start: datetime.date | None = None
    end: datetime.date | None = None


@dataclass
class PersonSpec:
    slug: str
    given_name: str
    family_name: str
    initials: str
    is_internal: bool
    field: str
    orcid: str = ""
    memberships: list[MembershipSpec] = field(default_factory=list)
    variants: list[str] = field(default_factory=list)

    @property
    def printed_name(self) -> str:
        return f"{self.initials} {self.family_name}".strip()

    @property
    def active_from(self) -> int:
        """The first year the person can plausibly publish."""
        starts = [m.start.year for m in self.memberships if m.start]
        return min(starts) - 2 if starts else 1900

    def organisation_on(self, date: datetime.date) -> str | None:
        """The organisation the person belonged to on that date, else their first one."""
        for membership in self.memberships:
            if (membership.start is None or membership.start <= date) and (
                membership.end is None or date <= membership.end
            ):
                return membership.organisation
        return self.memberships[0].organisation if self.memberships else None


@dataclass(frozen=True)
class AuthorSpec:
    person: str  # slug
    name_as_printed: str
    affiliations: tuple[str, ...] = ()  # organisation slugs
    role: str = "author"
    corresponding: bool = False


@dataclass(frozen=True)
class StatusSpec:
    status: str
    date: datetime.date
    precision: str


@dataclass
class PublicationSpec:
    slug: str
    values: dict  # Publication field values; "journal" is a JournalSpec or None
    authors: list[AuthorSpec]
    keywords: list[str]
    statuses: list[StatusSpec]
    codes: tuple[int, ...]
    links: list[tuple[str, str]] = field(default_factory=list)  # (url, label)


@dataclass
class DemoData:
    organisations: list[OrganisationSpec]
    journals: list[JournalSpec]
    persons: list[PersonSpec]
    publications: list[PublicationSpec]


@dataclass(frozen=True)
class DemoSummary:
    publications: int
    created: int
    updated: int
    persons: int
    organisations: int
    journals: int

    def __str__(self) -> str:
        return (
            f"Demo data: {self.publications} publications ({self.created} new, {self.updated} "
            f"updated), {self.persons} persons, {self.organisations} organisations, "
            f"{self.journals} journals."
        )


# ---------------------------------------------------------------------------------------------
# The shape of a research field's vocabulary (research_fields.py holds the fields themselves)


@dataclass(frozen=True)
class JournalDraft:
    """A journal before its ISSNs are drawn."""

    title: str
    abbreviation: str
    publisher: str
    codes: tuple[int, ...]
    since: int
    languages: tuple[str, ...] = ("en",)
    eissn: bool = True


@dataclass(frozen=True)
class ConferenceSeries:
    """A yearly conference: its meeting of a year is the `year - since + 1`th."""

    name: str
    acronym: str
    since: int
    publisher: str  # of its proceedings; a key of venues.PUBLISHER_PLACES


@dataclass(frozen=True)
class ResearchField:
    key: str
    weight: float
    department: str
    group: str | None
    codes: tuple[int, ...]  # for outputs outside a journal
    journals: tuple[JournalDraft, ...]
    discipline: str
    topics: tuple[str, ...]
    contexts: tuple[str, ...]
    agents: tuple[str, ...]
    methods: tuple[str, ...]
    keywords: tuple[str, ...]
    languages: tuple[tuple[str, int], ...] = (("en", 1),)
    medical: bool = False
    types: tuple[tuple[str, int], ...] = ()  # extra weights on top of BASE_TYPES
    conferences: tuple[ConferenceSeries, ...] = ()
