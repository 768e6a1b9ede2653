from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from commonweal.places.models import Area, Measurement, NationalStandard
from commonweal.scrutiny.importing import MeasurementFileError, find_standard, import_measurements
from commonweal.scrutiny.management.commands.scrutiny import ProgressBar
from commonweal.scrutiny.models import MeasurementImport
from commonweal.scrutiny.periods import CALENDAR_YEAR, FINANCIAL_YEAR, QUARTER, parse_period

HEADER = "area_code,period,numerator,denominator\n"


def run(text: str | bytes, scope_code: str = "E92000001", slug: str = "gp-access"):
    data = text.encode() if isinstance(text, str) else text
    return import_measurements(
        data, file_name="upload.csv", standard=find_standard(slug), scope=Area.objects.get(code=scope_code)
    )


def snapshot() -> list[tuple]:
    return list(Measurement.objects.order_by("pk").values_list("pk", "numerator", "denominator", "period"))


BAD_FILES = {
    "numerator above denominator": (HEADER + "E06000999,2025-26,130,120\n", 2, "numerator", "more than"),
    "negative numerator": (HEADER + "E06000999,2025-26,-5,120\n", 2, "numerator", "negative"),
    "negative denominator": (HEADER + "E06000999,2025-26,5,-120\n", 2, "denominator", "negative"),
    "unknown area": (
        HEADER + "E06000999,2025-26,5,10\nE06009999,2025-26,5,10\n",
        3,
        "area_code",
        "E06009999",
    ),
    "decimal comma": (HEADER + 'E06000999,2025-26,"12,5",120\n', 2, "numerator", "decimal comma"),
    "decimal point": (HEADER + "E06000999,2025-26,12.5,120\n", 2, "numerator", "whole number"),
    "thousands comma": (HEADER + 'E06000999,2025-26,5,"1,250"\n', 2, "denominator", "without commas"),
    "not a number": (HEADER + "E06000999,2025-26,five,120\n", 2, "numerator", "not a number"),
    "empty cell": (HEADER + "E06000999,2025-26,,120\n", 2, "numerator", "Enter the numerator"),
    "zero denominator": (HEADER + "E06000999,2025-26,0,0\n", 2, "denominator", "above 0"),
    "unparsed period": (HEADER + "E06000999,24/25,5,10\n", 2, "period", "financial year like 2024-25"),
    "financial year out of step": (HEADER + "E06000999,2024-26,5,10\n", 2, "period", "second year follows"),
    "mixed period kinds": (HEADER + "E06000999,2025-26,5,10\nE06000998,2025,5,10\n", 3, "period", "one kind"),
    "value disagrees": (
        "area_code,period,numerator,denominator,value\nE06000999,2025-26,50,100,60\n",
        2,
        "value",
        "does not match",
    ),
    "value with decimal comma": (
        'area_code,period,numerator,denominator,value\nE06000999,2025-26,50,100,"50,0"\n',
        2,
        "value",
        "decimal comma",
    ),
    "decile out of range": (
        "area_code,period,numerator,denominator,deprivation_decile\nE06000999,2025-26,5,10,11\n",
        2,
        "deprivation_decile",
        "from 1",
    ),
}


@pytest.mark.parametrize("text, line, column, words", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_line_is_named_by_line_and_column_and_nothing_is_written(demo_place, text, line, column, words):
    # A good line first, so the bad one is line 3 and the good one must not be written either.
    header, body = text.split("\n", 1)
    good_first = f"{header}\nE06000997,2025-26,5,10{',' * (header.count(',') - 3)}\n{body}"
    before = snapshot()

    with pytest.raises(MeasurementFileError) as refused:
        run(good_first)

    problem = refused.value.problems[0]
    assert (problem.line, problem.column) == (line + 1, column)
    assert words in problem.message
    assert f"upload.csv line {line + 1}, column {column}: " in str(refused.value)
    assert snapshot() == before and not MeasurementImport.objects.exists()


def test_duplicate_row_names_both_lines_and_nothing_is_written(demo_place):
    before = snapshot()
    text = HEADER + "E06000999,2025-26,5,10\nE06000998,2025-26,5,10\ne06000999,2025/26,6,10\n"

    with pytest.raises(MeasurementFileError) as refused:
        run(text)

    assert [(p.line, p.message) for p in refused.value.problems] == [
        (4, "E06000999 for 2025-26 is already on line 2. Give each area and period once")
    ]
    assert snapshot() == before


def test_wrong_headers_are_named_and_nothing_is_written(demo_place):
    with pytest.raises(MeasurementFileError) as refused:
        run("area,period,numerator,denom\nE06000999,2025-26,5,10\n")

    problem = refused.value.problems[0]
    assert problem.line == 1 and "missing area_code, denominator" in problem.message
    assert "not recognised: 'area', 'denom'" in problem.message
    assert not Measurement.objects.filter(period="2025-26").exists()


def test_semicolon_separated_file_is_refused_with_what_to_do(demo_place):
    with pytest.raises(MeasurementFileError, match="separated by semicolons"):
        run("area_code;period;numerator;denominator\nE06000999;2025-26;5;10\n")


def test_unquoted_decimal_comma_splits_the_line_and_is_named(demo_place):
    with pytest.raises(MeasurementFileError) as refused:
        run(HEADER + "E06000999,2025-26,12,5,120\n")

    problem = refused.value.problems[0]
    assert problem.line == 2 and "has 5 values but the header names 4" in problem.message
    assert "decimal comma" in problem.message


def test_file_that_is_not_utf8_is_named_by_line_and_column(demo_place):
    data = (HEADER + "E06000999,2025-26,5,10\n").encode() + b"E06000998,2025-26,\xe9,10\n"
    before = snapshot()

    with pytest.raises(MeasurementFileError) as refused:
        run(data)

    problem = refused.value.problems[0]
    assert (problem.line, problem.column) == (3, "numerator")
    assert "not UTF-8" in problem.message and "0xE9" in problem.message
    assert snapshot() == before


def test_every_problem_in_a_file_is_listed_not_just_the_first(demo_place):
    text = HEADER + "E06000999,2025-26,-1,10\nE06000998,2025-26,11,10\nX,2025-26,1,10\n"

    with pytest.raises(MeasurementFileError) as refused:
        run(text)

    assert [p.line for p in refused.value.problems] == [2, 3, 4]


def test_an_area_outside_the_scope_is_refused_by_line(demo_place):
    with pytest.raises(MeasurementFileError) as refused:
        run(HEADER + "E06000999,2025-26,5,10\nE06000997,2025-26,5,10\n", scope_code="E06000999")

    problem = refused.value.problems[0]
    assert (problem.line, problem.column) == (3, "area_code")
    assert "E06000997 (Ashcombe) is not in Thornbury Vale" in problem.message


def test_good_file_adds_new_rows_and_replaces_existing_ones_keeping_their_ids(demo_place):
    standard = NationalStandard.objects.get(service__slug="gp-access")
    existing = Measurement.objects.get(standard=standard, area__code="E06000999", period="2024-25")
    text = (
        "Area_Code, Period ,numerator,denominator,value,deprivation_decile\n"
        "E06000999,2024/25,800,1000,80.0,3\n"
        "E02999001,2025-26,70,100,,\n"
        "\n"
    )

    result = run(text)

    existing.refresh_from_db()
    assert (existing.numerator, existing.denominator) == (800, 1000)
    assert (
        Measurement.objects.get(standard=standard, area__code="E02999001", period="2025-26").numerator == 70
    )
    assert (result.record.created, result.record.updated) == (1, 1)
    assert result.periods == ["2024-25", "2025-26"]
    assert Area.objects.get(code="E06000999").deprivation_decile == 3


def test_an_indicator_code_that_is_not_a_standard_lists_the_codes(demo_place):
    with pytest.raises(LookupError, match="gp-access"):
        find_standard("gp")


def test_command_imports_a_file_and_reports_what_it_wrote(demo_place, tmp_path: Path, capsys):
    path = tmp_path / "gp.csv"
    path.write_text(HEADER + "E06000999,2025-26,90,100\n")

    call_command("scrutiny", "import", str(path), "--indicator", "gp-access")

    assert "Imported 1 measurements of GP access for 2025-26: 1 new" in capsys.readouterr().out
    assert Measurement.objects.filter(period="2025-26").count() == 1


def test_command_refuses_a_bad_file_naming_lines_and_writes_nothing(demo_place, tmp_path: Path, capsys):
    path = tmp_path / "gp.csv"
    path.write_text(HEADER + "E06000999,2025-26,90,100\nE06000998,2025-26,190,100\n")

    with pytest.raises(CommandError, match="nothing was written"):
        call_command("scrutiny", "import", str(path), "--indicator", "gp-access")

    assert "gp.csv line 3, column numerator:" in capsys.readouterr().err
    assert not Measurement.objects.filter(period="2025-26").exists()


def test_command_draws_a_progress_bar_on_stderr_for_a_large_file(
    demo_place, tmp_path: Path, capsys, monkeypatch
):
    monkeypatch.setattr(ProgressBar, "SMALLEST", 1_000)
    areas = list(Area.objects.values_list("code", flat=True))
    periods = [f"{year}-{(year + 1) % 100:02d}" for year in range(1950, 2090)]
    lines = [f"{code},{period},5,10" for period in periods for code in areas][:2_000]
    path = tmp_path / "big.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n")

    call_command("scrutiny", "import", str(path), "--indicator", "libraries")

    err = capsys.readouterr().err
    assert "Checking" in err and "Writing" in err and "2,000/2,000" in err


@pytest.mark.parametrize(
    "written, stored, kind",
    [
        ("2024-25", "2024-25", FINANCIAL_YEAR),
        ("2024/25", "2024-25", FINANCIAL_YEAR),
        ("2024-2025", "2024-25", FINANCIAL_YEAR),
        ("1999-00", "1999-00", FINANCIAL_YEAR),
        ("2024", "2024", CALENDAR_YEAR),
        ("2025-Q1", "2025-Q1", QUARTER),
        ("2025 q4", "2025-Q4", QUARTER),
    ],
)
def test_period_is_stored_in_its_one_written_form(written, stored, kind):
    assert (parse_period(written).text, parse_period(written).kind) == (stored, kind)


@pytest.mark.parametrize("written", ["24-25", "2024-26", "2025-Q5", "2025-03-01", "March 2025", "", "2204"])
def test_period_that_does_not_parse_is_refused_with_the_accepted_forms(written):
    with pytest.raises(ValueError, match="Enter"):
        parse_period(written)
