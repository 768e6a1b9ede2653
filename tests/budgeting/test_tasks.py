"""Counting is queued in the database and done by the worker, not in the request.

The worker closes database connections between tasks, so these tests commit for real.
"""

from django.core.management import call_command

from commonweal.budgeting.ballots import cast_online
from commonweal.budgeting.models import Process
from commonweal.budgeting.tasks import count_process


def test_a_queued_count_waits_for_the_worker_then_publishes(transactional_db, voting, resident) -> None:
    cast_online(voting, resident("ann@example.net"), {voting.proposals.get(code="P1").pk: 1})
    Process.objects.filter(pk=voting.pk).update(phase=Process.Phase.COUNTING)
    result = count_process.enqueue(voting.pk)
    voting.refresh_from_db()
    assert voting.phase == Process.Phase.COUNTING  # nothing counted inside the request

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    voting.refresh_from_db()
    result.refresh()
    assert voting.phase == Process.Phase.PUBLISHED
    funded = voting.proposals.filter(funded_rank__isnull=False).order_by("funded_rank")
    assert result.return_value == [p.code for p in funded] and result.return_value[0] == "P1"
