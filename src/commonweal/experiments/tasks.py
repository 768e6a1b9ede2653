"""Background work: evaluating runs in the task worker, so a national comparison never blocks a request."""

from django_tasks import task

from . import services


@task()
def evaluate_queued(experiment_id: int, user_id: int | None) -> int | None:
    """Evaluate a queued experiment; returns the new evaluation's id, or None if it was refused."""
    evaluation = services.run_queued_evaluation(experiment_id, user_id)
    return evaluation.pk if evaluation else None
