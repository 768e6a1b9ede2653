"""Importing a past round from a .pb file: a published process that recounts to the same projects."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from commonweal.budgeting import counting
from commonweal.budgeting.engine import PabulibError, allocate, load
from commonweal.budgeting.engine.pabulib import parse
from commonweal.budgeting.importing import ImportRefused, import_pb
from commonweal.budgeting.models import Ballot, BallotChoice, Process, Proposal

# Small real elections of every ballot type; the rule each imports with decides the expected key.
INSTANCES = [
    "Netherlands_Amsterdam_643.pb",  # choose-1, greedy
    "Poland_Zabrze_2020_Pawlow.pb",  # choose-1, greedy
    "Poland_Warszawa_2017_Falenica.pb",  # approval, greedy
    "Poland_Lodz_2025_Piastow-Kurak.pb",  # approval, greedy-threshold: counted by mes
    "US_Stanford_Dataset_2022_Jersey_City_Ward_D_vote_knapsacks.pb",  # approval, mes
    "Worldwide_Mechanical_Turk_k_approval_7.pb",  # approval with max_length 5, mes
    "Poland_Czestochowa_2020_Podjasnogorska.pb",  # cumulative, greedy
    "US_Stanford_Dataset_PB_Chicago_35th_Ward_2021_vote_rankings.pb",  # ordinal, mes
    "Poland_Krakow_2023_Pradnik_Bialy.pb",  # ordinal, greedy, a budget with grosze
]
EXPECTED_KEY = {"mes": "mes_cost_add1_greedy", "greedy": "greedy_cost"}


@pytest.fixture(scope="module")
def pabulib(shared_data) -> Path:
    return shared_data("pabulib")


@pytest.fixture(scope="module")
def expected(pabulib: Path) -> dict:
    return json.loads((pabulib / "expected.json").read_text(encoding="utf-8"))["instances"]


def votes_by_voter(data: bytes, vote_type: str) -> dict[str, object]:
    """Each voter's ballot: a set of approved ids, a ranked list, or ids with their points."""
    election = parse(data)
    ballots, ids = election.ballots, [p.id for p in election.projects]
    offsets, choices = ballots.offsets.tolist(), ballots.choices.tolist()
    points = ballots.points.tolist() if ballots.points is not None else None
    found = {}
    for voter_id, k in zip(ballots.columns["voter_id"], ballots.ballot_of_voter.tolist(), strict=True):
        span = range(offsets[k], offsets[k + 1])
        if vote_type == "ordinal":
            found[voter_id] = [ids[choices[i]] for i in span]
        elif points is not None:
            found[voter_id] = {ids[choices[i]]: points[i] for i in span}
        else:
            found[voter_id] = {ids[choices[i]] for i in span}
    return found


def small_pb(
    votes: list[str], *, budget: str = "100", cost_b: str = "40", currency: str = "", country: str = ""
) -> bytes:
    lines = [
        "META", "key;value", f"budget;{budget}", "vote_type;approval", "rule;greedy",
        *([f"currency;{currency}"] if currency else []),
        *([f"country;{country}"] if country else []),
        "PROJECTS", "project_id;cost;name", "A;60;Play area", f"B;{cost_b};Benches",
        "VOTES", "voter_id;vote;neighbourhood", *votes,
    ]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.reference_data
@pytest.mark.parametrize("name", INSTANCES)
def test_imported_round_funds_what_pabutools_funded(borough, pabulib, expected, name) -> None:
    process = import_pb(pabulib / name, borough)
    process.refresh_from_db()
    assert process.phase == Process.Phase.PUBLISHED and process.imported_from == name
    result = expected[name]["results"][EXPECTED_KEY[process.rule]]
    assert result["status"] == "ok"
    funded = process.proposals.filter(funded_rank__isnull=False).values_list("code", flat=True)
    assert sorted(funded) == sorted(result["selected"])


@pytest.mark.reference_data
@pytest.mark.parametrize("name", [INSTANCES[3], INSTANCES[6], INSTANCES[7]])
def test_published_file_holds_every_voters_ballot_unchanged(borough, pabulib, name) -> None:
    source = (pabulib / name).read_bytes()
    vote_type = load(pabulib / name).vote_type
    process = import_pb(source, borough, slug="past")
    assert votes_by_voter(bytes(process.ballots_pb), vote_type) == votes_by_voter(source, vote_type)
    assert process.ballots.count() == process.ballots.filter(receipt_code__in=list(
        votes_by_voter(source, vote_type))).count()


@pytest.mark.reference_data
def test_budget_with_a_fraction_is_rounded_down_and_the_description_says_so(borough, pabulib) -> None:
    process = import_pb(pabulib / "Poland_Krakow_2023_Pradnik_Bialy.pb", borough)
    assert process.budget == 2_011_938
    assert "2011938.01 is rounded down to 2011938" in process.description
    assert process.ballot_type == Process.BallotType.ORDINAL and process.max_choices == 3


@pytest.mark.reference_data
def test_round_in_zloty_is_shown_and_republished_in_zloty(borough, pabulib) -> None:
    process = import_pb(pabulib / "Poland_Krakow_2024.pb", borough, slug="krakow-2024")
    assert process.currency == "PLN"
    page = Client().get("/areas/E06000999/budgets/krakow-2024/results/").content.decode()
    assert "of the PLN 9,200,000 budget" in page and "£" not in page
    published = Client().get("/areas/E06000999/budgets/krakow-2024/ballots.pb").content
    assert b"\ncurrency;PLN\n" in published and b"\ncountry;Poland\n" in published
    funded = process.proposals.filter(funded_rank__isnull=False).order_by("funded_rank")
    recount = allocate(parse(published), rule=process.rule)
    assert list(recount.funded) == list(funded.values_list("code", flat=True))


@pytest.mark.parametrize("currency", ["eur", " Eur "])
def test_currency_is_kept_upper_cased(borough, currency) -> None:
    assert import_pb(small_pb(["v1;A;x"], currency=currency), borough, slug="euro").currency == "EUR"


def test_file_without_a_currency_is_taken_to_be_in_pounds(borough) -> None:
    assert import_pb(small_pb(["v1;A;x"]), borough, slug="pounds").currency == "GBP"


@pytest.mark.parametrize("currency", ["zł", "EURO", "P1N"])
def test_bad_currency_is_refused_naming_the_file_and_nothing_is_written(borough, currency) -> None:
    with pytest.raises(PabulibError, match=rf"old\.pb: currency '{currency}' is not a 3-letter currency"):
        import_pb(small_pb(["v1;A;x"], currency=currency), borough, slug="old")
    assert not Process.objects.exists() and not Ballot.objects.exists()


def published_meta(process: Process) -> dict[str, str]:
    return parse(bytes(process.ballots_pb)).meta


@pytest.mark.parametrize("country", ["Poland", " Poland "])
def test_round_from_abroad_is_republished_naming_its_own_country(borough, country) -> None:
    process = import_pb(small_pb(["v1;A;x"], country=country), borough, slug="abroad")
    assert process.country == "Poland"
    assert published_meta(process)["country"] == "Poland"


def test_file_without_a_country_is_republished_as_from_the_united_kingdom(borough) -> None:
    process = import_pb(small_pb(["v1;A;x"]), borough, slug="home")
    assert process.country == "United Kingdom"
    assert published_meta(process)["country"] == "United Kingdom"


def test_country_too_long_to_keep_is_refused_naming_the_file_and_nothing_is_written(borough) -> None:
    country = "P" * (Process._meta.get_field("country").max_length + 1)
    with pytest.raises(PabulibError, match=rf"old\.pb: country '{country}' is longer than"):
        import_pb(small_pb(["v1;A;x"], country=country), borough, slug="old")
    assert not Process.objects.exists() and not Ballot.objects.exists()


def test_ballots_are_placed_in_the_neighbourhood_their_file_names_else_the_area(borough) -> None:
    data = small_pb(["v1;A;Abbey Fields", "v2;B;e02999002", "v3;A,B;Atlantis"])
    process = import_pb(data, borough, slug="2019", title="Thornbury Vale decides 2019")
    placed = dict(process.ballots.values_list("receipt_code", "neighbourhood__code"))
    assert placed == {"v1": "E02999001", "v2": "E02999002", "v3": "E06000999"}
    assert process.title == "Thornbury Vale decides 2019" and process.rule == "greedy"
    assert process.proposals.filter(status=Proposal.Status.FEASIBLE).count() == 2


def test_corrupted_file_raises_and_writes_nothing(borough) -> None:
    data = small_pb(["v1;A;Abbey Fields", "v2;Z;Brookside"])
    with pytest.raises(PabulibError, match=r"upload\.pb line 13: project 'Z' is not in PROJECTS"):
        import_pb(data, borough)
    assert not Process.objects.exists() and not Ballot.objects.exists()


def test_cost_with_a_fraction_is_refused_and_nothing_is_written(borough) -> None:
    with pytest.raises(PabulibError, match=r"project 'B' costs 40\.5"):
        import_pb(small_pb(["v1;A;x"], cost_b="40,5"), borough, slug="fraction")
    assert not Process.objects.exists()


def test_a_failure_while_counting_leaves_nothing_half_written(borough, monkeypatch) -> None:
    def broken(process):
        raise RuntimeError("the count failed")

    monkeypatch.setattr(counting, "count", broken)
    with pytest.raises(RuntimeError):
        import_pb(small_pb(["v1;A;x", "v2;B;y"]), borough, slug="broken")
    assert not Process.objects.exists() and not Proposal.objects.exists()
    assert not Ballot.objects.exists() and not BallotChoice.objects.exists()


def test_slug_already_taken_is_refused(borough) -> None:
    import_pb(small_pb(["v1;A;x"]), borough, slug="2019")
    with pytest.raises(ImportRefused, match="already has a process called '2019'"):
        import_pb(small_pb(["v1;A;x"]), borough, slug="2019")
    assert Process.objects.count() == 1


def test_command_imports_a_file_and_reports_it(borough, tmp_path, capsys) -> None:
    path = tmp_path / "thornbury_2019.pb"
    path.write_bytes(small_pb(["v1;A;x", "v2;A,B;y", "v3;B;z"]))
    call_command("import_pb", str(path), "--area", "E06000999")
    out = capsys.readouterr().out
    assert "as 'thornbury_2019': 3 ballots, 2 projects, 2 funded by greedy" in out
    assert Process.objects.get(slug="thornbury_2019").phase == Process.Phase.PUBLISHED


def test_command_names_an_unknown_area(borough, tmp_path) -> None:
    path = tmp_path / "x.pb"
    path.write_bytes(small_pb(["v1;A;x"]))
    with pytest.raises(CommandError, match="no area with code 'E0600XXXX'"):
        call_command("import_pb", str(path), "--area", "E0600XXXX")
