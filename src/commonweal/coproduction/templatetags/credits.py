from django import template

from ..ledger import format_credits

register = template.Library()


@register.filter(name="credits")
def credits_filter(cents: int) -> str:
    """Hundredths of a credit as people read them: 150 -> "1.5 credits"."""
    return format_credits(int(cents))
