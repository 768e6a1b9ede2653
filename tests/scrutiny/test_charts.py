import re

import pytest

from commonweal.places.models import NationalStandard
from commonweal.scrutiny import charts
from commonweal.scrutiny.analysis import analyse_standard, area_profile


@pytest.fixture
def gp_access(nation):
    return analyse_standard(NationalStandard.objects.get(service__slug="gp-access"))


def funnel(analysis, code=None) -> str:
    s = analysis.standard
    return charts.funnel_plot(
        "funnel",
        "Funnel plot",
        analysis.results,
        analysis.funnel,
        float(s.floor),
        s.floor_text,
        s.unit,
        analysis.result_for(code),
    )


def test_funnel_plot_is_an_image_with_a_title_and_a_description(gp_access):
    svg = funnel(gp_access)

    assert 'role="img"' in svg and 'aria-labelledby="funnel-title funnel-desc"' in svg
    assert '<title id="funnel-title">Funnel plot</title>' in svg
    assert "Funnel plot of 304 authorities" in svg


def test_funnel_plot_draws_both_pairs_of_limits_england_and_the_floor(gp_access):
    svg = funnel(gp_access)

    for limit in ("95-lower", "95-upper", "998-lower", "998-upper"):
        assert f'data-limit="{limit}"' in svg
    assert 'class="england"' in svg and "England 8" in svg
    assert 'class="floor"' in svg and "Floor: at least 85%" in svg
    assert svg.count('class="area"') == 304


def test_funnel_plot_highlights_the_chosen_area_and_describes_it(gp_access):
    svg = funnel(gp_access, "E06000999")

    assert re.search(r'<circle class="area highlighted" data-area="E06000999"', svg)
    assert svg.count('class="area"') == 303
    assert "Thornbury Vale is highlighted" in svg


def test_limits_lie_either_side_of_england_and_narrow_as_the_denominator_grows(gp_access):
    limits, england = gp_access.funnel.limits, gp_access.funnel.england

    assert (limits.lower_998 <= limits.lower_95).all() and (limits.lower_95 < england).all()
    assert (limits.upper_95 > england).all() and (limits.upper_998 >= limits.upper_95).all()
    width = limits.upper_998 - limits.lower_998
    assert (width[1:] <= width[:-1]).all()


def test_generated_nation_has_a_few_authorities_truly_outside_the_limits(gp_access):
    outside = [r for r in gp_access.results if r.outside_998]

    assert outside and len(outside) < len(gp_access.results)


def test_inequality_chart_draws_the_sii_line_and_each_decile(gp_access):
    s = gp_access.standard
    svg = charts.inequality_chart("inequality", "By decile", gp_access.inequality, 85, s.floor_text, "%")

    assert 'role="img"' in svg and 'class="sii"' in svg
    assert [int(d) for d in re.findall(r'data-decile="(\d+)"', svg)] == list(range(1, 11))
    assert gp_access.inequality.reading in svg


def test_following_deprivation_is_read_as_worse_where_deprivation_is_greater(gp_access):
    assert gp_access.inequality.sii > 0
    assert "worse where deprivation is greater" in gp_access.inequality.reading


def test_sparkline_is_an_image_describing_first_and_last_periods(nation):
    from commonweal.places.models import Area

    area = Area.objects.get(code="E06000999")
    indicator = area_profile(area)[0]

    svg = charts.sparkline("trend", area.name, indicator)

    assert 'role="img"' in svg and 'class="trend"' in svg
    assert f"in {indicator.trend[0].period}" in svg and f"in {indicator.trend[-1].period}" in svg


def test_text_in_a_chart_is_escaped(gp_access):
    gp_access.results[0].area.name = "<script>alert(1)</script>"

    svg = funnel(gp_access, gp_access.results[0].area.code)

    assert "<script>" not in svg and "&lt;script&gt;" in svg


@pytest.mark.parametrize(
    "lo, hi, ticks",
    [(0, 10, [0, 2, 4, 6, 8, 10]), (62.3, 75.1, [65, 70, 75]), (0, 60_000, [0, 20_000, 40_000, 60_000])],
)
def test_ticks_are_round_numbers_inside_the_range(lo, hi, ticks):
    assert charts.nice_ticks(lo, hi) == ticks
