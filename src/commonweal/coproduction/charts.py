"""Server-rendered SVG bar chart of hours per month; the page prints the same numbers as a table.

The chart is an image to assistive technology (role="img", a title and a description stating
the range shown); the data table beside it is the full accessible equivalent.
"""

from __future__ import annotations

import math
from datetime import date
from html import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 48
BLUE, INK, GRID = "#1d70b8", "#0b0c0c", "#d8dadb"


def axis_top(largest: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above the largest value."""
    if largest <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(largest))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= largest)


def monthly_bars(months: list[tuple[date, float]], title: str) -> SafeString:
    """Bars of hours per month, oldest on the left; empty string when there is nothing to draw."""
    if not months:
        return mark_safe("")
    top = axis_top(max(hours for _, hours in months))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(months)
    first, last = months[0][0], months[-1][0]
    desc = (
        f"{len(months)} months from {first:%B %Y} to {last:%B %Y}; "
        f"the most in one month was {max(h for _, h in months):g} hours."
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cw-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-labelledby="hours-title hours-desc" '
        f'font-family="GDS Transport, arial, sans-serif" font-size="12">',
        f'<title id="hours-title">{escape(title)}</title><desc id="hours-desc">{escape(desc)}</desc>',
    ]
    for step in range(5):
        value = top * step / 4
        y = TOP + plot_h - plot_h * step / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">{value:g}</text>')
    for index, (month, hours) in enumerate(months):
        height = plot_h * hours / top
        x = LEFT + index * slot + slot * 0.15
        parts.append(
            f'<rect x="{x:.1f}" y="{TOP + plot_h - height:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{height:.1f}" '
            f'fill="{BLUE}"><title>{month:%B %Y}: {hours:g} hours</title></rect>'
        )
        label = f"{month:%b}" + (f" {month:%y}" if index == 0 or month.month == 1 else "")
        parts.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'fill="{INK}">{label}</text>'
        )
    parts.append(f'<text x="{LEFT}" y="{HEIGHT - 8}" fill="{INK}">Hours given each month</text></svg>')
    return mark_safe("".join(parts))  # every piece of text above is escaped or a number
