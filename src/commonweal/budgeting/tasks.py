"""Background work: counting runs in a task worker so a city-sized count never blocks a request."""

from django_tasks import task

from .counting import count
from .models import Process


@task()
def count_process(process_id: int) -> list[str]:
    """Count a closed process and publish its result; returns the funded project codes."""
    process = Process.objects.get(pk=process_id, phase=Process.Phase.COUNTING)
    return count(process).funded
