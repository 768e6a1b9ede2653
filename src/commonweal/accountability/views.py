"""Public pages of results and reviews, and the officer's and resident's forms on them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from commonweal.places.models import Area
from commonweal.places.permissions import Action, allowed, require
from commonweal.scrutiny.analysis import area_profile
from commonweal.scrutiny.charts import sparkline

from . import services
from .charts import spend_chart
from .forms import CommentForm, HideForm, ResponseForm, UpdateForm
from .models import Comment, Follow, Result, Review
from .services import AccountabilityError


def show_refusal(form, error: AccountabilityError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


def area_page(request: HttpRequest, code: str) -> HttpResponse:
    area = get_object_or_404(Area, code=code)
    require(request.user, Action.VIEW, area)
    results = Result.objects.filter(area=area).prefetch_related("spends").select_related("proposal", "award")
    reviews = Review.objects.filter(area=area).select_related("standard__service", "responsible")
    context = {"area": area, "results": results, "reviews": reviews}
    return render(request, "accountability/area.html", context)


def get_result(pk: int) -> Result:
    queryset = Result.objects.select_related(
        "area", "proposal__process", "proposal__neighbourhood", "award__bid__supplier", "award__lot__tender"
    ).prefetch_related("spends", "milestones", "indicators__service")
    return get_object_or_404(queryset, pk=pk)


def result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_result(pk)
    require(request.user, Action.VIEW, result.area)
    linked = {s.pk for s in result.indicators.all()}
    outcomes = [i for i in area_profile(result.area) if i.standard.pk in linked] if linked else []
    user = request.user
    context = {
        "result": result,
        "chart": spend_chart(
            "spend-chart",
            f"Planned and actual spend on {result.title}",
            result.planned_spend,
            result.actual_spend,
        ),
        "outcomes": [(i, sparkline(f"outcome-{i.standard.pk}", result.area.name, i)) for i in outcomes],
        "commitments": result.award.bid.commitments.select_related("measure") if result.award else [],
        "updates": result.updates.select_related("posted_by"),
        "comments": result.comments.select_related("neighbourhood"),
        "can_manage": allowed(user, Action.MANAGE_AREA, result.area),
        "can_comment": allowed(user, Action.PARTICIPATE, result.area),
        "following": user.is_authenticated and Follow.objects.filter(result=result, follower=user).exists(),
        "followers": result.follows.count(),
        "comment_form": CommentForm(),
    }
    return render(request, "accountability/result.html", context)


def result_history(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_result(pk)
    require(request.user, Action.VIEW, result.area)
    versions = result.versions.select_related("changed_by")
    return render(request, "accountability/history.html", {"result": result, "versions": versions})


@login_required
def update(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_result(pk)
    require(request.user, Action.MANAGE_AREA, result.area)
    form = UpdateForm(request.POST or None, result=result)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.post_update(
                result,
                request.user,
                data["text"],
                status=data["status"],
                progress=data["progress"],
                spent=data["spent"],
                spent_on=data["spent_on"],
                spent_on_what=data["spent_on_what"],
            )
        except AccountabilityError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Your update is published on the result's page.")
            return redirect("accountability:result", pk=result.pk)
    return render(request, "accountability/update.html", {"result": result, "form": form})


@login_required
@require_POST
def follow(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_result(pk)
    require(request.user, Action.VIEW, result.area)
    existing = Follow.objects.filter(result=result, follower=request.user)
    if existing.exists():
        existing.delete()
        messages.success(request, "You no longer follow this result.")
    else:
        Follow.objects.create(result=result, follower=request.user)
        messages.success(request, "You follow this result.")
    return redirect("accountability:result", pk=result.pk)


@login_required
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_result(pk)
    require(request.user, Action.PARTICIPATE, result.area)
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_comment(result, request.user, form.cleaned_data["text"])
        except AccountabilityError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Your comment is published.")
            return redirect("accountability:result", pk=result.pk)
    return render(request, "accountability/comment.html", {"result": result, "form": form})


@login_required
def hide(request: HttpRequest, pk: int) -> HttpResponse:
    remark = get_object_or_404(Comment.objects.select_related("result__area"), pk=pk)
    require(request.user, Action.MANAGE_AREA, remark.result.area)
    form = HideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.hide_comment(remark, request.user, form.cleaned_data["reason"])
        messages.success(request, "The comment is hidden; the reason is shown in its place.")
        return redirect("accountability:result", pk=remark.result.pk)
    return render(request, "accountability/hide.html", {"comment": remark, "form": form})


def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(
        Review.objects.select_related("area", "standard__service", "responsible"), pk=pk
    )
    require(request.user, Action.VIEW, review.area)
    can_respond = allowed(request.user, Action.MANAGE_AREA, review.area)
    form = ResponseForm(request.POST or None) if can_respond else None
    if request.method == "POST":
        require(request.user, Action.MANAGE_AREA, review.area)
        if form.is_valid():
            services.respond_to_review(review, request.user, form.cleaned_data["response"])
            messages.success(request, "The response is published.")
            return redirect("accountability:review", pk=review.pk)
    return render(request, "accountability/review.html", {"review": review, "form": form})
