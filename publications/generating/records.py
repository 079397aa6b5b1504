"""Drawing publications, a chunk at a time, with their authorships, affiliations, keywords,
subject areas and status history, as COPY rows against the entities drawn before them."""

from __future__ import annotations

import bisect
import datetime
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate

from publications.generating import vocabulary as words
from publications.generating.common import (
    AREA_WEIGHTS,
    NULL,
    Catalogue,
    Slugs,
    cap,
    copy_value,
    weighted,
    words_group,
)
from publications.generating.entities import (
    FIRST_VOLUME_YEAR,
    Journal,
    Journals,
    KeywordPool,
    Organisations,
    Persons,
)
from publications.models import (
    DatePrecision,
    OpenAccess,
    OutputType,
    PublicationStatus,
    Visibility,
    WorkflowState,
)

FIRST_YEAR, LAST_YEAR = 1960, 2026
CHUNK = 2000  # publications per batch handed to the database
PUBLICATION_COLUMNS = (
    "id", "title", "subtitle", "abstract", "output_type", "peer_reviewed", "language",
    "journal_id", "volume", "issue", "pages", "page_start", "page_end", "number_of_pages",
    "article_number", "host_title", "edition", "publisher", "place_of_publication",
    "conference_name", "conference_location", "conference_start", "conference_end", "doi",
    "pmid", "scopus_eid", "isbn", "open_access", "status", "date", "date_precision",
    "workflow_state", "visibility", "search_keywords", "search_names", "slug", "workflow_note",
    "source_ids", "created", "modified",
)  # fmt: skip

# The mix of a Pure portal: mostly journal articles.
# fmt: off
TYPE_WEIGHTS = (
    (OutputType.ARTICLE, 62), (OutputType.REVIEW_ARTICLE, 7), (OutputType.LETTER, 2),
    (OutputType.EDITORIAL, 2), (OutputType.COMMENT, 1), (OutputType.CONFERENCE_ARTICLE, 3),
    (OutputType.CHAPTER, 6), (OutputType.CONFERENCE_CONTRIBUTION_IN_PROCEEDINGS, 6),
    (OutputType.BOOK, 1.5), (OutputType.REPORT, 1.5), (OutputType.ANTHOLOGY, 0.5),
    (OutputType.CONFERENCE_PAPER, 2), (OutputType.CONFERENCE_POSTER, 1),
    (OutputType.CONFERENCE_ABSTRACT, 1.5), (OutputType.DOCTORAL_THESIS, 1.5),
    (OutputType.MASTERS_THESIS, 0.3), (OutputType.WORKING_PAPER, 1.7),
)
JOURNAL_TYPES = {
    OutputType.ARTICLE, OutputType.REVIEW_ARTICLE, OutputType.LETTER, OutputType.EDITORIAL,
    OutputType.COMMENT, OutputType.CONFERENCE_ARTICLE,
}
SHORT_TYPES = {OutputType.LETTER, OutputType.EDITORIAL, OutputType.COMMENT}
HOSTED_TYPES = {OutputType.CHAPTER, OutputType.CONFERENCE_CONTRIBUTION_IN_PROCEEDINGS}
BOOK_TYPES = {OutputType.BOOK, OutputType.REPORT, OutputType.ANTHOLOGY}
CONFERENCE_TYPES = {
    OutputType.CONFERENCE_ARTICLE, OutputType.CONFERENCE_CONTRIBUTION_IN_PROCEEDINGS,
    OutputType.CONFERENCE_PAPER, OutputType.CONFERENCE_POSTER, OutputType.CONFERENCE_ABSTRACT,
}
THESIS_TYPES = {OutputType.DOCTORAL_THESIS, OutputType.MASTERS_THESIS}
PEER_REVIEWED = {
    OutputType.ARTICLE: 0.97, OutputType.REVIEW_ARTICLE: 0.97, OutputType.CONFERENCE_ARTICLE: 0.9,
    OutputType.CHAPTER: 0.5, OutputType.CONFERENCE_CONTRIBUTION_IN_PROCEEDINGS: 0.8,
    OutputType.CONFERENCE_PAPER: 0.5,
}
# Share with a DOI by type: some 80% of all records have one.
DOI_SHARE = {
    **dict.fromkeys(JOURNAL_TYPES, 0.87), OutputType.LETTER: 0.7, OutputType.EDITORIAL: 0.6,
    OutputType.COMMENT: 0.6, OutputType.CHAPTER: 0.75,
    OutputType.CONFERENCE_CONTRIBUTION_IN_PROCEEDINGS: 0.8, OutputType.BOOK: 0.5,
    OutputType.REPORT: 0.4, OutputType.ANTHOLOGY: 0.5, OutputType.CONFERENCE_PAPER: 0.2,
    OutputType.CONFERENCE_POSTER: 0.05, OutputType.CONFERENCE_ABSTRACT: 0.1,
    OutputType.DOCTORAL_THESIS: 0.3, OutputType.MASTERS_THESIS: 0.05,
    OutputType.WORKING_PAPER: 0.3,
}
# English titles and abstracts whatever the language, as Scopus and PubMed give them.
LANGUAGES = (
    ("en", 90), ("de", 2.5), ("fr", 2), ("es", 1.5), ("nl", 1.5), ("it", 1), ("pt", 0.8),
    ("ja", 0.3), ("sv", 0.2), ("da", 0.2),
)
RECENT_STATUSES = (
    (PublicationStatus.PUBLISHED, 86), (PublicationStatus.EPUB, 5),
    (PublicationStatus.ACCEPTED, 4), (PublicationStatus.SUBMITTED, 2),
    (PublicationStatus.IN_PREPARATION, 1), (PublicationStatus.UNPUBLISHED, 2),
)
WORKFLOW = (
    (WorkflowState.VALIDATED, 93), (WorkflowState.FOR_VALIDATION, 4),
    (WorkflowState.IN_PROGRESS, 3),
)
VISIBILITY = ((Visibility.PUBLIC, 96), (Visibility.CAMPUS, 2.5), (Visibility.BACKEND, 1.5))
OPEN_ACCESS_OLD = ((OpenAccess.CLOSED, 55), (OpenAccess.UNKNOWN, 40), (OpenAccess.BRONZE, 5))
OPEN_ACCESS_NEW = (
    (OpenAccess.CLOSED, 35), (OpenAccess.UNKNOWN, 15), (OpenAccess.GOLD, 20),
    (OpenAccess.HYBRID, 8), (OpenAccess.BRONZE, 8), (OpenAccess.GREEN, 14),
)
# fmt: on
# Authors per publication: log-normal around a median of 5, and a few big collaborations
# (Pareto-sized from 100 up; some 20 in a million have 1,000 authors or more).
AUTHORS_MEDIAN, AUTHORS_SIGMA = 5, 0.6
COLLABORATION_SHARE, COLLABORATION_MIN, COLLABORATION_ALPHA = 0.0004, 100, 1.3
COLLABORATION_MAX = 3000
LEAST_WORDS, MOST_WORDS = 150, 300  # of an abstract


@dataclass
class Batch:
    """One chunk of publications and their rows in the other tables, as COPY text."""

    count: int
    publications: list[str] = field(default_factory=list)
    authorships: list[str] = field(default_factory=list)
    affiliations: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    subject_areas: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)


@dataclass
class Collection:
    """Everything a publication is drawn against."""

    catalogue: Catalogue
    organisations: Organisations
    journals: Journals
    persons: Persons
    keywords: dict[str, KeywordPool]
    dois: set[str]  # DOIs already taken under the generator's prefix
    slugs: Slugs
    timestamp: str  # created and modified of every row: when it was generated


def draw_year(rng: random.Random) -> int:
    """1960-2026, skewed to recent years: the output of a year grows by some 8% a year."""
    while True:
        year = LAST_YEAR - int(rng.expovariate(0.08))
        if year >= FIRST_YEAR:
            return year


def draw_date(rng: random.Random, year: int) -> tuple[datetime.date, str]:
    """A date at its precision (older records are more often known to the year only)."""
    chance = rng.random()
    old = year < 1990
    if chance < (0.45 if old else 0.1):
        return datetime.date(year, 1, 1), DatePrecision.YEAR
    month = rng.randint(1, 12)
    if chance < (0.7 if old else 0.4):
        return datetime.date(year, month, 1), DatePrecision.MONTH
    return datetime.date(year, month, rng.randint(1, 28)), DatePrecision.DAY


def author_count(rng: random.Random, output_type: str) -> int:
    """Theses have one author, books a few, letters and editorials one or two; the others a
    log-normal number, or a big collaboration's."""
    if output_type in THESIS_TYPES:
        return 1
    if output_type in BOOK_TYPES:
        return rng.randint(1, 4)
    if output_type in SHORT_TYPES:
        return max(1, round(rng.lognormvariate(math.log(2), 0.6)))
    if output_type in (OutputType.ARTICLE, OutputType.CONFERENCE_ARTICLE) and (
        rng.random() < COLLABORATION_SHARE
    ):
        size = COLLABORATION_MIN * rng.random() ** (-1 / COLLABORATION_ALPHA)
        return min(COLLABORATION_MAX, int(size))
    return max(1, round(rng.lognormvariate(math.log(AUTHORS_MEDIAN), AUTHORS_SIGMA)))


class PublicationDrawer:
    """Draws publications one chunk at a time, into id ranges load.py reserved for them (their
    sizes come from `plan()`)."""

    def __init__(self, seed: int, collection: Collection) -> None:
        self.seed = seed
        self.rng = random.Random(f"{seed}:publications")
        self.collection = collection
        self.vocabulary = words.vocabulary()
        self.types, self.type_cumulative = weighted(TYPE_WEIGHTS)
        self.languages, self.language_cumulative = weighted(LANGUAGES)
        self.statuses, self.status_cumulative = weighted(RECENT_STATUSES)
        self.workflows, self.workflow_cumulative = weighted(WORKFLOW)
        self.visibilities, self.visibility_cumulative = weighted(VISIBILITY)
        self.oa_old = weighted(OPEN_ACCESS_OLD)
        self.oa_new = weighted(OPEN_ACCESS_NEW)
        self.areas = [a for a in AREA_WEIGHTS if a in collection.catalogue.areas]
        self.area_cumulative = list(accumulate(AREA_WEIGHTS[a] for a in self.areas))

    def plan(self, count: int) -> list[tuple[str, int]]:
        """(output type, number of authors) of every publication, drawn first from a stream
        of their own, so the authorship ids can be reserved before the publications are drawn."""
        rng = random.Random(f"{self.seed}:plan")
        persons = len(self.collection.persons.printed)
        most = max(1, persons // 2)  # distinct authors must remain drawable
        plan = []
        for _ in range(count):
            output_type = rng.choices(self.types, cum_weights=self.type_cumulative)[0]
            plan.append((output_type, min(most, author_count(rng, output_type))))
        return plan

    def batches(
        self, plan: list[tuple[str, int]], first_id: int, first_authorship_id: int
    ) -> Iterator[Batch]:
        authorship_id = first_authorship_id
        for start in range(0, len(plan), CHUNK):
            batch = Batch(count=min(CHUNK, len(plan) - start))
            for offset, (output_type, authors) in enumerate(plan[start : start + CHUNK]):
                self.publication(
                    batch, first_id + start + offset, output_type, authors, authorship_id
                )
                authorship_id += authors
            yield batch

    # One publication

    def publication(
        self, batch: Batch, pk: int, output_type: str, author_total: int, authorship_id: int
    ) -> None:
        rng = self.rng
        collection = self.collection
        catalogue = collection.catalogue
        journal = None
        if output_type in JOURNAL_TYPES:
            journal = collection.journals.pick(rng)
            area = journal.area
            codes = journal.codes
        else:
            area = rng.choices(self.areas, cum_weights=self.area_cumulative)[0]
            codes = [rng.choice(catalogue.specific(area))]
        group = words_group(codes[0], rng)
        year = draw_year(rng)
        date, precision = draw_date(rng, year)
        status, entries = self.status(date, precision, year)
        title, subtitle, abstract = self.text(output_type, group, codes[0].name, year)
        authors = self.authors(area, author_total)
        keyword_ids, keyword_terms = self.keywords(group)

        # The rows of the other tables, as f-strings: these lines run some ten million times.
        persons = collection.persons
        first_person, printed, internal, unit = (
            persons.first_id,
            persons.printed,
            persons.internal,
            persons.unit,
        )
        role = "editor" if output_type == OutputType.ANTHOLOGY else "author"
        corresponding = rng.randrange(len(authors)) + 1 if rng.random() < 0.6 else 0
        names = []
        add_authorship, add_affiliation = batch.authorships.append, batch.affiliations.append
        for position, person in enumerate(authors, 1):
            names.append(persons.search[person])
            add_authorship(
                f"{authorship_id}\t{pk}\t{first_person + person}\t{position}\t"
                f"{printed[person]}\t{role}\t{'t' if position == corresponding else 'f'}\n"
            )
            if internal[person]:
                add_affiliation(f"{authorship_id}\t{unit[person]}\n")
            authorship_id += 1
        if journal is not None:
            names.append(journal.title)
        batch.keywords += [
            f"{pk}\t{keyword_id}\t{position}\n"
            for position, keyword_id in enumerate(keyword_ids, 1)
        ]
        batch.subject_areas += [f"{pk}\t{code.id}\n" for code in codes]
        batch.statuses += [
            f"{pk}\t{step}\t{day}\t{exactness}\n" for step, day, exactness in entries
        ]

        fields = self.venue(output_type, journal, year, date, area)
        doi = ""
        if rng.random() < DOI_SHARE[output_type]:
            # The id makes it unique across runs and seeds; 10.5555 resolves to nothing.
            doi = f"10.5555/gen.{year}.{pk}"
            if doi in collection.dois:
                doi = ""
        pmid = ""
        if journal is not None and group in ("life", "health") and rng.random() < 0.6:
            pmid = str(90_000_000 + pk)  # above any PubMed ID issued: never a real record's
        old = year < 2000
        oa_values, oa_cumulative = self.oa_old if old else self.oa_new
        batch.publications.append(
            "\t".join(
                (
                    str(pk),
                    title,
                    subtitle,
                    abstract,
                    output_type,
                    "t" if rng.random() < PEER_REVIEWED.get(output_type, 0) else "f",
                    rng.choices(self.languages, cum_weights=self.language_cumulative)[0],
                    str(journal.id) if journal else NULL,
                    *fields,
                    doi,
                    pmid,
                    "",
                    self.isbn(output_type),
                    rng.choices(oa_values, cum_weights=oa_cumulative)[0],
                    status,
                    date.isoformat(),
                    precision,
                    rng.choices(self.workflows, cum_weights=self.workflow_cumulative)[0],
                    rng.choices(self.visibilities, cum_weights=self.visibility_cumulative)[0],
                    " ".join(keyword_terms),
                    " ".join(names),
                    collection.slugs(title),
                    "",
                    "{}",
                    collection.timestamp,
                    collection.timestamp,
                )
            )
            + "\n"
        )

    def isbn(self, output_type: str) -> str:
        """An ISBN-13 with its check digit, for most books, chapters and theses."""
        rng = self.rng
        if output_type not in BOOK_TYPES | HOSTED_TYPES | THESIS_TYPES or rng.random() < 0.3:
            return ""
        digits = f"979{rng.randrange(10**9):09d}"
        check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10
        return f"{digits[:3]}-{digits[3:5]}-{digits[5:9]}-{digits[9:]}-{check}"

    def status(
        self, date: datetime.date, precision: str, year: int
    ) -> tuple[str, list[tuple[str, str, str]]]:
        """The current status and the lifecycle that led to it: the current status's date is
        the record's date, and each earlier step came before it."""
        rng = self.rng
        if year < LAST_YEAR - 2:
            status = (
                PublicationStatus.PUBLISHED
                if rng.random() < 0.97
                else PublicationStatus.UNPUBLISHED
            )
        else:
            status = rng.choices(self.statuses, cum_weights=self.status_cumulative)[0]
        entries = [(status, date.isoformat(), precision)]
        if year >= 2000 and status in (PublicationStatus.PUBLISHED, PublicationStatus.EPUB):
            earlier = date
            steps = []
            if status == PublicationStatus.PUBLISHED and rng.random() < 0.35:
                steps.append(PublicationStatus.EPUB)
            if rng.random() < 0.3:
                steps.append(PublicationStatus.ACCEPTED)
            for step in steps:
                earlier -= datetime.timedelta(days=rng.randint(20, 120))
                entries.append((step, earlier.isoformat(), DatePrecision.DAY))
        return status, entries

    def authors(self, area: int, total: int) -> list[int]:
        """`total` distinct persons: one internal (the institution's output has one at least),
        the others from the area's persons, or anyone's for a big collaboration or a small
        collection."""
        rng = self.rng
        persons = self.collection.persons
        pool = persons.pools.get(area)
        if pool is None or len(pool.members) < 4 * total:
            pool = persons.everyone
        internal = persons.internal_pools.get(area)
        if internal is None or len(internal.members) < 2:
            internal = persons.everyone_internal
        chosen: list[int] = []
        seen: set[int] = set()
        if internal.members:
            first = internal.pick(rng)
            chosen.append(first)
            seen.add(first)
        attempts = 0
        while len(chosen) < total and attempts < 50 * total:
            person = pool.pick(rng)
            attempts += 1
            if person not in seen:
                seen.add(person)
                chosen.append(person)
        if len(chosen) < total:  # a tiny collection: fill with anyone left
            chosen += [p for p in range(len(persons.printed)) if p not in seen][
                : total - len(chosen)
            ]
        if len(chosen) > 1 and internal.members:
            # The internal author is first, last or anywhere, as often as in real author lists.
            where = rng.random()
            position = (
                0 if where < 0.4 else len(chosen) - 1 if where < 0.7 else rng.randrange(len(chosen))
            )
            chosen[0], chosen[position] = chosen[position], chosen[0]
        return chosen

    def keywords(self, group: str) -> tuple[list[int], list[str]]:
        rng = self.rng
        pool = self.collection.keywords[group]
        if rng.random() < 0.2 or not pool.ids:
            return [], []
        wanted = min(len(pool.ids), rng.randint(3, 7))
        ids, terms, seen = [], [], set()
        total = pool.cumulative[-1]
        while len(ids) < wanted:
            index = bisect.bisect(pool.cumulative, rng.random() * total)
            index = min(index, len(pool.ids) - 1)
            if index not in seen:
                seen.add(index)
                ids.append(pool.ids[index])
                terms.append(pool.terms[index])
        return ids, terms

    # Title and abstract

    def text(
        self, output_type: str, group: str, field_name: str, year: int
    ) -> tuple[str, str, str]:
        rng = self.rng
        group_words = self.vocabulary.groups[group]
        topic, topic2, topic3 = rng.sample(group_words.topics, 3)
        method, method2 = rng.sample(group_words.methods, 2)
        start = max(FIRST_YEAR - 20, year - rng.randint(3, 15))
        end = max(start + 1, year - rng.randint(0, 2))
        slots = {
            "topic": topic,
            "topic2": topic2,
            "topic3": topic3,
            "method": method,
            "method2": method2,
            "setting": rng.choice(group_words.settings),
            "field": field_name.lower(),
            "unit": rng.choice(words.UNITS[group]),
            "n": f"{rng.randint(24, 4800):,}",
            "k": str(rng.randint(2, 9)),
            "pct": f"{rng.uniform(3, 85):.1f}",
            "period": f"{start} and {end}",
            "span": f"{start}-{end}",
            "change": rng.choice(words.CHANGES),
            "pval": rng.choice(("p < 0.001", "p = 0.002", "p = 0.03", "p < 0.01")),
            "stat": self.statistic(group),
        }
        for key in ("topic", "topic2", "topic3", "method", "field"):
            slots[key.capitalize()] = cap(slots[key])
        templates = words.TYPE_TITLE_TEMPLATES.get(output_type, words.TITLE_TEMPLATES)
        title = cap(rng.choice(templates).format_map(slots))[:1000]
        subtitle = ""
        if rng.random() < 0.08:
            subtitle = rng.choice(words.SUBTITLES).format_map(slots)
        if output_type in SHORT_TYPES and rng.random() < 0.7:
            return title, subtitle, ""
        return title, subtitle, self.abstract(group, slots)

    def statistic(self, group: str) -> str:
        """An effect size or a test result, as a results sentence quotes it; a confidence
        interval contains its estimate."""
        rng = self.rng
        template = rng.choice(words.STATS[group])
        d1, d2, d3 = rng.randint(1, 9), rng.randint(10, 99), rng.randint(10, 99)
        f1 = f"{rng.uniform(1.2, 9.5):.1f}"
        return template.format(d1=d1, d2=d2, d3=min(99, max(d3, d2 + 1)), f1=f1)

    def abstract(self, group: str, slots: dict[str, str]) -> str:
        """150-300 words: background, aim, methods, as many results as the length needs, and a
        conclusion; no sentence twice."""
        rng = self.rng
        extra = words.GROUP_SENTENCES.get(group, {})
        target = rng.randint(LEAST_WORDS, MOST_WORDS)
        sentences = rng.sample(words.BACKGROUND + extra.get("background", ()), rng.randint(1, 2))
        sentences.append(rng.choice(words.AIMS))
        sentences += rng.sample(words.METHODS + extra.get("methods", ()), rng.randint(2, 3))
        results = list(words.RESULTS + extra.get("results", ()))
        rng.shuffle(results)
        conclusions = rng.sample(words.CONCLUSIONS + extra.get("conclusions", ()), 2)
        text = [sentence.format_map(slots) for sentence in sentences]
        length = sum(sentence.count(" ") + 1 for sentence in text)
        closing = conclusions[0].format_map(slots)
        closing_length = closing.count(" ") + 1
        for template in results:
            if length + closing_length >= target:
                break
            sentence = template.format_map(slots)
            words_in_it = sentence.count(" ") + 1
            if length + words_in_it + closing_length <= MOST_WORDS:
                text.append(sentence)
                length += words_in_it
        text.append(closing)
        length += closing_length
        if length < LEAST_WORDS:
            text.append(conclusions[1].format_map(slots))
        return " ".join(text)

    # Where it appeared

    def venue(
        self, output_type: str, journal: Journal | None, year: int, date: datetime.date, area: int
    ) -> tuple[str, ...]:
        """volume, issue, pages, page_start, page_end, number_of_pages, article_number,
        host_title, edition, publisher, place_of_publication, conference_name,
        conference_location, conference_start, conference_end, as COPY text."""
        rng = self.rng
        volume = issue = pages = article_number = host = edition = publisher = place = ""
        page_start = page_end = number_of_pages = None
        conference = location = ""
        conference_start = conference_end = None
        area_name = self.collection.catalogue.area_names.get(area, "Science")
        if journal is not None:
            volume = str(year - FIRST_VOLUME_YEAR + journal.volume_offset)
            if rng.random() < 0.8:
                issue = str(rng.randint(1, 12))
                if rng.random() < 0.04:
                    issue = f"{issue}-{int(issue) + 1}"
            if rng.random() < 0.7:
                length = rng.randint(1, 4) if output_type in SHORT_TYPES else rng.randint(4, 24)
                page_start = rng.randint(1, 2500)
                page_end = page_start + length - 1
            else:
                article_number = (
                    f"e{rng.randint(10000, 99999)}"
                    if rng.random() < 0.5
                    else str(rng.randint(100000, 999999))
                )
                if rng.random() < 0.5:
                    number_of_pages = rng.randint(4, 20)
        elif output_type in HOSTED_TYPES:
            host = rng.choice(words.HOST_PATTERNS).format(X=area_name)
            publisher = rng.choice(words.PUBLISHERS)
            place = rng.choice(words.PUBLISHER_PLACES)
            page_start = rng.randint(1, 600)
            page_end = page_start + rng.randint(5, 30)
        elif output_type in BOOK_TYPES:
            publisher = rng.choice(words.PUBLISHERS)
            place = rng.choice(words.PUBLISHER_PLACES)
            number_of_pages = rng.randint(60, 620)
            if rng.random() < 0.2:
                edition = rng.choice(("2nd", "2nd", "3rd", "4th"))
        elif output_type in THESIS_TYPES or output_type == OutputType.WORKING_PAPER:
            publisher = self.collection.organisations.name
            number_of_pages = (
                rng.randint(30, 90)
                if output_type == OutputType.WORKING_PAPER
                else rng.randint(80, 360)
            )
        if output_type in CONFERENCE_TYPES:
            conference = rng.choice(words.CONFERENCE_PATTERNS).format(X=area_name)
            if rng.random() < 0.6:
                conference = f"{conference} {year}"
            location = rng.choice(words.CONFERENCE_PLACES)
            conference_start = date - datetime.timedelta(days=rng.randint(30, 240))
            conference_end = conference_start + datetime.timedelta(days=rng.randint(0, 4))
        if page_start is not None:
            pages = f"{page_start}-{page_end}" if page_end != page_start else str(page_start)
            if page_end == page_start:
                page_end = None
            number_of_pages = (page_end or page_start) - page_start + 1
        return tuple(
            copy_value(value)
            for value in (
                volume,
                issue,
                pages,
                page_start,
                page_end,
                number_of_pages,
                article_number,
                host,
                edition,
                publisher,
                place,
                conference,
                location,
                conference_start,
                conference_end,
            )
        )
