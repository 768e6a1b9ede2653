"""When an experiment's evaluation counts as pending, and when as stopped by a dead worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from commonweal.experiments.models import EVALUATION_STALLS_AFTER, Experiment

MINUTE = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("progress", "running_for", "pending", "stalled"),
    [
        (Experiment.Progress.IDLE, None, False, False),
        (Experiment.Progress.QUEUED, None, True, False),
        (Experiment.Progress.FAILED, None, False, False),
        (Experiment.Progress.RUNNING, MINUTE, True, False),
        (Experiment.Progress.RUNNING, EVALUATION_STALLS_AFTER - MINUTE, True, False),
        (Experiment.Progress.RUNNING, EVALUATION_STALLS_AFTER + MINUTE, False, True),
        (Experiment.Progress.RUNNING, None, False, True),  # marked running before starts were recorded
    ],
)
def test_an_evaluation_running_past_the_limit_is_stalled_and_no_longer_pending(
    progress: str, running_for: timedelta | None, pending: bool, stalled: bool
) -> None:
    started = timezone.now() - running_for if running_for is not None else None
    experiment = Experiment(progress=progress, evaluation_started_at=started)
    assert (experiment.evaluation_pending, experiment.evaluation_stalled) == (pending, stalled)
