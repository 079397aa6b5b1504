"""What the drawing modules share: COPY text rows, weighted and Zipf draws, unique slugs and
the ASJC catalogue.

Rows are PostgreSQL COPY text: values joined by tabs, NULL as \\N. Words come from
vocabulary.py, checked there to hold no tab, newline or backslash, so nothing is escaped.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import accumulate

from publications.generating import vocabulary as words
from publications.models import slug_base

NULL = "\\N"

# Two-digit ASJC areas and their share of journals, persons and other outputs: medicine the
# largest, as in Scopus; 10 (Multidisciplinary) the smallest.
# fmt: off
AREA_WEIGHTS = {
    10: 0.3, 11: 5, 12: 5, 13: 7, 14: 3, 15: 1.5, 16: 3, 17: 5, 18: 1, 19: 3, 20: 2, 21: 1.5,
    22: 8, 23: 3, 24: 2, 25: 3, 26: 3, 27: 20, 28: 2, 29: 1.5, 30: 2, 31: 3, 32: 3, 33: 10,
    34: 0.5, 35: 0.5, 36: 1,
}
# fmt: on
def weighted(choices: tuple[tuple[str, float], ...]) -> tuple[list[str], list[float]]:
    """Values and cumulative weights, for random.choices(values, cum_weights=...)."""
    values = [value for value, _ in choices]
    return values, list(accumulate(weight for _, weight in choices))


def cap(text: str) -> str:
    """First letter capitalised, unless the word is a symbol such as "pH" or "mRNA"."""
    if len(text) > 1 and text[0].islower() and text[1].isupper():
        return text
    return text[:1].upper() + text[1:]


def copy_value(value) -> str:
    """A value in COPY text form (lists as PostgreSQL arrays of numbers)."""
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, list):
        return "{" + ",".join(str(item) for item in value) + "}"
    return str(value)


def line(*values) -> str:
    """One COPY text row."""
    return "\t".join(copy_value(value) for value in values) + "\n"


class Slugs:
    """Slugs unique among the rows already there (their hashes, to keep a million of them small)
    and each other: 'title', then 'title-2', 'title-3', … as models.unique_slugs() numbers them."""

    def __init__(self, taken: set[int]) -> None:
        self.taken = taken

    def __call__(self, text: str, max_length: int = 80) -> str:
        base = slug_base(text, max_length)
        slug, n = base, 2
        while hash(slug) in self.taken:
            suffix = f"-{n}"
            slug = base[: max_length - len(suffix)] + suffix
            n += 1
        self.taken.add(hash(slug))
        return slug


def zipf_cumulative(size: int, q: float) -> list[float]:
    """Cumulative Zipf–Mandelbrot weights 1/(rank + q) of ranks 1…size."""
    return list(accumulate(1.0 / (rank + q) for rank in range(1, size + 1)))


@dataclass
class Code:
    """An ASJC code a journal or a department can have."""

    id: int
    code: int
    name: str  # as a title reads it: "Immunology and Allergy"
    group: str  # life, health, physical, social or multidisciplinary


@dataclass
class Catalogue:
    """The ASJC codes by two-digit area (specific codes first, the xx00 one last)."""

    areas: dict[int, list[Code]]
    area_names: dict[int, str]

    @classmethod
    def from_rows(cls, rows: list[tuple[int, int, str, str]]) -> Catalogue:
        """From (id, code, name, group) of every SubjectArea."""
        areas: dict[int, list[Code]] = {}
        names = {}
        for pk, code, name, group in sorted(rows, key=lambda row: (row[1] % 100 == 0, row[1])):
            clean = name.removeprefix("General ").removesuffix(" (miscellaneous)").strip()
            areas.setdefault(code // 100, []).append(Code(pk, code, clean, group))
            if code % 100 == 0:
                names[code // 100] = clean
        return cls(
            areas={a: codes for a, codes in areas.items() if a in AREA_WEIGHTS}, area_names=names
        )

    def specific(self, area: int) -> list[Code]:
        """The area's own codes, without its xx00 code and its '(miscellaneous)' one."""
        codes = [c for c in self.areas[area] if c.code % 100 not in (0, 99)]
        return codes or self.areas[area]


def words_group(code: Code, rng: random.Random) -> str:
    """Multidisciplinary journals publish in any group's words."""
    return code.group if code.group in words.GROUPS else rng.choice(words.GROUPS)
