"""The experiment chart: the area against its synthetic comparison over time, as server-rendered SVG.

An image to assistive technology (role="img", a title and a description saying what it shows);
the data table printed under it on the page is the full accessible equivalent.
"""

from __future__ import annotations

import math
from html import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 72
BLUE, ORANGE, INK, GREY, GRID = "#1d70b8", "#f47738", "#0b0c0c", "#505a5f", "#d8dadb"


def ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round-numbered ticks covering [lo, hi]: steps of 1, 2 or 5 times a power of ten."""
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step) * step
    return [round(first + i * step, 10) for i in range(int((hi - first) / step + 1e-9) + 1)]


def comparison_chart(
    periods: list[str], area: list[float], comparison: list[float], start: str, area_name: str, unit: str
) -> SafeString:
    """Two lines over time, with a dashed rule where the change began."""
    if len(periods) < 2:
        return mark_safe("")
    everything = [*area, *comparison]
    pad = (max(everything) - min(everything)) * 0.1 or 1.0
    lo, hi = min(everything) - pad, max(everything) + pad
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(index: float) -> float:
        return round(LEFT + index / (len(periods) - 1) * plot_w, 1)

    def y(value: float) -> float:
        return round(TOP + (hi - value) / (hi - lo) * plot_h, 1)

    first_after = periods.index(start)
    title = f"{area_name} against its synthetic comparison, {periods[0]} to {periods[-1]}"
    desc = (
        f"Before {start} the two lines should run together; from {start}, the gap between "
        f"{area_name} (solid blue) and the comparison (dashed orange) is the estimated effect. "
        "The table below gives every value."
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cw-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-labelledby="trajectory-title trajectory-desc" '
        f'font-family="GDS Transport, arial, sans-serif" font-size="13">',
        f'<title id="trajectory-title">{escape(title)}</title>',
        f'<desc id="trajectory-desc">{escape(desc)}</desc>',
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#ffffff" stroke="{GREY}"/>',
    ]
    for tick in ticks(lo, hi):
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(tick)}" y2="{y(tick)}" stroke="{GRID}"/>'
        )
        parts.append(f'<text x="{LEFT - 6}" y="{y(tick) + 4}" text-anchor="end" fill="{INK}">{tick:g}</text>')
    label_every = max(1, math.ceil(len(periods) / 8))
    for index, period in enumerate(periods):
        if index % label_every == 0 or index == len(periods) - 1:
            parts.append(
                f'<text x="{x(index)}" y="{TOP + plot_h + 18}" text-anchor="middle" fill="{INK}">'
                f"{escape(period)}</text>"
            )
    change_x = (x(first_after - 1) + x(first_after)) / 2 if first_after > 0 else x(0)
    parts.append(
        f'<line class="change" x1="{change_x}" x2="{change_x}" y1="{TOP}" y2="{TOP + plot_h}" '
        f'stroke="{GREY}" stroke-dasharray="4 4"/>'
        f'<text x="{change_x + 4}" y="{TOP + 14}" fill="{INK}">Change from {escape(start)}</text>'
    )
    for values, colour, dash, css in ((comparison, ORANGE, "8 5", "comparison"), (area, BLUE, "", "area")):
        points = " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values))
        dashing = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline class="{css}" points="{points}" fill="none" stroke="{colour}" '
            f'stroke-width="3"{dashing}/>'
        )
    legend_y = HEIGHT - 16
    parts.append(
        f'<line x1="{LEFT}" x2="{LEFT + 24}" y1="{legend_y - 4}" y2="{legend_y - 4}" stroke="{BLUE}" '
        f'stroke-width="3"/><text x="{LEFT + 30}" y="{legend_y}" fill="{INK}">{escape(area_name)}</text>'
    )
    other_x = LEFT + 60 + 8 * len(area_name)
    parts.append(
        f'<line x1="{other_x}" x2="{other_x + 24}" y1="{legend_y - 4}" y2="{legend_y - 4}" stroke="{ORANGE}" '
        f'stroke-width="3" stroke-dasharray="8 5"/>'
        f'<text x="{other_x + 30}" y="{legend_y}" fill="{INK}">Synthetic comparison ({escape(unit)})</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every piece of text above is escaped or a number
