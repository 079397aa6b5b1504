"""Where a record appeared: volume, issue and pages in a journal; pages and ISBN of a book; and the
host publication, publisher, place, edition and conference, as Pure records them for each kind of
output."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from publications.demo.organisations import INSTITUTION
from publications.demo.specs import ConferenceSeries, JournalSpec, ResearchField
from publications.demo.text import draw_slots, fill
from publications.demo.vocabulary import (
    BOOK_PUBLISHERS,
    BOOK_TYPES,
    CONFERENCE_LOCATIONS,
    CONFERENCE_MONTHS,
    CONFERENCE_TYPES,
    EDITION_SHARES,
    EDITIONS,
    FOREIGN_HOST_TITLES,
    FOREIGN_VOCABULARY,
    HOST_TITLES,
    PUBLISHER_PLACES,
    THESIS_TYPES,
)
from publications.models import OutputType

IN_HOST_TYPES = {OutputType.CHAPTER, OutputType.CONFERENCE_CONTRIBUTION_IN_PROCEEDINGS}


def draw_venue(
    rng: random.Random,
    isbn: Callable[[], str],
    output_type: str,
    journal: JournalSpec | None,
    year: int,
) -> dict:
    """Volume, issue and pages or article number in a journal; pages and ISBN of a book."""
    if journal is not None:
        values = {"volume": str(year - journal.since + 1)}
        kind = rng.choices(("single", "double", "supplement"), (20, 2, 1))[0]
        first = rng.randint(1, 11)
        values["issue"] = {
            "single": str(first),
            "double": f"{first}-{first + 1}",  # as printed: "1-2"
            "supplement": "Suppl 1",
        }[kind]
        if output_type == OutputType.ARTICLE and year >= 2008 and rng.random() < 0.35:
            values["article_number"] = rng.choice(
                (f"e{rng.randint(10000, 99999)}", str(rng.randint(100000, 999999)))
            )
            values["number_of_pages"] = rng.randint(6, 22)
            return values
        length = {
            OutputType.REVIEW_ARTICLE: (10, 30),
            OutputType.LETTER: (1, 2),
            OutputType.EDITORIAL: (1, 3),
            OutputType.COMMENT: (2, 4),
        }.get(output_type, (5, 18))
        start, pages = rng.randint(1, 1800), rng.randint(*length)
        if pages == 1:
            values.update(pages=str(start), number_of_pages=1)
        else:
            values["pages"] = f"{start}-{start + pages - 1}"
        return values
    if output_type in BOOK_TYPES or output_type in THESIS_TYPES:
        values = {"number_of_pages": rng.randint(120, 480)}
        if output_type not in THESIS_TYPES or rng.random() < 0.4:
            values["isbn"] = isbn()
        return values
    if output_type in IN_HOST_TYPES:
        start = rng.randint(1, 400)
        return {"pages": f"{start}-{start + rng.randint(8, 30)}", "isbn": isbn()}
    if output_type == OutputType.WORKING_PAPER:
        return {"number_of_pages": rng.randint(20, 60)}
    return {}


def draw_imprint_and_conference(
    rng: random.Random,
    research_field: ResearchField,
    output_type: str,
    language: str,
    year: int,
    latest: datetime.date,
) -> dict:
    """Host title, publisher, place and edition of what has them, and the conference of what
    was presented at one (in the publication's year, never after latest). Chapters are in edited
    volumes; proceedings are their conference's; books and anthologies have a publisher and
    sometimes a later edition; reports are mostly the institution's, as are theses."""
    values: dict = {}
    if output_type in CONFERENCE_TYPES:
        series = rng.choice(research_field.conferences)
        values |= conference_meeting(series, year, latest)
        if output_type == OutputType.CONFERENCE_CONTRIBUTION_IN_PROCEEDINGS:
            values["host_title"] = f"Proceedings of the {values['conference_name']}"
            values |= _imprint(series.publisher)
    elif output_type == OutputType.CHAPTER:
        values["host_title"] = _host_title(rng, research_field, language)
        # The volume's publisher follows from its title: chapters in one volume share it.
        volume = random.Random(values["host_title"])
        values |= _imprint(volume.choice(BOOK_PUBLISHERS[language]))
    elif output_type in BOOK_TYPES:
        own = output_type == OutputType.REPORT and rng.random() < 0.7
        values |= _imprint(INSTITUTION if own else rng.choice(BOOK_PUBLISHERS[language]))
        if rng.random() < EDITION_SHARES[output_type]:
            editions, weights = zip(*EDITIONS, strict=True)
            values["edition"] = rng.choices(editions, weights)[0]
    elif output_type in THESIS_TYPES:
        values |= _imprint(INSTITUTION)
    return values


def conference_meeting(series: ConferenceSeries, year: int, latest: datetime.date) -> dict:
    """The series' meeting of that year: drawn from the series and the year alone, so every record
    presented there names the same meeting, place and dates. It lasts two to five days within
    the year, and is over by latest."""
    rng = random.Random(f"{series.acronym} {year}")
    months, weights = zip(
        *((m, w) for m, w in CONFERENCE_MONTHS if year < latest.year or m < latest.month),
        strict=True,
    )
    start = datetime.date(year, rng.choices(months, weights)[0], rng.randint(1, 28))
    return {
        "conference_name": f"{ordinal(year - series.since + 1)} {series.name} "
        f"({series.acronym} {year})",
        "conference_location": rng.choice(CONFERENCE_LOCATIONS),
        "conference_start": start,
        "conference_end": start + datetime.timedelta(days=rng.randint(1, 4)),
    }


def ordinal(n: int) -> str:
    """1 -> '1st', 12 -> '12th', 22 -> '22nd'."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _imprint(publisher: str) -> dict:
    return {"publisher": publisher, "place_of_publication": PUBLISHER_PLACES[publisher]}


def _host_title(rng: random.Random, research_field: ResearchField, language: str) -> str:
    """The title of an edited volume, in the chapter's language."""
    if language == "en":
        return fill(rng.choice(HOST_TITLES), draw_slots(rng, research_field))
    vocabulary = FOREIGN_VOCABULARY[language]
    slots = {"place": rng.choice(vocabulary["places"]), "period": rng.choice(vocabulary["periods"])}
    return fill(rng.choice(FOREIGN_HOST_TITLES[language]), slots)
