from django.core import serializers
from django.core.management import call_command

from commonweal.budgeting.models import Ballot, Process, Proposal
from commonweal.places.models import Area, Measurement, NationalStandard, Role, Service, User


def snapshot() -> str:
    rows = [*Area.objects.order_by("code"), *Service.objects.order_by("slug"),
            *NationalStandard.objects.order_by("pk"), *Measurement.objects.order_by("pk"),
            *Role.objects.order_by("pk"), *Process.objects.order_by("pk"), *Proposal.objects.order_by("pk")]
    users = [(u.email, u.full_name, u.is_superuser) for u in User.objects.order_by("email")]
    ballots = sorted(Ballot.objects.values_list("id", "receipt_code", "neighbourhood__code"))
    return serializers.serialize("json", rows) + repr(users) + repr(ballots)


def test_demo_place_has_what_the_issue_promises(demo) -> None:
    borough = Area.objects.get(name="Thornbury Vale")
    assert borough.parent.kind == Area.Kind.REGION
    neighbourhoods = borough.children.all()
    assert neighbourhoods.count() == 12
    assert all(n.population and 1 <= n.deprivation_decile <= 10 for n in neighbourhoods)
    assert Service.objects.count() == 8 and NationalStandard.objects.count() == 8
    assert borough.comparators.count() == 3
    assert set(Role.objects.values_list("kind", flat=True)) == {"resident", "officer", "steward"}
    assert Role.objects.filter(kind="resident", verified_at__isnull=True).exists()


def test_demo_command_run_twice_leaves_the_same_data(db, capsys) -> None:
    call_command("demo", "--no-serve")
    first = snapshot()
    call_command("demo", "--no-serve")
    assert snapshot() == first
    assert "steward@example.org" in capsys.readouterr().out


def test_demo_borough_falls_below_one_floor_so_there_is_something_to_act_on(demo) -> None:
    from commonweal.places.status import floor_statuses

    borough = Area.objects.get(code="E06000999")
    below = {s.standard.service.slug for s in floor_statuses(borough) if s.meets_floor is False}
    assert below == {"youth-services"}
