"""Geometry of the ranking page's charts, drawn as SVG by the templates (no JavaScript).

Each chart comes with its numbers as text beside it (a table or a list), which is its text
alternative; the SVG itself is labelled and described for screen readers.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
LABEL = 200  # room for names on the left
ROW = 22
PAD = 12
TOP_ROWS = 20  # the interval chart shows the best projects only; the table shows them all
DOT_OPACITY = 0.5  # of one score's dot


@dataclass(frozen=True)
class Axis:
    low: float
    high: float
    ticks: list[tuple[float, float]]  # (x, value)

    def x(self, value: float) -> float:
        span = self.high - self.low or 1.0
        return LABEL + (WIDTH - LABEL - PAD) * (value - self.low) / span


@dataclass(frozen=True)
class IntervalRow:
    y: float
    label: str
    x_low: float
    x_high: float
    x_point: float
    tied: bool


@dataclass(frozen=True)
class DotRow:
    y: float
    label: str
    points: list[tuple[float, float]]  # (x, opacity): one dot per place on the scale
    x_mean: float

    @property
    def layers(self) -> list[tuple[float, str]]:
        """(opacity, SVG path data) of the dots: one path per opacity, each dot a line of
        no length with round caps. A round of 500 judges drew 15,000 circles, most of its
        page's bytes and time; as paths it is a fifth of the bytes and a few strings."""
        y = round(self.y, 1)
        by_opacity: dict[float, list[str]] = {}
        for x, opacity in self.points:
            by_opacity.setdefault(opacity, []).append(f"M{x} {y}h0")
        return [(opacity, "".join(parts)) for opacity, parts in sorted(by_opacity.items())]


@dataclass(frozen=True)
class Chart:
    axis: Axis
    height: float
    intervals: list[IntervalRow]
    dots: list[DotRow]


def _axis(low: float, high: float) -> Axis:
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        low, high = (low - 1, low + 1) if math.isfinite(low) else (0.0, 1.0)
    step = _nice_step((high - low) / 4)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    axis = Axis(first, last, [])
    value = first
    while value <= last + step / 2:
        axis.ticks.append((axis.x(value), round(value, 6)))
        value += step
    return axis


def _nice_step(raw: float) -> float:
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def intervals(rows: Sequence[tuple[str, float, float, float, bool]]) -> Chart:
    """(label, low, point, high, tied with the one above) of the best TOP_ROWS projects."""
    shown = [row for row in rows if all(math.isfinite(v) for v in row[1:4])][:TOP_ROWS]
    low = min((row[1] for row in shown), default=0.0)
    high = max((row[3] for row in shown), default=1.0)
    axis = _axis(low, high)
    drawn = [
        IntervalRow(
            PAD + ROW * (i + 0.5),
            label,
            axis.x(lo),
            axis.x(hi),
            axis.x(point),
            tied,
        )
        for i, (label, lo, point, hi, tied) in enumerate(shown)
    ]
    return Chart(axis, PAD * 2 + ROW * len(drawn) + 20, drawn, [])


def dots(rows: Sequence[tuple[str, Sequence[float], float]]) -> Chart:
    """(label, values, mean) of each judge: where on the scale their scores fall."""
    values = [v for _label, vs, _mean in rows for v in vs]
    axis = _axis(min(values, default=0.0), max(values, default=1.0))
    drawn = [
        DotRow(PAD + ROW * (i + 0.5), label, _stacked([axis.x(v) for v in vs]), axis.x(mean))
        for i, (label, vs, mean) in enumerate(rows)
    ]
    return Chart(axis, PAD * 2 + ROW * len(drawn) + 20, [], drawn)


def _stacked(xs: Sequence[float]) -> list[tuple[float, float]]:
    """One dot per place (to the SVG's tenth of a unit) with the opacity that the dots on it
    would have stacked at DOT_OPACITY each: a judge's scores fall on a few places of the
    scale, so a judge of 100 projects is a handful of circles instead of 100, and the page
    of a large round stays small."""
    counts = Counter(round(x, 1) for x in xs)
    return [(x, round(1 - (1 - DOT_OPACITY) ** n, 3)) for x, n in sorted(counts.items())]
