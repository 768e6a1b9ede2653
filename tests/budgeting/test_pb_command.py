"""The `pb` management command: run and check, tables, JSON and clear errors."""

import json
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from commonweal.budgeting.management.commands.pb import LARGE_FILE

ELECTION = """META
key;value
budget;100
vote_type;approval
num_votes;3
PROJECTS
project_id;cost;name
A;60;Pool
B;50;Park
C;40;Bench
VOTES
voter_id;vote
1;A,C
2;A
3;B,C
"""


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("pb", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def pb_file(tmp_path):
    path = tmp_path / "ballots.pb"
    path.write_text(ELECTION, encoding="utf-8")
    return path


def test_run_prints_the_funded_projects_as_a_table(pb_file):
    out, _ = run("run", str(pb_file), "--rule", "max-welfare")
    lines = out.splitlines()
    assert lines[0].split() == ["id", "name", "cost", "votes"]
    assert lines[1].split() == ["A", "Pool", "60", "2"]
    assert lines[2].split() == ["C", "Bench", "40", "2"]
    assert lines[-1] == "2 projects funded, costing 100 of 100"


def test_run_json_gives_funded_in_order_and_money_as_strings(pb_file):
    out, _ = run("run", str(pb_file), "--rule", "max-welfare", "--json")
    result = json.loads(out)
    assert result["funded"] == ["A", "C"]
    assert result["total_cost"] == "100"
    assert result["budget"] == "100"
    assert result["rule"] == "max-welfare"
    assert isinstance(result["seconds"], float)


def test_check_summarises_the_election(pb_file):
    out, _ = run("check", str(pb_file))
    assert "voters:           3" in out
    assert "projects:         3" in out
    assert "vote type:        approval" in out
    assert "problems:         none" in out


def test_check_lists_problems_with_the_meta(pb_file):
    pb_file.write_text(ELECTION.replace("num_votes;3", "num_votes;4"), encoding="utf-8")
    out, _ = run("check", str(pb_file))
    assert "META says num_votes is 4, but the file has 3" in out


def test_a_malformed_file_fails_with_its_line_and_no_traceback(pb_file):
    pb_file.write_text(ELECTION.replace("3;B,C", "3;B,P17"), encoding="utf-8")
    with pytest.raises(CommandError, match=r"ballots\.pb line 15: project 'P17' is not in PROJECTS"):
        run("check", str(pb_file))


def test_points_on_ordinal_ballots_fail_cleanly(pb_file):
    pb_file.write_text(ELECTION.replace("vote_type;approval", "vote_type;ordinal"), encoding="utf-8")
    with pytest.raises(CommandError, match="Ordinal ballots give ranks"):
        run("run", str(pb_file), "--rule", "max-welfare", "--utility", "points")


def test_large_files_show_a_progress_bar_on_stderr_only(pb_file):
    padding = "".join(f"{i};C\n" for i in range(4, LARGE_FILE // 5))
    pb_file.write_text(ELECTION.replace("num_votes;3\n", "") + padding, encoding="utf-8")
    out, err = run("run", str(pb_file), "--rule", "max-welfare", "--json")
    assert json.loads(out)["funded"]
    assert "[" + "=" * 30 + "] done" in err


def test_the_command_line_exits_non_zero_with_the_message_and_no_traceback(pb_file):
    pb_file.write_text(ELECTION.replace("A;60;", "A;sixty;"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "commonweal", "pb", "check", str(pb_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "ballots.pb line 8: cost must be a positive number, not 'sixty'" in result.stderr
    assert "Traceback" not in result.stderr
