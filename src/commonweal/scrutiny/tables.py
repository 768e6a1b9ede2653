"""The tables every scrutiny page prints, built once so the page and its CSV download say the same thing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.http import HttpResponse
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from commonweal.places.models import Area, NationalStandard

from .analysis import Indicator, StandardAnalysis


@dataclass(frozen=True)
class Cell:
    """What a cell shows; `value` is what the CSV holds (empty for a missing number, not a dash)."""

    text: str
    value: str | None = None
    tag: str | None = None  # GOV.UK tag colour, always alongside the words
    href: str | None = None
    numeric: bool = False

    @property
    def csv(self) -> str:
        return self.text if self.value is None else self.value


@dataclass(frozen=True)
class Table:
    name: str  # the ?table= key and the last part of the file name
    caption: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    file_stem: str = ""

    @property
    def numeric_columns(self) -> list[bool]:
        return [bool(self.rows) and self.rows[0][i].numeric for i in range(len(self.columns))]

    @property
    def file_name(self) -> str:
        return f"{self.file_stem}-{self.name}.csv"

    def as_html(self) -> SafeString:
        """The GOV.UK table, built here rather than in a template: 300 authorities × 10 columns would
        otherwise spend most of the page's time in the template engine."""
        head = "".join(f'<th scope="col" class="govuk-table__header">{escape(c)}</th>' for c in self.columns)
        body = "".join(
            f'<tr class="govuk-table__row">{"".join(_cell(c, i == 0) for i, c in enumerate(row))}</tr>'
            for row in self.rows
        )
        if not self.rows:
            body = (
                f'<tr class="govuk-table__row"><td class="govuk-table__cell" colspan="{len(self.columns)}">'
                "No measurements yet.</td></tr>"
            )
        return mark_safe(
            f'<table class="govuk-table cw-scrutiny-table" id="table-{escape(self.name)}">'
            f'<caption class="govuk-table__caption govuk-table__caption--s">{escape(self.caption)}</caption>'
            f'<thead class="govuk-table__head"><tr class="govuk-table__row">{head}</tr></thead>'
            f'<tbody class="govuk-table__body">{body}</tbody></table>'
        )

    def csv_rows(self) -> list[list[str]]:
        return [self.columns, *([cell.csv for cell in row] for row in self.rows)]


def _cell(cell: Cell, header: bool) -> str:
    text = escape(cell.text)
    if cell.href:
        text = f'<a class="govuk-link" href="{escape(cell.href)}">{text}</a>'
    elif cell.tag:
        text = f'<strong class="govuk-tag govuk-tag--{escape(cell.tag)}">{text}</strong>'
    if header:
        return f'<th scope="row" class="govuk-table__header">{text}</th>'
    numeric = " govuk-table__cell--numeric" if cell.numeric else ""
    return f'<td class="govuk-table__cell{numeric}">{text}</td>'


def csv_response(table: Table) -> HttpResponse:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(table.csv_rows())
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table.file_name}"'
    return response


def _n(value: float, numeric: bool = True) -> Cell:
    return Cell(f"{value:.1f}", numeric=numeric)


def _count(value: int) -> Cell:
    return Cell(f"{value:,}", value=str(value), numeric=True)


def _unit(standard: NationalStandard) -> str:
    return standard.unit


def authorities_table(analysis: StandardAnalysis) -> Table:
    standard, unit = analysis.standard, _unit(analysis.standard)
    rows = [
        [
            Cell(r.area.name, href=reverse("scrutiny:area", args=[r.area.code])),
            Cell(r.area.code),
            _count(r.numerator),
            _count(r.denominator),
            _n(r.value),
            _n(r.lower),
            _n(r.upper),
            Cell(r.floor_status, tag=r.floor_colour),
            Cell(r.england_status, tag=r.england_colour),
            Cell(r.funnel_reading),
        ]
        for r in analysis.results
    ]
    return Table(
        "authorities",
        f"{standard.service.name}, {analysis.period}: every authority against the floor "
        f"({standard.floor_text}) "
        "and England, those below the floor first",
        [
            "Authority",
            "Code",
            "Numerator",
            "Denominator",
            f"Value ({unit})",
            "95% lower",
            "95% upper",
            "Against the floor",
            "Against England",
            "Funnel plot reading",
        ],
        rows,
        file_stem=f"{standard.service.slug}-{analysis.period}",
    )


def deciles_table(analysis: StandardAnalysis) -> Table:
    standard, unit = analysis.standard, _unit(analysis.standard)
    rows = [
        [
            Cell(str(d.decile), numeric=True),
            _count(d.areas),
            _count(d.numerator),
            _count(d.denominator),
            _n(d.value),
            _n(d.lower),
            _n(d.upper),
        ]
        for d in analysis.inequality.rows
    ]
    return Table(
        "deprivation-deciles",
        f"{standard.service.name}, {analysis.period}: authorities grouped by deprivation decile "
        "(1 is the most deprived tenth)",
        [
            "Deprivation decile",
            "Authorities",
            "Numerator",
            "Denominator",
            f"Value ({unit})",
            "95% lower",
            "95% upper",
        ],
        rows,
        file_stem=f"{standard.service.slug}-{analysis.period}",
    )


def standard_tables(analysis: StandardAnalysis) -> dict[str, Table]:
    return {t.name: t for t in (authorities_table(analysis), deciles_table(analysis))}


def indicators_table(area: Area, profile: list[Indicator]) -> Table:
    rows = []
    for indicator in profile:
        standard, r = indicator.standard, indicator.latest
        first = [
            Cell(standard.service.name, href=reverse("scrutiny:standard", args=[standard.service.slug])),
            Cell(standard.indicator),
            Cell(standard.unit),
            Cell(standard.floor_text),
        ]
        if r is None:
            missing = Cell("–", value="", numeric=True)
            rows.append(
                [
                    *first,
                    Cell("Not measured"),
                    missing,
                    missing,
                    missing,
                    missing,
                    Cell("Not compared", tag="grey"),
                    Cell("Not compared", tag="grey"),
                ]
            )
            continue
        rows.append(
            [
                *first,
                Cell(r.period),
                _n(r.value),
                _n(r.lower),
                _n(r.upper),
                _n(r.england),
                Cell(r.floor_status, tag=r.floor_colour),
                Cell(r.england_status, tag=r.england_colour),
            ]
        )
    return Table(
        "indicators",
        f"{area.name}: the latest measurement of every national standard, against its floor and England",
        [
            "Service",
            "Indicator",
            "Unit",
            "Floor",
            "Period",
            "Value",
            "95% lower",
            "95% upper",
            "England",
            "Against the floor",
            "Against England",
        ],
        rows,
        file_stem=f"{slugify(area.name)}-{area.code}",
    )


def trend_table(area: Area, profile: list[Indicator]) -> Table:
    rows = [
        [
            Cell(indicator.standard.service.name),
            Cell(r.period),
            _count(r.numerator),
            _count(r.denominator),
            _n(r.value),
            _n(r.lower),
            _n(r.upper),
            _n(r.england),
            Cell(r.england_status, tag=r.england_colour),
        ]
        for indicator in profile
        for r in indicator.trend
    ]
    return Table(
        "trend",
        f"{area.name}: every period measured, oldest first",
        [
            "Service",
            "Period",
            "Numerator",
            "Denominator",
            "Value",
            "95% lower",
            "95% upper",
            "England",
            "Against England",
        ],
        rows,
        file_stem=f"{slugify(area.name)}-{area.code}",
    )


def area_tables(area: Area, profile: list[Indicator]) -> dict[str, Table]:
    return {t.name: t for t in (indicators_table(area, profile), trend_table(area, profile))}
