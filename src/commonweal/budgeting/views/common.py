"""What every budgeting page needs: the process, found by its area's code and its own slug."""

from django.shortcuts import get_object_or_404

from ..models import Process


def get_process(code: str, slug: str) -> Process:
    """The process with this slug in this area; a process of another area is not found (404)."""
    processes = Process.objects.select_related("area", "area__parent")
    return get_object_or_404(processes, area__code=code, slug=slug)
