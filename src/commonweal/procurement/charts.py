"""Server-rendered SVG chart of the share of awarded value by kind of supplier, year by year.

The chart is an image to assistive technology (role="img", a title and a description); the page
prints the same numbers in a table beside it, which is the full accessible equivalent.
"""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe

from .services import YearSpend

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 64
INK, GRID = "#0b0c0c", "#d8dadb"
# GOV.UK colours that stay distinct for the common colour-vision deficiencies.
SERIES = [
    ("local", "Local", "#1d70b8"),
    ("sme", "SME", "#f47738"),
    ("vcse", "VCSE", "#00703c"),
    ("mutual", "Mutual or co-op", "#4c2c92"),
]


def share_bars(years: list[YearSpend], title: str) -> SafeString:
    """Grouped bars: per year, the percent of awarded value with each kind of supplier."""
    if not years:
        return mark_safe("")
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(years)
    bar = slot * 0.8 / len(SERIES)
    desc = "; ".join(
        f"{y.year}: " + ", ".join(f"{label} {y.share(key):.0f}%" for key, label, _ in SERIES) for y in years
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cw-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-labelledby="shares-title shares-desc" '
        f'font-family="GDS Transport, arial, sans-serif" font-size="12">',
        f'<title id="shares-title">{escape(title)}</title><desc id="shares-desc">{escape(desc)}</desc>',
    ]
    for step in range(5):
        y = TOP + plot_h - plot_h * step / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">{step * 25}%</text>'
        )
    for index, year in enumerate(years):
        start = LEFT + index * slot + slot * 0.1
        for number, (key, label, colour) in enumerate(SERIES):
            share = year.share(key)
            height = plot_h * share / 100
            parts.append(
                f'<rect x="{start + number * bar:.1f}" y="{TOP + plot_h - height:.1f}" '
                f'width="{bar * 0.9:.1f}" height="{height:.1f}" fill="{colour}">'
                f"<title>{year.year}, {label}: {share:.0f}%</title></rect>"
            )
        parts.append(
            f'<text x="{start + slot * 0.4:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" '
            f'fill="{INK}">{year.year}</text>'
        )
    for number, (_, label, colour) in enumerate(SERIES):
        x = LEFT + number * 140
        parts.append(f'<rect x="{x}" y="{HEIGHT - 24}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 18}" y="{HEIGHT - 14}" fill="{INK}">{label}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every piece of text above is escaped or a number
