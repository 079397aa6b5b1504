"""Charts drawn on the server: inline SVG that works without JavaScript, with its figures in a
table beside it for readers who cannot see it."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django import template

register = template.Library()

# Geometry in SVG user units; the SVG scales down with its container (CSS max-width: 100%).
SLOT = 24  # horizontal room per year
BAR_WIDTH = 16
LEFT, RIGHT, TOP, BOTTOM = 34, 8, 18, 30  # room for the axis labels
PLOT_HEIGHT = 120
MIN_WIDTH = 260
# Beyond this many years (a stray year 1066 in the data, say) only the years with output are
# drawn, so the chart stays readable.
MAX_FILLED_SPAN = 100
# Counts are written above the bars while they fit.
MAX_LABELLED_BARS = 30
MAX_YEAR_LABELS = 8
# Wider charts are scaled down the most on a phone; the stylesheet enlarges their labels there.
LONG_WIDTH = 480


def number(value: float) -> str:
    """An SVG coordinate, short and with a decimal point whatever the locale."""
    return f"{value:.1f}".removesuffix(".0")


@dataclass(frozen=True)
class Bar:
    year: int
    count: int
    x: float
    y: float
    height: float
    url: str
    show_year: bool
    description: str

    @property
    def geometry(self) -> dict[str, str]:
        """The bar's coordinates as SVG attribute values; label_y is where its count goes."""
        return {
            "x": number(self.x),
            "y": number(self.y),
            "height": number(self.height),
            "centre": number(self.x + BAR_WIDTH / 2),
            "label_y": number(self.y - 4),
        }


def nice_ceiling(value: int) -> int:
    """The axis top: 1, 2 or 5 times a power of ten, at least the value (7 → 10, 23 → 50)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5):
        if step * power >= value:
            return step * power
    return 10 * power


def year_step(years: int) -> int:
    """Label every year, or every 2nd, 5th, 10th… so that at most MAX_YEAR_LABELS show."""
    for step in (1, 2, 5, 10, 20, 50):
        if math.ceil(years / step) <= MAX_YEAR_LABELS:
            return step
    return 100


def year_url(base: str, year: int) -> str:
    """The listing of one year: the base URL (with its own filters) and year_from/year_to."""
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}year_from={year}&year_to={year}"


def noun(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


@register.inclusion_tag("publications/_year_chart.html")
def year_chart(
    counts: Iterable[tuple[int | None, int]],
    url: str = "",
    chart_id: str = "years",
    title: str = "Research output per year",
    singular: str = "research output",
    plural: str = "research outputs",
) -> dict:
    """`{% year_chart counts url=… %}`: a bar per year (years without output drawn empty) with
    `counts` a list of (year, number), the year None meaning undated; each bar links to
    `url` restricted to its year when a URL is given. The same figures follow in a table."""
    counts = list(counts)
    dated = {year: n for year, n in counts if year is not None and n}
    undated = sum(n for year, n in counts if year is None)
    context = {
        "chart_id": chart_id,
        "title": title,
        "singular": singular,
        "plural": plural,
        "rows": [
            (year, n, year_url(url, year) if url else "") for year, n in sorted(dated.items())
        ],
        "undated": undated,
        "linked": bool(url),
    }
    if not dated:
        return context | {"bars": []}
    first, last = min(dated), max(dated)
    years = list(range(first, last + 1)) if last - first < MAX_FILLED_SPAN else sorted(dated)
    top = nice_ceiling(max(dated.values()))
    step = year_step(len(years))
    bars = []
    for index, year in enumerate(years):
        count = dated.get(year, 0)
        height = PLOT_HEIGHT * count / top
        bars.append(
            Bar(
                year=year,
                count=count,
                x=LEFT + index * SLOT + (SLOT - BAR_WIDTH) / 2,
                y=TOP + PLOT_HEIGHT - height,
                height=height,
                url=year_url(url, year) if url and count else "",
                show_year=len(years) <= MAX_YEAR_LABELS or year % step == 0,
                description=f"{year}: {noun(count, singular, plural)}",
            )
        )
    busiest = max(dated, key=lambda year: (dated[year], year))
    width = max(LEFT + len(years) * SLOT + RIGHT, MIN_WIDTH)
    return context | {
        "bars": bars,
        "width": number(width),
        "height": number(TOP + PLOT_HEIGHT + BOTTOM),
        "bar_width": number(BAR_WIDTH),
        "plot_left": number(LEFT),
        "plot_right": number(width - RIGHT),
        "tick_x": number(LEFT - 6),
        "year_y": number(TOP + PLOT_HEIGHT + 6),
        "long": width > LONG_WIDTH,
        "ticks": [
            {"value": value, "y": number(TOP + PLOT_HEIGHT - PLOT_HEIGHT * value / top)}
            for value in sorted({0, top // 2 if top % 2 == 0 else 0, top})
        ],
        "label_counts": len(years) <= MAX_LABELLED_BARS,
        "summary": (
            f"{noun(sum(dated.values()), singular, plural)} from {first} to {last}; "
            f"the most, {dated[busiest]}, in {busiest}."
        ),
    }
