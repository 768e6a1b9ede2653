from decimal import Decimal

import pytest
from django.test import Client

from commonweal.accountability.models import Comment, Follow, Result, Review, Spend, Version

pytestmark = pytest.mark.usefixtures("accountability_demo")


def chained() -> Result:
    return Result.objects.get(proposal__isnull=False, award__isnull=False)


def test_the_chain_page_shows_proposal_contract_result_spend_and_outcome(client: Client) -> None:
    result = chained()
    page = client.get(f"/results/{result.pk}/").content.decode()
    for heading in ("1. Proposal", "2. Contract", "3. Result", "4. Spend", "5. Outcome"):
        assert heading in page
    assert result.proposal.code in page
    assert result.award.bid.supplier.name in page
    assert 'role="img"' in page and "<title" in page and 'id="spend-table"' in page


def test_the_area_page_lists_results_and_open_reviews(client: Client) -> None:
    page = client.get("/areas/E06000999/accountability/").content.decode()
    assert "Youth services" in page
    assert Result.objects.filter(area__code="E06000999").first().title in page


def test_the_authority_page_links_to_accountability(client: Client) -> None:
    assert "/areas/E06000999/accountability/" in client.get("/areas/E06000999/").content.decode()


def test_an_officer_update_is_versioned_and_published(signed_in) -> None:
    client = signed_in("officer@example.org")
    result = chained()
    before = result.progress
    response = client.post(
        f"/results/{result.pk}/update/",
        {"text": "Roof is on.", "status": "in_progress", "progress": "85",
         "spent": "1000", "spent_on": "2026-01-05"},
    )
    assert response.status_code == 302
    version = Version.objects.filter(result=result, field="progress").first()
    assert (version.before, version.after) == (str(before), "85")
    assert Spend.objects.filter(result=result, amount=Decimal(1000)).exists()
    history = client.get(f"/results/{result.pk}/history/").content.decode()
    assert "Olu Officer" in history and "85" in history


def test_a_bad_update_names_the_field_in_gov_uk_words(signed_in) -> None:
    client = signed_in("officer@example.org")
    form = {"text": "x", "status": "planned", "progress": "140"}
    page = client.post(f"/results/{chained().pk}/update/", form)
    assert page.status_code == 200
    assert "Progress must be 100 or less" in page.content.decode()
    assert "govuk-error-summary" in page.content.decode()


def test_a_resident_cannot_post_an_update(signed_in) -> None:
    client = signed_in("resident@example.org")
    assert client.post(f"/results/{chained().pk}/update/", {}).status_code == 403


def test_a_verified_resident_comments_under_their_neighbourhood_not_their_name(signed_in) -> None:
    client = signed_in("resident@example.org")
    result = chained()
    assert client.post(f"/results/{result.pk}/comment/", {"text": "When will it open?"}).status_code == 302
    page = client.get(f"/results/{result.pk}/").content.decode()
    assert "When will it open?" in page
    comment = Comment.objects.filter(result=result).last()
    assert comment.author.full_name not in page


def test_an_unverified_resident_cannot_comment(signed_in) -> None:
    client = signed_in("newcomer@example.org")
    assert client.post(f"/results/{chained().pk}/comment/", {"text": "Hello"}).status_code == 403


def test_an_officer_hides_a_comment_with_a_public_reason(signed_in) -> None:
    comment = Comment.objects.first()
    client = signed_in("officer@example.org")
    response = client.post(f"/comments/{comment.pk}/hide/", {"reason": "Names a member of staff"})
    assert response.status_code == 302
    page = client.get(f"/results/{comment.result.pk}/").content.decode()
    assert "Names a member of staff" in page and comment.text not in page


def test_a_resident_follows_and_unfollows(signed_in) -> None:
    client = signed_in("resident@example.org")
    result = chained()
    client.post(f"/results/{result.pk}/follow/")
    assert Follow.objects.filter(result=result).count() == 1
    client.post(f"/results/{result.pk}/follow/")
    assert Follow.objects.filter(result=result).count() == 0


def test_an_officer_responds_to_a_review(signed_in) -> None:
    review = Review.objects.get(area__code="E06000999", standard__service__slug="youth-services")
    client = signed_in("officer@example.org")
    response = client.post(f"/reviews/{review.pk}/", {"response": "We are hiring two youth workers."})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.RESPONDED
    assert "We are hiring" in client.get(f"/reviews/{review.pk}/").content.decode()


def test_the_public_cannot_respond_to_a_review(client: Client) -> None:
    review = Review.objects.get(area__code="E06000999", standard__service__slug="youth-services")
    assert client.post(f"/reviews/{review.pk}/", {"response": "x"}).status_code == 403
