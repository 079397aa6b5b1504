"""The demo data behind `manage.py load_demo`: the source record of the Pure page the portal is
modelled on, and a deterministic collection of some 540 more publications with their persons,
organisations and journals, so that every page has something true to show.

`build_demo()` describes everything in plain Python (a seeded random.Random, no database, no
network); `load_demo_data()` writes it, and running it again changes nothing.

    specs.py            the dataclasses the demo is described in
    organisations.py    the institution's organisation tree and the outside organisations
    research_fields.py  each field's departments, journals, conferences and words
    vocabulary.py       output-type mix, title templates, names, publishers, conference cities
    source.py           the source record, as its page shows it
    text.py, people.py, venues.py
                        drawing titles and abstracts, persons and author lists, and where a
                        record appeared (journal issue, host book, publisher, conference)
    builder.py          build_demo(): the drawing, in a fixed order
    loader.py           load_demo_data(): the database writes
"""

from __future__ import annotations

from publications.demo.builder import SEED, build_demo
from publications.demo.loader import load_demo_data
from publications.demo.source import (
    SOURCE_ABSTRACT,
    SOURCE_SLUG,
    SOURCE_TITLE,
    source_publication,
)
from publications.demo.specs import DemoData, DemoSummary

__all__ = [
    "SEED",
    "SOURCE_ABSTRACT",
    "SOURCE_SLUG",
    "SOURCE_TITLE",
    "DemoData",
    "DemoSummary",
    "build_demo",
    "load_demo_data",
    "source_publication",
]
