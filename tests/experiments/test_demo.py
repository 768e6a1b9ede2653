from commonweal.experiments.demo import load_experiments_demo
from commonweal.experiments.models import Award, Evaluation, Experiment, Score
from commonweal.places.models import Measurement


def test_loading_twice_leaves_what_loading_once_did(evaluated_demo) -> None:
    counts = [m.objects.count() for m in (Experiment, Evaluation, Score, Award, Measurement)]

    load_experiments_demo()

    assert [m.objects.count() for m in (Experiment, Evaluation, Score, Award, Measurement)] == counts
    assert Evaluation.objects.count() == 3
