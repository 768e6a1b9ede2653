"""When an experiment's evaluation counts as pending, and when as stopped: no worker took it, or one died."""

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
        (Experiment.Progress.QUEUED, MINUTE, True, False),
        (Experiment.Progress.QUEUED, EVALUATION_STALLS_AFTER + MINUTE, False, True),  # no worker took it
        (Experiment.Progress.QUEUED, None, False, True),  # queued before the time was recorded
        (Experiment.Progress.FAILED, EVALUATION_STALLS_AFTER + MINUTE, False, False),
        (Experiment.Progress.RUNNING, MINUTE, True, False),
        (Experiment.Progress.RUNNING, EVALUATION_STALLS_AFTER - MINUTE, True, False),
        (Experiment.Progress.RUNNING, EVALUATION_STALLS_AFTER + MINUTE, False, True),
        (Experiment.Progress.RUNNING, None, False, True),  # marked running before starts were recorded
    ],
)
def test_an_evaluation_queued_or_running_past_the_limit_is_stalled_and_no_longer_pending(
    progress: str, running_for: timedelta | None, pending: bool, stalled: bool
) -> None:
    started = timezone.now() - running_for if running_for is not None else None
    experiment = Experiment(progress=progress, progress_since=started)
    assert (experiment.evaluation_pending, experiment.evaluation_stalled) == (pending, stalled)
