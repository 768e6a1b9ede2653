"""`commonweal experiments evaluate`: the same numbers as the core, and errors naming the line."""

import json

import pytest
from django.core.management import CommandError, call_command


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("experiments", "evaluate", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_prop99_estimate(shared_data) -> None:
    path = shared_data("experiments/california_prop99.csv")

    out = run(
        str(path),
        "--unit",
        "State",
        "--period",
        "Year",
        "--value",
        "PacksPerCapita",
        "--treated",
        "treated",
        "--method",
        "did",
        "--json",
    )

    assert json.loads(out)["effect"] == pytest.approx(-27.34911, abs=2e-3)


def test_a_bad_value_is_named_by_line(tmp_path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("a,t,v,w\nx,1,1,0\nx,2,oops,0\n", encoding="utf-8")

    with pytest.raises(CommandError, match=r"p\.csv line 3: v 'oops' is not a number"):
        run(str(path), "--unit", "a", "--period", "t", "--value", "v", "--treated", "w")
