"""Procurement's services: publishing, bids, evaluation, moderation, award, delivery, LM3, OCDS import."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commonweal.procurement import services
from commonweal.procurement.models import (
    Award,
    Bid,
    Commitment,
    Criterion,
    Evaluation,
    ImportedRelease,
    ProcurementPolicy,
    SpendSurvey,
    Tender,
)
from commonweal.procurement.ocds import OcdsError
from commonweal.procurement.scoring import Weights
from commonweal.procurement.services import ProcurementError

D = Decimal


def scored_bid(tender, supplier, price, quality, social, evaluator, commitments=None):
    bid = services.enter_bid(tender.lots.get(), supplier, D(price), commitments or {}, evaluator)
    services.evaluate(bid, evaluator, Criterion.QUALITY, D(quality))
    services.evaluate(bid, evaluator, Criterion.SOCIAL_VALUE, D(social))
    return bid


def test_weights_not_adding_to_100_are_refused_and_nothing_is_stored(make_tender) -> None:
    with pytest.raises(ProcurementError, match="add up to 100%") as refused:
        make_tender(weights=Weights(50, 40, 20))
    assert refused.value.field == "price_weight" and not Tender.objects.exists()


def test_social_value_below_the_national_floor_is_refused(make_tender) -> None:
    with pytest.raises(ProcurementError, match="at least 10%") as refused:
        make_tender(weights=Weights(50, 45, 5))
    assert refused.value.field == "social_value_weight" and not Tender.objects.exists()


def test_an_area_may_raise_the_floor_for_its_tenders(make_tender, borough) -> None:
    ProcurementPolicy.objects.create(area=borough, social_value_floor=20)
    with pytest.raises(ProcurementError, match="at least 20%"):
        make_tender(weights=Weights(45, 40, 15))
    assert services.social_value_floor(borough) == 20


def test_a_region_floor_applies_to_its_authorities(make_tender, borough) -> None:
    ProcurementPolicy.objects.create(area=borough.parent, social_value_floor=15)
    assert services.social_value_floor(borough) == 15


def test_a_late_bid_is_refused_and_nothing_is_stored(tender, suppliers, officer, measures) -> None:
    after = tender.deadline + timedelta(seconds=1)
    with pytest.raises(ProcurementError, match=r"closed on .* a late bid cannot be entered"):
        services.enter_bid(
            tender.lots.get(),
            suppliers["Vale Co-op"],
            D(90_000),
            {measures["CW-EMP"]: D(2)},
            officer,
            at=after,
        )
    assert not Bid.objects.exists() and not Commitment.objects.exists()


@pytest.mark.parametrize("price", [D(0), D(-5), D("NaN")])
def test_a_price_that_is_not_positive_is_refused(tender, suppliers, officer, price) -> None:
    with pytest.raises(ProcurementError) as refused:
        services.enter_bid(tender.lots.get(), suppliers["Vale Co-op"], price, {}, officer)
    assert refused.value.field == "price" and not Bid.objects.exists()


def test_a_supplier_bids_once_per_lot(tender, suppliers, officer) -> None:
    services.enter_bid(tender.lots.get(), suppliers["Vale Co-op"], D(1), {}, officer)
    with pytest.raises(ProcurementError, match="already bid"):
        services.enter_bid(tender.lots.get(), suppliers["Vale Co-op"], D(2), {}, officer)


def test_a_commitment_to_a_measure_outside_the_tender_is_refused(
    tender, suppliers, officer, measures
) -> None:
    with pytest.raises(ProcurementError, match="CW-CO2 is not one of"):
        services.enter_bid(
            tender.lots.get(), suppliers["Vale Co-op"], D(1), {measures["CW-CO2"]: D(1)}, officer
        )
    assert not Bid.objects.exists()


def test_an_evaluator_cannot_score_their_own_organisations_bid(tender, suppliers, officer) -> None:
    suppliers["Vale Co-op"].members.add(officer)
    bid = services.enter_bid(tender.lots.get(), suppliers["Vale Co-op"], D(1), {}, officer)
    with pytest.raises(ProcurementError, match="You work for Vale Co-op") as refused:
        services.evaluate(bid, officer, Criterion.QUALITY, D(70))
    assert refused.value.field == "score" and not Evaluation.objects.exists()


def test_scores_far_apart_must_be_moderated_before_scoring(
    tender, suppliers, officer, second_officer
) -> None:
    bid = scored_bid(tender, suppliers["Vale Co-op"], 90_000, 40, 50, officer)
    services.evaluate(bid, second_officer, Criterion.QUALITY, D(80))
    with pytest.raises(ProcurementError, match="differ by more than 20 points: moderate them first"):
        services.score_lot(tender.lots.get())
    services.moderate(bid, Criterion.QUALITY, D(65), "Agreed at the moderation meeting", officer)
    result, _ = services.score_lot(tender.lots.get())
    assert services.bid_scores(bid, Criterion.QUALITY).carried == 65 and result.winner.total == 90


def test_a_bid_without_a_score_cannot_be_scored(tender, suppliers, officer) -> None:
    services.enter_bid(tender.lots.get(), suppliers["Vale Co-op"], D(1), {}, officer)
    with pytest.raises(ProcurementError, match="no quality score yet"):
        services.score_lot(tender.lots.get())


def test_awarding_before_the_deadline_is_refused(tender, suppliers, officer) -> None:
    scored_bid(tender, suppliers["Vale Co-op"], 90_000, 70, 70, officer)
    with pytest.raises(ProcurementError, match="Bids are open until"):
        services.award_tender(tender, officer)
    assert not Award.objects.exists()


def test_the_award_goes_to_the_best_total_with_the_breakdown_stored(
    tender, suppliers, officer, measures, close
) -> None:
    # Hand-computed: co-op price 80000/100000 = 0.8 -> 32, quality 1 -> 40, social value: proxy
    # 2 × £24,000 over the best (itself) = 1 and score 1, so 20: total 92. plc: price 1 -> 40,
    # quality 60/80 -> 30, proxy 0 and score 40/80 -> 0.5 × 0.5 × 20 = 5: total 75.
    coop = scored_bid(tender, suppliers["Vale Co-op"], 100_000, 80, 80, officer, {measures["CW-EMP"]: D(2)})
    scored_bid(tender, suppliers["Big plc"], 80_000, 60, 40, officer)
    close(tender)
    (award,) = services.award_tender(tender, officer)
    assert award.bid == coop and award.value == D(100_000)
    assert [(row["supplier"], row["total"]) for row in award.breakdown] == [
        ("Vale Co-op", 92.0),
        ("Big plc", 75.0),
    ]
    tender.refresh_from_db()
    assert tender.status == Tender.Status.AWARDED


def test_a_tender_is_awarded_once(tender, suppliers, officer, close) -> None:
    scored_bid(tender, suppliers["Vale Co-op"], 90_000, 70, 70, officer)
    close(tender)
    services.award_tender(tender, officer)
    with pytest.raises(ProcurementError, match="already been awarded"):
        services.award_tender(tender, officer)


def test_scores_cannot_change_after_award(tender, suppliers, officer, close) -> None:
    bid = scored_bid(tender, suppliers["Vale Co-op"], 90_000, 70, 70, officer)
    close(tender)
    services.award_tender(tender, officer)
    with pytest.raises(ProcurementError, match="can no longer change"):
        services.evaluate(bid, officer, Criterion.QUALITY, D(10))


def test_delivery_is_recorded_only_for_a_winning_bid(tender, suppliers, officer, measures, close) -> None:
    bid = scored_bid(tender, suppliers["Vale Co-op"], 90_000, 70, 70, officer, {measures["CW-EMP"]: D(2)})
    commitment = bid.commitments.get()
    with pytest.raises(ProcurementError, match="only for commitments in a winning bid"):
        services.record_delivery(commitment, D(1))
    close(tender)
    services.award_tender(tender, officer)
    services.record_delivery(commitment, D(1))
    (row,) = services.deliveries(tender.area)
    assert (row.committed, row.delivered, row.percent) == (D(48_000), D(24_000), 50.0)


@pytest.fixture
def award(tender, suppliers, officer, close) -> Award:
    scored_bid(tender, suppliers["Vale Co-op"], 100_000, 70, 70, officer)
    close(tender)
    return services.award_tender(tender, officer)[0]


def test_an_lm3_survey_gives_the_hand_computed_multiplier(award, officer) -> None:
    services.record_survey(
        award,
        local_supplier_spend=D(30_000),
        local_staff_spend=D(20_000),
        surveyed_on=date(2026, 3, 31),
        by=officer,
        sample=[("Bakery", D(10_000), D(4_000)), ("Worker", D(10_000), D(6_000))],
    )
    assert services.award_lm3(award).value == D("1.75")
    _, overall = services.area_lm3(award.lot.tender.area)
    assert overall.value == D("1.75")


def test_a_survey_spending_more_locally_than_the_contract_is_refused_and_nothing_stored(
    award, officer
) -> None:
    with pytest.raises(ProcurementError, match="cannot be more than the contract value"):
        services.record_survey(
            award,
            local_supplier_spend=D(90_000),
            local_staff_spend=D(20_000),
            surveyed_on=date(2026, 3, 31),
            sample=[],
            by=officer,
        )
    assert not SpendSurvey.objects.exists()


def test_a_bad_sample_line_is_named() -> None:
    with pytest.raises(ProcurementError, match="Line 2: enter what was spent locally in pounds"):
        services.parse_sample("Bakery, 100, 50\nCabs, 100, lots\n")


def test_spend_shares_and_concentration_are_computed_from_awards(
    make_tender, suppliers, officer, close
) -> None:
    for name, price in (("Vale Co-op", 75_000), ("Big plc", 25_000)):
        tender = make_tender(title=f"Contract for {name}")
        scored_bid(tender, suppliers[name], price, 70, 70, officer)
        close(tender)
        services.award_tender(tender, officer)
    (year,) = services.spend_by_year(suppliers["Vale Co-op"].area)
    assert (year.total, year.share("local"), year.share("sme"), year.share("mutual")) == (
        D(100_000),
        75,
        75,
        75,
    )
    # HHI = 75² + 25² = 6,250
    assert services.hhi(v for _, v in services.supplier_shares(suppliers["Vale Co-op"].area)) == 6250
    assert services.hhi([]) == 0


def test_hhi_of_ten_equal_suppliers_is_1000() -> None:
    assert services.hhi([D(5)] * 10) == pytest.approx(1000)


def test_the_export_is_valid_ocds_and_lists_the_award_supplier(award, shared_data) -> None:
    folder = shared_data("ocds")
    schemas = [
        json.loads((folder / n).read_text()) for n in ("release-package-schema.json", "release-schema.json")
    ]
    package = services.release_package(
        award.lot.tender.area, uri="https://example.org/p.json", prefix="ocds-test01"
    )
    from commonweal.procurement.ocds import schema_problems

    assert not schema_problems(package, *schemas)
    award_release = next(r for r in package["releases"] if r["tag"] == ["award"])
    supplier = next(p for p in award_release["parties"] if p["name"] == "Vale Co-op")
    assert "supplier" in supplier["roles"] and award_release["awards"][0]["value"]["amount"] == 100_000


@pytest.fixture
def schema_dir(shared_data, settings):
    settings.OCDS_SCHEMA_DIR = shared_data("ocds")


def test_importing_a_valid_package_stores_its_releases_and_merges_them(award, borough, schema_dir) -> None:
    package = services.release_package(
        award.lot.tender.area, uri="https://example.org/p.json", prefix="ocds-other1"
    )
    count = services.import_package(borough, json.dumps(package).encode(), "other.json", None)
    assert count == 2 == ImportedRelease.objects.count()
    (process,) = services.compared_processes(borough)
    assert process.suppliers == ["Vale Co-op"] and process.awarded == D(100_000) and process.releases == 2


def test_importing_a_package_that_fails_the_schema_stores_nothing(award, borough, schema_dir) -> None:
    package = services.release_package(award.lot.tender.area, uri="https://example.org/p.json")
    package["releases"][1]["tag"] = ["won"]
    with pytest.raises(OcdsError, match=r"bad\.json releases/1/tag/0: 'won' is not one of"):
        services.import_package(borough, json.dumps(package).encode(), "bad.json", None)
    assert not ImportedRelease.objects.exists()


def test_importing_without_the_schemas_installed_says_so(borough, settings, tmp_path) -> None:
    settings.OCDS_SCHEMA_DIR = tmp_path
    with pytest.raises(OcdsError, match="OCDS schemas are not installed"):
        services.import_package(borough, b'{"releases": []}', "x.json", None)


def test_the_demo_tender_deadline_is_in_the_future(tender) -> None:
    assert tender.takes_bids() and not tender.takes_bids(timezone.now() + timedelta(days=11))
