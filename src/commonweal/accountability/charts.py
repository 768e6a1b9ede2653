"""Planned against actual spend as a server-rendered SVG, with a title and description for screen readers."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

BLUE, GREY, BLACK = "#1d70b8", "#b1b4b6", "#0b0c0c"


def spend_chart(chart_id: str, title: str, planned: Decimal, actual: Decimal) -> SafeString:
    """Two horizontal bars on one scale: the money planned and the money paid out so far."""
    width, bar, left, right = 560, 28, 120, 110
    scale = float(max(planned, actual, Decimal(1)))
    plot = width - left - right
    share = f"{float(actual) / float(planned):.0%}" if planned else "none"
    desc = f"Planned spend £{planned:,.0f}; paid out so far £{actual:,.0f} ({share} of the plan)."
    parts = [
        f'<svg id="{chart_id}" class="cw-chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {width} 100" width="100%" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]
    for row, (label, amount, colour) in enumerate((("Planned", planned, GREY), ("Paid out", actual, BLUE))):
        y = 12 + row * (bar + 16)
        length = max(float(amount) / scale * plot, 1.0)
        parts.append(
            f'<text x="{left - 8}" y="{y + 19}" text-anchor="end" font-size="16" fill="{BLACK}">'
            f"{label}</text>"
        )
        parts.append(f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar}" fill="{colour}"/>')
        parts.append(
            f'<text x="{left + length + 6:.1f}" y="{y + 19}" font-size="16" fill="{BLACK}">'
            f"£{amount:,.0f}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
