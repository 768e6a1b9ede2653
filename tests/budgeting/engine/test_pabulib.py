"""pabulib .pb reading and writing: exact round trips, clear errors, and pabutools' reading."""

import csv
import io
import re
import time
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonweal.budgeting.engine import PabulibError, load, save
from commonweal.budgeting.engine.pabulib import compose, dump, parse

PROJECTS = ["P1;10;Park", "P2;20;Library", "P3;30;Bench"]
MUTANTS = [  # one small file of each vote type
    "Poland_Zabrze_2020_Pawlow.pb",
    "Netherlands_Amsterdam_643.pb",
    "Poland_Czestochowa_2020_Podjasnogorska.pb",
    "US_Stanford_Dataset_PB_Chicago_35th_Ward_2021_vote_rankings.pb",
    "US_Stanford_Dataset_2022_Jersey_City_Ward_D_vote_knapsacks.pb",
]
SMALL = 300_000  # bytes: files small enough to parse with pabutools in a test


def shared_files(pabulib_dir: Path, below: int | None = None) -> list[Path]:
    files = sorted(pabulib_dir.glob("*.pb"))
    return [f for f in files if below is None or f.stat().st_size < below]


@pytest.mark.reference_data
def test_saving_every_shared_file_reproduces_its_bytes(pabulib_dir, tmp_path):
    for path in shared_files(pabulib_dir):
        election = load(path)
        save(election, tmp_path / path.name)
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name
        assert load(tmp_path / path.name) == election, path.name


@pytest.mark.reference_data
def test_every_shared_file_reads_as_pabutools_reads_it(pabulib_dir, expected):
    for path in shared_files(pabulib_dir):
        election = load(path)
        facts = expected["instances"][path.name]
        assert election.vote_type == facts["vote_type"], path.name
        assert election.num_voters == facts["num_voters"], path.name
        assert len(election.projects) == facts["num_projects"], path.name
        assert election.budget == Fraction(facts["budget"]), path.name


@pytest.mark.reference_data
def test_small_files_give_pabutools_ballots_exactly(pabulib_dir):
    from pabutools.election import parse_pabulib

    for path in shared_files(pabulib_dir, below=SMALL):
        instance, profile = parse_pabulib(str(path))
        election = load(path)
        assert {p.name: p.cost for p in instance} == {p.id: p.cost for p in election.projects}
        theirs = Counter(frozenset(p.name for p in ballot) for ballot in profile)
        if election.vote_type == "cumulative":
            theirs = Counter(frozenset(p.name for p in ballot if ballot[p] > 0) for ballot in profile)
        mine = election.profile()
        ours = Counter()
        for row, weight in zip(mine.utilities, mine.weights, strict=True):
            ours[frozenset(mine.project_ids[i] for i in row.nonzero()[0])] += int(weight)
        assert ours == theirs, path.name


@pytest.mark.reference_data
def test_the_largest_shared_file_loads_in_under_two_seconds(pabulib_dir):
    largest = max(shared_files(pabulib_dir), key=lambda f: f.stat().st_size)
    start = time.perf_counter()
    load(largest)
    assert time.perf_counter() - start < 2


def test_bom_crlf_and_missing_final_newline_are_read_and_kept(make_pb):
    text = make_pb(PROJECTS, ["1;P1,P2", "2;P3"]).decode().replace("\n", "\r\n").rstrip()
    data = b"\xef\xbb\xbf" + text.encode()
    election = parse(data)
    assert election.meta["budget"] == "100"
    assert dump(election) == data


def test_decimal_comma_costs_and_budget_are_exact(make_pb):
    election = parse(make_pb(["P1;10,25;Park"], ["1;P1"], budget="2011938,01"))
    assert election.projects[0].cost == Fraction("10.25")
    assert election.budget == Fraction("2011938.01")


def test_quoted_cells_with_semicolons_and_quotes_are_read_and_rewritten(make_pb):
    data = make_pb(['P1;10;"Park ""Zielony""; phase 2"'], ["1;P1"])
    election = parse(data)
    assert election.projects[0].name == 'Park "Zielony"; phase 2'
    assert dump(election) == data


def test_extra_columns_are_kept_verbatim(make_pb):
    data = make_pb(
        ["P1;10;Park;Green, Sport;North"],
        ["7;P1;34;F;Old Town"],
        project_header="project_id;cost;name;category;district",
        vote_header="voter_id;vote;age;sex;neighborhood",
    )
    election = parse(data)
    assert election.projects[0].categories == ("Green", "Sport")
    assert election.projects[0].extra == {"district": "North"}
    assert list(election.ballots.columns["neighborhood"]) == ["Old Town"]
    assert dump(election) == data


def test_a_changed_budget_is_written_and_read_back(make_pb):
    from dataclasses import replace

    election = replace(parse(make_pb(PROJECTS, ["1;P1"])), budget=Fraction("12.5"))
    assert parse(dump(election)).budget == Fraction("12.5")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.replace(b"1;P1,P2", b"1;P1,P17"), "line 12: project 'P17' is not in PROJECTS"),
        (lambda d: d.replace(b"P2;20;", b"P2;abc;"), "line 8: cost must be a positive number"),
        (lambda d: d.replace(b"P3;30;Bench", b"P3;30"), "line 9: has 2 cells, but the header has 3"),
        (lambda d: d.replace(b"P3;30;", b"P1;30;"), "line 9: project 'P1' is listed twice"),
        (lambda d: d.replace(b"2;P3", b"1;P3"), "line 13: voter_id '1' is used twice"),
        (lambda d: d.replace(b"budget;100", b"budget;-5"), "line 3: budget must be a positive"),
        (lambda d: d.replace(b"vote_type;approval", b"vote_type;x"), "line 4: vote_type must be one of"),
        (lambda d: d.replace(b"VOTES", b"VOTE"), "line 1: sections must be META, PROJECTS, VOTES"),
        (lambda d: d.replace(b"Park", b'"Park'), "line 7: has a quote"),
        (lambda d: d.replace(b"Park", b"Pa\xffrk"), "line 7: is not UTF-8 text"),
        (lambda d: d.replace(b"2;P3", b"2;P3,P3"), "line 13: the vote 'P3,P3' lists a project twice"),
        (lambda d: d.replace(b"voter_id;vote", b"voter;vote"), "line 11: the header has no 'voter_id'"),
    ],
)
def test_a_malformed_file_names_the_file_line_and_fault(make_pb, change, message):
    data = change(make_pb(PROJECTS, ["1;P1,P2", "2;P3"]))
    with pytest.raises(PabulibError, match=re.escape(f"ballots.pb {message}")):
        parse(data, "ballots.pb")


@pytest.mark.parametrize(
    ("points", "message"),
    [("5", "gives 1 points for 2 projects"), ("5,x", "whole numbers"), ("5,-1", "out of range")],
)
def test_bad_points_on_cumulative_ballots_are_refused(make_pb, points, message):
    data = make_pb(
        PROJECTS, [f"1;P1,P2;{points}"], vote_type="cumulative", vote_header="voter_id;vote;points"
    )
    with pytest.raises(PabulibError, match=message):
        parse(data, "ballots.pb")


def test_a_missing_file_raises_pabulib_error(tmp_path):
    with pytest.raises(PabulibError, match=r"nothing\.pb: cannot be read"):
        load(tmp_path / "nothing.pb")


mutation = st.tuples(st.sampled_from(["byte", "delete line", "duplicate line"]), st.integers(0))


@pytest.mark.reference_data
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(MUTANTS),
    mutations=st.lists(st.tuples(mutation, st.integers(0, 255)), min_size=1, max_size=3),
)
def test_mutated_real_files_load_or_raise_only_pabulib_error(pabulib_dir, name, mutations):
    data = (pabulib_dir / name).read_bytes()
    for (kind, where), byte in mutations:
        if kind == "byte":
            position = where % len(data)
            data = data[:position] + bytes([byte]) + data[position + 1 :]
        else:
            lines = data.split(b"\n")
            line = where % len(lines)
            extra = [lines[line]] if kind == "duplicate line" else []
            data = b"\n".join(lines[:line] + extra + lines[line + 1 :])
    try:
        election = parse(data, "mutant.pb")
    except PabulibError as error:
        assert str(error).startswith("mutant.pb")
    else:
        assert parse(dump(election)) == election


project_ids = st.lists(
    st.text("ABP0123456789-_/.", min_size=1, max_size=5), min_size=1, max_size=6, unique=True
)
cells = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"), max_size=8)


@st.composite
def pb_files(draw) -> tuple[bytes, list[str]]:
    """A random .pb file written with Python's csv module, and its project names."""
    pids = draw(project_ids)
    names = [draw(cells) for _ in pids]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerows([["META"], ["key", "value"], ["budget", draw(st.integers(1, 10**12))]])
    writer.writerows([["vote_type", "approval"], ["PROJECTS"], ["project_id", "cost", "name"]])
    writer.writerows([pid, draw(st.integers(1, 10**9)), name] for pid, name in zip(pids, names, strict=True))
    writer.writerows([["VOTES"], ["voter_id", "vote", "note"]])
    votes = draw(st.lists(st.lists(st.sampled_from(pids), unique=True), max_size=20))
    writer.writerows([i, ",".join(vote), draw(cells)] for i, vote in enumerate(votes))
    return out.getvalue().encode(), names


@settings(max_examples=200, deadline=None)
@given(file=pb_files())
def test_load_save_load_gives_an_equal_election(file):
    data, names = file
    election = parse(data)
    assert [project.name for project in election.projects] == names
    assert parse(dump(election)) == election


def test_composed_rows_parse_back_to_the_same_election() -> None:
    data = compose(
        {"description": "Parks; and paths", "vote_type": "cumulative", "budget": "1000"},
        [
            {"project_id": "P1", "cost": "600", "name": "Play area", "category": "parks"},
            {"project_id": "P2", "cost": "450,5", "name": 'The "big" bench', "category": "parks"},
        ],
        [
            {"voter_id": "AAAA-BBBB", "vote": "P1,P2", "points": "3,2", "neighbourhood": "E02999001"},
            {"voter_id": "CCCC-DDDD", "vote": "P2", "points": "5", "neighbourhood": "E02999002"},
        ],
    )
    election = parse(data, "composed.pb")
    assert [p.id for p in election.projects] == ["P1", "P2"]
    assert election.projects[1].name == 'The "big" bench'
    assert election.projects[1].cost == Fraction(901, 2)
    assert election.meta["description"] == "Parks; and paths"
    assert list(election.ballots.columns["neighbourhood"]) == ["E02999001", "E02999002"]
    assert dump(election) == data
