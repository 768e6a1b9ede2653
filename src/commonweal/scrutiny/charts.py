"""Server-rendered SVG charts: the funnel plot, the deprivation gradient and trend sparklines.

Each chart is an image to assistive technology (role="img" with a title and a description that
states what it shows); the data table printed beside it is the full accessible equivalent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

import numpy as np
from django.utils.safestring import SafeString, mark_safe

from .analysis import FunnelCurve, Indicator, Inequality, Result

INK = "#0b0c0c"
GREY = "#505a5f"
BLUE = "#1d70b8"
ORANGE = "#f47738"
PURPLE = "#4c2c92"
GRID = "#d8dadb"


@dataclass(frozen=True)
class Frame:
    """Where the plotting area sits inside the SVG, and the ranges it shows."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    x_range: tuple[float, float]
    y_range: tuple[float, float]

    def x(self, value: float) -> float:
        lo, hi = self.x_range
        return round(self.left + (value - lo) / (hi - lo) * (self.width - self.left - self.right), 2)

    def y(self, value: float) -> float:
        lo, hi = self.y_range
        return round(
            self.height - self.bottom - (value - lo) / (hi - lo) * (self.height - self.top - self.bottom), 2
        )

    @property
    def plot_box(self) -> tuple[int, int, int, int]:
        return self.left, self.top, self.width - self.left - self.right, self.height - self.top - self.bottom


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round-numbered ticks covering [lo, hi]: steps of 1, 2 or 5 times a power of ten."""
    span = hi - lo
    if span <= 0:
        return [lo]
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step) * step
    return [round(first + i * step, 10) for i in range(int((hi - first) / step + 1e-9) + 1)]


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:,.1f}"


def _open(chart_id: str, frame: Frame, title: str, desc: str, css_class: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cw-chart {css_class}" id="{chart_id}" '
        f'viewBox="0 0 {frame.width} {frame.height}" width="{frame.width}" height="{frame.height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="GDS Transport, arial, sans-serif" font-size="13">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _axes(frame: Frame, x_label: str, y_label: str, x_ticks: list[tuple[float, str]]) -> list[str]:
    left, top, width, height = frame.plot_box
    base = top + height
    parts = [f'<rect x="{left}" y="{top}" width="{width}" height="{height}" fill="#ffffff" stroke="{GREY}"/>']
    for tick in nice_ticks(*frame.y_range):
        y = frame.y(tick)
        parts.append(f'<line x1="{left}" x2="{left + width}" y1="{y}" y2="{y}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4}" text-anchor="end" fill="{INK}">{_number(tick)}</text>'
        )
    for value, label in x_ticks:
        x = frame.x(value)
        parts.append(f'<line x1="{x}" x2="{x}" y1="{base}" y2="{base + 5}" stroke="{GREY}"/>')
        parts.append(
            f'<text x="{x}" y="{base + 18}" text-anchor="middle" fill="{INK}">{escape(label)}</text>'
        )
    parts.append(
        f'<text x="{left + width / 2}" y="{base + 38}" text-anchor="middle" fill="{INK}">'
        f"{escape(x_label)}</text>"
    )
    parts.append(
        f'<text transform="translate(14 {top + height / 2}) rotate(-90)" text-anchor="middle" '
        f'fill="{INK}">{escape(y_label)}</text>'
    )
    return parts


def _clip(chart_id: str, frame: Frame) -> str:
    left, top, width, height = frame.plot_box
    rect = f'<rect x="{left}" y="{top}" width="{width}" height="{height}"/>'
    return f'<clipPath id="{chart_id}-plot">{rect}</clipPath>'


def _horizontal(frame: Frame, value: float, colour: str, dash: str, label: str, css_class: str) -> list[str]:
    left, _, width, _ = frame.plot_box
    y = frame.y(value)
    return [
        f'<line class="{css_class}" x1="{left}" x2="{left + width}" y1="{y}" y2="{y}" stroke="{colour}" '
        f'stroke-width="2" stroke-dasharray="{dash}"/>',
        f'<text class="{css_class}-label" x="{left + width - 4}" y="{y - 5}" text-anchor="end" '
        f'fill="{colour}">{escape(label)}</text>',
    ]


def _legend(frame: Frame, items: list[tuple[str, str, str]]) -> list[str]:
    """A row of line samples under the axis label: (colour, dash, text)."""
    y = frame.height - 14
    x = frame.left
    parts = []
    for colour, dash, text in items:
        if dash == "dot":
            parts.append(f'<circle cx="{x + 10}" cy="{y - 4}" r="5" fill="{colour}" stroke="{INK}"/>')
        else:
            parts.append(
                f'<line x1="{x}" x2="{x + 22}" y1="{y - 4}" y2="{y - 4}" stroke="{colour}" stroke-width="2" '
                f'stroke-dasharray="{dash}"/>'
            )
        parts.append(f'<text x="{x + 28}" y="{y}" fill="{INK}">{escape(text)}</text>')
        x += 36 + 7 * len(text)
    return parts


def funnel_plot(
    chart_id: str,
    title: str,
    results: list[Result],
    curve: FunnelCurve,
    floor: float,
    floor_text: str,
    unit: str,
    highlight: Result | None = None,
) -> SafeString:
    """Each authority's value against its denominator, inside England's 95% and 99.8% control limits."""
    values = np.array([r.value for r in results])
    denominators = np.array([r.denominator for r in results], dtype=float)
    smallest = float(denominators.min())
    at_smallest = np.interp(smallest, curve.denominators, curve.limits.lower_998)
    at_smallest_up = np.interp(smallest, curve.denominators, curve.limits.upper_998)
    lo = min(values.min(), floor, curve.england, at_smallest)
    hi = max(values.max(), floor, curve.england, at_smallest_up)
    pad = (hi - lo) * 0.08 or 1.0
    frame = Frame(680, 470, 64, 16, 16, 96, (0.0, float(curve.denominators.max())), (lo - pad, hi + pad))

    outside = sum(r.outside_998 for r in results)
    desc = (
        f"Funnel plot of {len(results)} authorities: each point is an authority's value ({unit}) against its "
        f"denominator. England's value is {curve.england:.1f} and the floor is {floor_text}. "
        "The dashed lines "
        f"are the 95% control limits and the solid lines the 99.8% limits around England. {outside} "
        f"{'authority lies' if outside == 1 else 'authorities lie'} outside the 99.8% limits."
    )
    if highlight is not None:
        desc += (
            f" {highlight.area.name} is highlighted: {highlight.value:.1f} out of a denominator of "
            f"{highlight.denominator:,}, {highlight.funnel_reading[0].lower()}{highlight.funnel_reading[1:]}."
        )
    parts = _open(chart_id, frame, title, desc, "cw-funnel")
    parts.append(_clip(chart_id, frame))
    x_ticks = [(t, _number(t)) for t in nice_ticks(*frame.x_range)]
    parts += _axes(frame, "Denominator (number measured)", f"Value ({unit})", x_ticks)
    parts.append(f'<g clip-path="url(#{chart_id}-plot)">')
    limits = curve.limits
    for name, line, dash in (
        ("95-lower", limits.lower_95, "6 4"),
        ("95-upper", limits.upper_95, "6 4"),
        ("998-lower", limits.lower_998, ""),
        ("998-upper", limits.upper_998, ""),
    ):
        points = " ".join(f"{frame.x(n)},{frame.y(v)}" for n, v in zip(curve.denominators, line, strict=True))
        parts.append(
            f'<polyline class="limit limit-{name}" data-limit="{name}" points="{points}" fill="none" '
            f'stroke="{GREY}" stroke-width="1.5" stroke-dasharray="{dash}"/>'
        )
    parts += _horizontal(frame, curve.england, INK, "", f"England {curve.england:.1f}", "england")
    parts += _horizontal(frame, floor, PURPLE, "2 3", f"Floor: {floor_text}", "floor")
    for r in results:
        if highlight is not None and r.area.pk == highlight.area.pk:
            continue
        parts.append(
            f'<circle class="area" data-area="{escape(r.area.code)}" cx="{frame.x(r.denominator)}" '
            f'cy="{frame.y(r.value)}" r="3.5" fill="{BLUE}" fill-opacity="0.75">'
            f"<title>{escape(r.area.name)}: {r.value:.1f} of {r.denominator:,}</title></circle>"
        )
    parts.append("</g>")
    if highlight is not None:
        x, y = frame.x(highlight.denominator), frame.y(highlight.value)
        anchor = "end" if x > frame.width / 2 else "start"
        dx = -10 if anchor == "end" else 10
        parts.append(
            f'<circle class="area highlighted" data-area="{escape(highlight.area.code)}" '
            f'cx="{x}" cy="{y}" r="7" '
            f'fill="{ORANGE}" stroke="{INK}" stroke-width="2"><title>{escape(highlight.area.name)}: '
            f"{highlight.value:.1f} of {highlight.denominator:,}</title></circle>"
        )
        parts.append(
            f'<text class="highlighted-label" x="{x + dx}" y="{y - 9}" text-anchor="{anchor}" fill="{INK}" '
            f'font-weight="bold">{escape(highlight.area.name)}</text>'
        )
    legend = [
        (GREY, "6 4", "95% limits"),
        (GREY, "", "99.8% limits"),
        (INK, "", "England"),
        (PURPLE, "2 3", "Floor"),
    ]
    if highlight is not None:
        legend.append((ORANGE, "dot", highlight.area.name))
    parts += _legend(frame, legend)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def inequality_chart(
    chart_id: str, title: str, inequality: Inequality, floor: float, floor_text: str, unit: str
) -> SafeString:
    """Value by deprivation decile, placed at each decile's relative rank, with the SII line fitted across."""
    rows = inequality.rows
    lows = [r.lower for r in rows] + [floor]
    highs = [r.upper for r in rows] + [floor]
    if inequality.sii is not None:
        lows += [inequality.intercept, inequality.intercept + inequality.sii]
        highs += [inequality.intercept, inequality.intercept + inequality.sii]
    lo, hi = min(lows), max(highs)
    pad = (hi - lo) * 0.1 or 1.0
    frame = Frame(680, 420, 64, 16, 16, 96, (0.0, 1.0), (lo - pad, hi + pad))
    desc = (
        f"Value ({unit}) in each deprivation decile of authorities, from decile 1 (most deprived, left) to "
        f"decile 10 (least deprived, right), with 95% confidence intervals. {inequality.reading}"
    )
    parts = _open(chart_id, frame, title, desc, "cw-inequality")
    parts += _axes(
        frame,
        "Deprivation decile: 1 most deprived (left), 10 least deprived (right)",
        f"Value ({unit})",
        [(r.rank, str(r.decile)) for r in rows],
    )
    parts += _horizontal(frame, floor, PURPLE, "2 3", f"Floor: {floor_text}", "floor")
    if inequality.sii is not None:
        y0, y1 = inequality.intercept, inequality.intercept + inequality.sii
        parts.append(
            f'<line class="sii" x1="{frame.x(0)}" y1="{frame.y(y0)}" x2="{frame.x(1)}" y2="{frame.y(y1)}" '
            f'stroke="{ORANGE}" stroke-width="3"/>'
        )
    for r in rows:
        x = frame.x(r.rank)
        parts.append(
            f'<line class="interval" x1="{x}" x2="{x}" y1="{frame.y(r.lower)}" y2="{frame.y(r.upper)}" '
            f'stroke="{INK}" stroke-width="1.5"/>'
        )
        parts.append(
            f'<circle class="decile" data-decile="{r.decile}" cx="{x}" cy="{frame.y(r.value)}" r="5" '
            f'fill="{BLUE}">'
            f"<title>Decile {r.decile}: {r.value:.1f} ({r.lower:.1f} to {r.upper:.1f})</title></circle>"
        )
    legend = [(BLUE, "dot", "Decile value"), (INK, "", "95% interval"), (PURPLE, "2 3", "Floor")]
    if inequality.sii is not None:
        legend.append((ORANGE, "", "Slope index of inequality"))
    parts += _legend(frame, legend)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def sparkline(chart_id: str, area_name: str, indicator: Indicator) -> SafeString:
    """A small line of the area's value over the periods measured, with the floor dashed across."""
    standard, trend = indicator.standard, indicator.trend
    floor = float(standard.floor)
    values = [r.value for r in trend]
    lo, hi = min([*values, floor]), max([*values, floor])
    pad = (hi - lo) * 0.15 or 1.0
    frame = Frame(160, 40, 4, 4, 4, 4, (0.0, max(len(trend) - 1, 1)), (lo - pad, hi + pad))
    name = standard.service.name
    if trend:
        first, last = trend[0], trend[-1]
        desc = (
            f"{name} in {area_name}: {standard.in_unit(first.value)} in {first.period}"
            + (f", {standard.in_unit(last.value)} in {last.period}" if len(trend) > 1 else "")
            + f". The floor is {standard.floor_text}."
        )
    else:
        desc = f"{name} has not been measured in {area_name}."
    parts = _open(chart_id, frame, f"Trend of {name} in {area_name}", desc, "cw-sparkline")
    left, _, width, _ = frame.plot_box
    parts.append(
        f'<line class="floor" x1="{left}" x2="{left + width}" y1="{frame.y(floor)}" y2="{frame.y(floor)}" '
        f'stroke="{PURPLE}" stroke-dasharray="2 3"/>'
    )
    if trend:
        points = " ".join(f"{frame.x(i)},{frame.y(v)}" for i, v in enumerate(values))
        parts.append(
            f'<polyline class="trend" points="{points}" fill="none" stroke="{BLUE}" stroke-width="2"/>'
        )
        parts.append(
            f'<circle cx="{frame.x(len(values) - 1)}" cy="{frame.y(values[-1])}" r="3" fill="{BLUE}"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
