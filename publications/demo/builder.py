"""build_demo(): the whole demo as plain data, drawn from one seeded random.Random in a fixed
order, so the same seed always gives the same data. No database, no network."""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict
from collections.abc import Callable

from publications.demo.organisations import ORGANISATIONS
from publications.demo.people import draw_authors, draw_persons
from publications.demo.research_fields import FIELD_BY_KEY, FIELDS
from publications.demo.source import (
    SOURCE_ISSN,
    SOURCE_JOURNAL,
    SOURCE_PERSONS,
    SOURCE_SLUG,
    SOURCE_TITLE,
    source_record_spec,
)
from publications.demo.specs import (
    BLANK_DETAILS,
    DemoData,
    JournalSpec,
    PersonSpec,
    PublicationSpec,
    ResearchField,
    StatusSpec,
    demo_slug,
)
from publications.demo.text import draw_slots, draw_text, fill
from publications.demo.venues import draw_imprint_and_conference, draw_venue
from publications.demo.vocabulary import (
    BASE_TYPES,
    DOI_TYPES,
    SHORT_TYPES,
    SUBTITLES,
    THESIS_TYPES,
    UNREVIEWED_JOURNAL_TYPES,
)
from publications.models import (
    CATEGORY_OF_TYPE,
    JOURNAL,
    STATUS_ORDER,
    DatePrecision,
    OpenAccess,
    OutputType,
    PublicationStatus,
    Visibility,
    WorkflowState,
)
from publications.validators import issn_check_digit, orcid_check_digit

SEED = 1997
PUBLIC_COUNT = 520  # besides the source record
LATEST_DATE = datetime.date(2026, 9, 30)  # no demo record is dated later than this


def build_demo(seed: int = SEED) -> DemoData:
    """The whole demo as plain data: the same seed always gives the same data."""
    builder = _Builder(seed)
    journals = builder.journals()
    persons = builder.persons()
    publications = [source_record_spec(), *builder.publications(journals, persons)]
    unique_journals = list({j.issn: j for js in journals.values() for j in js}.values())
    return DemoData(list(ORGANISATIONS), unique_journals, persons, publications)


def valid_issn(seven_digits: str) -> str:
    return f"{seven_digits[:4]}-{seven_digits[4:]}{issn_check_digit(seven_digits)}"


def valid_orcid(fifteen_digits: str) -> str:
    full = fifteen_digits + orcid_check_digit(fifteen_digits)
    return "-".join(full[i : i + 4] for i in range(0, 16, 4))


def valid_isbn13(twelve_digits: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(twelve_digits))
    return twelve_digits + str((10 - total % 10) % 10)


class _Builder:
    """Draws the demo deterministically: every choice comes from one seeded Random, in order.

    The host publication, publisher, place, edition and conference of record n come from a Random
    of their own, seeded with the seed and n: the main sequence stays as it was before the demo
    had them, so every earlier record keeps its title, slug and DOI."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.issns: set[str] = {SOURCE_ISSN, SOURCE_JOURNAL.eissn}
        self.orcids: set[str] = set()
        self.isbns: set[str] = set()
        self.pmids: set[str] = set()
        self.titles: set[str] = {SOURCE_TITLE.lower()}
        self.slugs: set[str] = {SOURCE_SLUG}
        self.author_load: Counter[str] = Counter()
        self.journal_load: Counter[str] = Counter()

    # identifiers -------------------------------------------------------------------------

    def _unique(self, used: set[str], draw: Callable[[], str]) -> str:
        value = draw()
        while value in used:
            value = draw()
        used.add(value)
        return value

    def issn(self) -> str:
        return self._unique(self.issns, lambda: valid_issn(f"{self.rng.randrange(10**7):07d}"))

    def orcid(self) -> str:
        rng = self.rng
        return self._unique(
            self.orcids,
            lambda: valid_orcid(f"0000000{rng.choice('123')}{rng.randrange(10**7):07d}"),
        )

    def isbn(self) -> str:
        rng = self.rng
        return self._unique(
            self.isbns,
            lambda: valid_isbn13(f"978{rng.choice('0123589')}{rng.randrange(10**8):08d}"),
        )

    def pmid(self, year: int) -> str:
        # PubMed ids grow with time: about 8.5 million in 1995, about 40 million in 2025.
        base = 8_500_000 + (year - 1995) * 1_050_000
        return self._unique(self.pmids, lambda: str(base + self.rng.randrange(1_000_000)))

    # journals and persons ----------------------------------------------------------------

    def journals(self) -> dict[str, list[JournalSpec]]:
        by_field: dict[str, list[JournalSpec]] = {}
        for research_field in FIELDS:
            by_field[research_field.key] = [
                JournalSpec(
                    title=draft.title,
                    abbreviation=draft.abbreviation,
                    issn=self.issn(),
                    eissn=self.issn() if draft.eissn else "",
                    publisher=draft.publisher,
                    codes=draft.codes,
                    since=draft.since,
                    languages=draft.languages,
                )
                for draft in research_field.journals
            ]
        # The source record's journal takes more immunology and endocrinology papers, so its
        # page lists more than one.
        by_field["immunology"].append(SOURCE_JOURNAL)
        by_field["endocrinology"].append(SOURCE_JOURNAL)
        return by_field

    def persons(self) -> list[PersonSpec]:
        return draw_persons(self.rng, self.orcid)

    # publications ------------------------------------------------------------------------

    def publications(
        self, journals: dict[str, list[JournalSpec]], persons: list[PersonSpec]
    ) -> list[PublicationSpec]:
        rng = self.rng
        internal: dict[str, list[PersonSpec]] = defaultdict(list)
        external: dict[str, list[PersonSpec]] = defaultdict(list)
        source_persons = {person.slug for person in SOURCE_PERSONS}
        for person in persons:
            # The source record's authors are real people: no invented papers for them.
            if person.slug not in source_persons:
                (internal if person.is_internal else external)[person.field].append(person)
        plan = [(WorkflowState.VALIDATED, Visibility.PUBLIC)] * PUBLIC_COUNT
        plan += [(WorkflowState.IN_PROGRESS, Visibility.PUBLIC)] * 6
        plan += [(WorkflowState.FOR_VALIDATION, Visibility.PUBLIC)] * 6
        plan += [(WorkflowState.VALIDATED, Visibility.CAMPUS)] * 4
        plan += [(WorkflowState.VALIDATED, Visibility.BACKEND)] * 4
        # Two large collaborations, as every portal has: author lists of 30 and more.
        consortia = {137: ("physics", 41), 388: ("endocrinology", 33)}
        years = list(range(1995, LATEST_DATE.year + 1))
        year_weights = [1 + (year - 1995) * 0.12 for year in years]
        field_weights = [research_field.weight for research_field in FIELDS]
        specs = []
        for n, (state, visibility) in enumerate(plan):
            if n in consortia:
                research_field, author_count = FIELD_BY_KEY[consortia[n][0]], consortia[n][1]
            else:
                research_field, author_count = rng.choices(FIELDS, field_weights)[0], 0
            year = rng.choices(years, year_weights)[0]
            specs.append(
                self.publication(
                    n,
                    research_field,
                    year,
                    state,
                    visibility,
                    journals[research_field.key],
                    internal,
                    external,
                    author_count,
                )
            )
        return specs

    def publication(
        self,
        n: int,
        research_field: ResearchField,
        year: int,
        state: str,
        visibility: str,
        journals: list[JournalSpec],
        internal: dict[str, list[PersonSpec]],
        external: dict[str, list[PersonSpec]],
        author_count: int,
    ) -> PublicationSpec:
        rng = self.rng
        weights = dict(BASE_TYPES)
        for output_type, weight in research_field.types:
            weights[output_type] = weights.get(output_type, 0) + weight
        output_type = (
            OutputType.ARTICLE
            if author_count
            else rng.choices(list(weights), list(weights.values()))[0]
        )
        in_journal = CATEGORY_OF_TYPE[output_type] == JOURNAL
        languages, language_weights = zip(*research_field.languages, strict=True)
        language = rng.choices(languages, language_weights)[0]
        journal = None
        if in_journal:
            journal = self._journal(journals, year, language)
            if language not in journal.languages:
                language = "en"
        statuses = self._statuses(year, state, in_journal)
        published = max(statuses, key=lambda status: STATUS_ORDER[status.status])
        title, abstract = draw_text(rng, self.titles, research_field, output_type, language)
        slug = demo_slug(title)
        while slug in self.slugs:
            slug = demo_slug(f"{slug[:70]}-{n}")
        self.slugs.add(slug)
        values = {
            "title": title,
            "subtitle": "",
            "abstract": abstract,
            "output_type": output_type,
            "peer_reviewed": self._peer_reviewed(output_type),
            "language": language,
            "journal": journal,
            **BLANK_DETAILS,
            "open_access": self._open_access(year),
            "workflow_state": state,
            "visibility": visibility,
        }
        if language == "en" and output_type not in SHORT_TYPES and rng.random() < 0.08:
            values["subtitle"] = fill(rng.choice(SUBTITLES), draw_slots(rng, research_field))
        values.update(draw_venue(rng, self.isbn, output_type, journal, year))
        values.update(
            draw_imprint_and_conference(
                random.Random(f"{self.seed}:{n}"),
                research_field,
                output_type,
                language,
                published.date.year,  # the record's year: its conference met in it
                LATEST_DATE,
            )
        )
        registered = (
            in_journal
            or output_type in DOI_TYPES
            or (output_type in THESIS_TYPES and rng.random() < 0.4)
        )
        if (
            registered
            and published.status in {PublicationStatus.PUBLISHED, PublicationStatus.EPUB}
            and rng.random() < (0.6 if year < 2000 else 0.92)
        ):
            values["doi"] = f"10.5555/demo.{year}.{n + 1:05d}"
        if research_field.medical and in_journal and rng.random() < 0.6:
            values["pmid"] = self.pmid(year)
        if in_journal and rng.random() < 0.4:
            values["scopus_eid"] = f"2-s2.0-{84_000_000_000 + n * 7919 + year}"
        authors = draw_authors(
            rng,
            self.author_load,
            research_field,
            output_type,
            published.date,
            internal,
            external,
            author_count,
        )
        keywords = rng.sample(research_field.keywords, rng.randint(2, 6))
        codes = journal.codes if journal else research_field.codes
        links = []
        if values["open_access"] == OpenAccess.GREEN:
            links.append(
                (f"https://repository.example.org/demo/{slug}.pdf", "Author accepted manuscript")
            )
        return PublicationSpec(slug, values, authors, keywords, statuses, codes, links)

    def _journal(self, journals: list[JournalSpec], year: int, language: str) -> JournalSpec:
        """A journal running in that year, preferring one that takes the language and one that
        has had few demo papers so far (so every journal page has some)."""
        running = [journal for journal in journals if journal.since <= year] or journals
        speaking = [journal for journal in running if language in journal.languages] or running
        least = min(self.journal_load[journal.issn] for journal in speaking)
        candidates = [j for j in speaking if self.journal_load[j.issn] <= least + 3]
        journal = self.rng.choice(candidates)
        self.journal_load[journal.issn] += 1
        return journal

    def _peer_reviewed(self, output_type: str) -> bool:
        if CATEGORY_OF_TYPE[output_type] == JOURNAL:
            return output_type not in UNREVIEWED_JOURNAL_TYPES
        if output_type == OutputType.CONFERENCE_CONTRIBUTION_IN_PROCEEDINGS:
            return self.rng.random() < 0.8
        return output_type == OutputType.CHAPTER and self.rng.random() < 0.3

    def _open_access(self, year: int) -> str:
        rng = self.rng
        if year < 2005:
            return rng.choices(
                (OpenAccess.UNKNOWN, OpenAccess.CLOSED, OpenAccess.BRONZE), (4, 5, 1)
            )[0]
        return rng.choices(
            (
                OpenAccess.GOLD,
                OpenAccess.HYBRID,
                OpenAccess.GREEN,
                OpenAccess.BRONZE,
                OpenAccess.CLOSED,
                OpenAccess.UNKNOWN,
            ),
            (25, 10, 20, 5, 30, 10),
        )[0]

    def _statuses(self, year: int, state: str, in_journal: bool) -> list[StatusSpec]:
        """The lifecycle: mostly published (with the date at year, month or day precision),
        some with earlier submitted / accepted / e-pub steps; the newest not published yet."""
        rng = self.rng
        last_month = LATEST_DATE.month if year == LATEST_DATE.year else 12
        month, day = rng.randint(1, last_month), rng.randint(1, 28)
        precision = rng.choices(
            (DatePrecision.YEAR, DatePrecision.MONTH, DatePrecision.DAY),
            (5, 4, 2) if year < 2000 else (2, 4, 4),
        )[0]
        exact = datetime.date(year, month, day)
        if precision == DatePrecision.YEAR:
            shown = datetime.date(year, 1, 1)
        elif precision == DatePrecision.MONTH:
            shown = datetime.date(year, month, 1)
        else:
            shown = exact
        day_ = DatePrecision.DAY
        unfinished = state != WorkflowState.VALIDATED
        if unfinished and rng.random() < 0.6:
            # A record still being entered is often a manuscript under review.
            status = rng.choice((PublicationStatus.SUBMITTED, PublicationStatus.IN_PREPARATION))
            return [StatusSpec(status, exact, day_)]
        if exact > LATEST_DATE - datetime.timedelta(days=120) and in_journal:
            accepted = StatusSpec(
                PublicationStatus.ACCEPTED, exact - datetime.timedelta(days=30), day_
            )
            if rng.random() < 0.5:
                return [accepted, StatusSpec(PublicationStatus.EPUB, exact, day_)]
            return [
                StatusSpec(PublicationStatus.SUBMITTED, exact - datetime.timedelta(days=150), day_),
                accepted,
            ]
        statuses = [StatusSpec(PublicationStatus.PUBLISHED, shown, precision)]
        if in_journal and year >= 2003 and rng.random() < 0.45:
            epub = exact - datetime.timedelta(days=rng.randint(20, 90))
            statuses.insert(0, StatusSpec(PublicationStatus.EPUB, epub, day_))
            if rng.random() < 0.5:
                accepted = epub - datetime.timedelta(days=rng.randint(7, 40))
                submitted = accepted - datetime.timedelta(days=rng.randint(60, 300))
                statuses[:0] = [
                    StatusSpec(PublicationStatus.SUBMITTED, submitted, day_),
                    StatusSpec(PublicationStatus.ACCEPTED, accepted, day_),
                ]
        return statuses
