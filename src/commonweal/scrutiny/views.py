"""Public scrutiny pages for each standard and each area, their CSV downloads, and the officer import."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from commonweal.places.models import Area, NationalStandard
from commonweal.places.permissions import Action, allowed, require

from . import charts
from .analysis import analyse_standard, area_profile
from .forms import MeasurementUploadForm, StandardViewForm
from .importing import import_action, write_import
from .models import MeasurementImport
from .tables import Table, area_tables, csv_response, standard_tables


def nation() -> Area:
    return get_object_or_404(Area, kind=Area.Kind.NATION, parent=None)


def _download(request: HttpRequest, tables: dict[str, Table]) -> HttpResponse | None:
    """The CSV of the table named in ?table= when ?format=csv is asked for; None for the page itself."""
    if request.GET.get("format") != "csv":
        return None
    table = tables.get(request.GET.get("table", ""))
    if table is None:
        raise Http404("Choose a table to download: " + ", ".join(tables))
    return csv_response(table)


def standard_detail(request: HttpRequest, slug: str) -> HttpResponse:
    standard = get_object_or_404(NationalStandard.objects.select_related("service"), service__slug=slug)
    require(request.user, Action.VIEW, nation())
    analysis = analyse_standard(standard, request.GET.get("period"))
    form = StandardViewForm(
        request.GET, periods=analysis.periods, areas=sorted((r.area for r in analysis.results), key=str)
    )
    tables = standard_tables(analysis)
    if (download := _download(request, tables)) is not None:
        return download
    highlight = analysis.result_for(form.chosen("area"))
    floor = float(standard.floor)
    country = nation()
    context = {
        "standard": standard,
        "analysis": analysis,
        "highlight": highlight,
        "authorities_table": tables["authorities"],
        "deciles_table": tables["deprivation-deciles"],
        "below": analysis.count("Below the floor"),
        "below_maybe": analysis.count("Below the floor, could be chance"),
        # Bound to the query string, so a bad choice shows in the error summary like any form.
        "form": form if request.GET else None,
        "view_form": form,
        "nation_code": country.code,
        "can_import": allowed(request.user, Action.SET_STANDARDS, country),
    }
    if analysis.results:
        context["funnel_svg"] = charts.funnel_plot(
            "funnel",
            f"Funnel plot: {standard.service.name}, {analysis.period}",
            analysis.results,
            analysis.funnel,
            floor,
            standard.floor_text,
            standard.unit,
            highlight,
        )
        context["inequality_svg"] = (
            charts.inequality_chart(
                "inequality",
                f"{standard.service.name} by deprivation decile, {analysis.period}",
                analysis.inequality,
                floor,
                standard.floor_text,
                standard.unit,
            )
            if analysis.inequality.rows
            else None
        )
    return render(request, "scrutiny/standard_detail.html", context)


def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    area = get_object_or_404(Area.objects.select_related("parent"), code=code)
    require(request.user, Action.VIEW, area)
    profile = area_profile(area)
    tables = area_tables(area, profile)
    if (download := _download(request, tables)) is not None:
        return download
    sparklines = [
        (indicator, charts.sparkline(f"trend-{indicator.standard.service.slug}", area.name, indicator))
        for indicator in profile
    ]
    context = {
        "area": area,
        "profile": profile,
        "tables": tables,
        "sparklines": sparklines,
        "can_import": allowed(request.user, import_action(area), area),
    }
    return render(request, "scrutiny/area_detail.html", context)


@login_required
def import_measurements(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_object_or_404(Area, code=code)
    require(request.user, import_action(scope), scope)
    # Bound on every POST, even an empty one, so a missing file is an error rather than a blank form.
    posted = request.method == "POST"
    form = MeasurementUploadForm(
        request.POST if posted else None, request.FILES if posted else None, scope=scope
    )
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        result = write_import(
            form.rows,
            file_name=upload.name,
            standard=form.cleaned_data["standard"],
            scope=scope,
            imported_by=request.user,
        )
        messages.success(request, result.summary)
        return redirect("scrutiny:import", code=scope.code)
    recent = MeasurementImport.objects.filter(area=scope).select_related("standard__service", "imported_by")[
        :20
    ]
    return render(request, "scrutiny/import.html", {"scope": scope, "form": form, "recent": recent})
