"""Read and write pabulib .pb files, exactly.

Format: https://pabulib.org/format (Faliszewski et al., IJCAI 2023): META, PROJECTS and VOTES
sections of ';'-separated cells, quoted as Python's csv module quotes them.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from itertools import pairwise
from os import PathLike
from pathlib import Path
from typing import TypeVar

import numpy as np

from commonweal.budgeting.engine.election import (
    VOTE_TYPES,
    Ballots,
    Column,
    Election,
    Layout,
    Project,
)

SECTIONS = ("META", "PROJECTS", "VOTES")
# Points beyond this would overflow the int64 sums the rules make over 100,000+ voters.
MAX_POINTS = 10**12
_NUMBER = re.compile(r"\s*\d+(?:[.,]\d+)?\s*")
_QUOTE_NEEDED = re.compile(r'[;"\r\n]')
T = TypeVar("T")


class PabulibError(ValueError):
    """A .pb file that cannot be read; the message names the file, line and problem."""


def load(path: str | PathLike[str]) -> Election:
    """Read a .pb file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise PabulibError(f"{path.name}: cannot be read ({error.strerror})") from error
    return parse(data, path.name)


def save(election: Election, path: str | PathLike[str]) -> None:
    """Write a .pb file that load() reads back as an equal election."""
    Path(path).write_bytes(dump(election))


def parse(data: bytes, name: str = "<bytes>") -> Election:
    """Parse the bytes of a .pb file; `name` is the file name used in error messages."""
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise PabulibError(f"{name} line {line}: is not UTF-8 text (byte {error.start})") from None
    first_break = text.find("\n")
    layout = Layout(
        newline="\r\n" if first_break > 0 and text[first_break - 1] == "\r" else "\n",
        bom=bom,
        final_newline=text.endswith("\n"),
    )
    lines = text.replace("\r\n", "\n").split("\n")
    if layout.final_newline:
        lines.pop()
    return _Reader(name, lines).election(layout)


class _Reader:
    """Turns the lines of one file into an Election, raising PabulibError on the first fault."""

    def __init__(self, name: str, lines: list[str]) -> None:
        self.name = name
        self.lines = lines

    def fail(self, index: int, problem: str) -> PabulibError:
        return PabulibError(f"{self.name} line {index + 1}: {problem}")

    def election(self, layout: Layout) -> Election:
        starts = self.section_starts()
        meta, line_of_key = self.meta(*starts["META"])
        for key in ("budget", "vote_type"):
            if key not in meta:
                raise self.fail(starts["META"][0], f"META has no {key}")
        vote_type = meta["vote_type"]
        if vote_type not in VOTE_TYPES:
            raise self.fail(
                line_of_key["vote_type"],
                f"vote_type must be one of {', '.join(VOTE_TYPES)}, not {vote_type!r}",
            )
        budget = _number(meta["budget"])
        if budget is None or budget <= 0:
            raise self.fail(
                line_of_key["budget"], f"budget must be a positive number, not {meta['budget']!r}"
            )
        project_columns, projects = self.projects(*starts["PROJECTS"])
        ballots = self.ballots(*starts["VOTES"], projects, vote_type)
        return Election(meta, projects, project_columns, ballots, vote_type, budget, layout)

    def section_starts(self) -> dict[str, tuple[int, int]]:
        """Each section's (header line, end line), checking they come once, in order."""
        found = []
        for index, line in enumerate(self.lines):
            if len(line) < 12 and line.strip().upper() in SECTIONS:
                found.append((line.strip().upper(), index))
        names = [section for section, _ in found]
        if names != list(SECTIONS):
            problem = f"sections must be META, PROJECTS, VOTES in that order, found {names}"
            raise self.fail(found[0][1] if found else 0, problem)
        ends = [index for _, index in found[1:]] + [len(self.lines)]
        return {section: (index, end) for (section, index), end in zip(found, ends, strict=True)}

    def rows(self, start: int, end: int) -> list[tuple[int, list[str]]]:
        """(line index, cells) of the non-blank lines after a section's name."""
        indices = [index for index in range(start + 1, end) if self.lines[index].strip()]
        block = [self.lines[index] for index in indices]
        # Splitting without the csv module is several times faster on 100,000 ballot lines.
        if any('"' in line for line in block):
            return [(index, self.cells(index)) for index in indices]
        return list(zip(indices, (line.split(";") for line in block), strict=True))

    def cells(self, index: int) -> list[str]:
        line = self.lines[index]
        if '"' not in line:
            return line.split(";")
        try:
            return next(csv.reader([line], delimiter=";", strict=True))
        except csv.Error:
            raise self.fail(index, 'has a quote (") that is not closed or not doubled') from None

    def header(self, start: int, rows: list[tuple[int, list[str]]], required: Sequence[str]):
        if not rows:
            raise self.fail(start, f"{self.lines[start].strip()} has no header line")
        index, header = rows[0]
        for column in required:
            if column not in header:
                raise self.fail(index, f"the header has no {column!r} column")
        repeated = {column for column in header if header.count(column) > 1}
        if repeated:
            raise self.fail(index, f"the header names column {sorted(repeated)[0]!r} twice")
        for row_index, cells in rows[1:]:
            if len(cells) != len(header):
                raise self.fail(row_index, f"has {len(cells)} cells, but the header has {len(header)}")
        return tuple(header)

    def meta(self, start: int, end: int) -> tuple[dict[str, str], dict[str, int]]:
        rows = self.rows(start, end)
        self.header(start, rows, ("key", "value"))
        if len(rows[0][1]) != 2:
            raise self.fail(rows[0][0], "the META header must be key;value")
        meta: dict[str, str] = {}
        line_of_key: dict[str, int] = {}
        for index, (key, value) in rows[1:]:
            if key in meta:
                raise self.fail(index, f"META gives {key!r} twice")
            meta[key] = value
            line_of_key[key] = index
        return meta, line_of_key

    def projects(self, start: int, end: int) -> tuple[tuple[str, ...], tuple[Project, ...]]:
        rows = self.rows(start, end)
        header = self.header(start, rows, ("project_id", "cost"))
        projects: dict[str, Project] = {}
        for index, cells in rows[1:]:
            row = dict(zip(header, cells, strict=True))
            pid = row.pop("project_id").strip()
            if not pid:
                raise self.fail(index, "project_id is empty")
            if pid in projects:
                raise self.fail(index, f"project {pid!r} is listed twice in PROJECTS")
            cost = _number(row["cost"])
            if cost is None or cost <= 0:
                raise self.fail(index, f"cost must be a positive number, not {row['cost']!r}")
            source = {"cost": row.pop("cost")}
            if "category" in row:
                source["category"] = row.pop("category")
            projects[pid] = Project(
                id=pid,
                cost=cost,
                name=row.pop("name", ""),
                categories=_categories(source.get("category", "")),
                extra=row,
                source=source,
            )
        return header, tuple(projects.values())

    def ballots(self, start: int, end: int, projects: tuple[Project, ...], vote_type: str) -> Ballots:
        rows = self.rows(start, end)
        needs_points = vote_type in ("cumulative", "scoring")
        required = ("voter_id", "vote", "points") if needs_points else ("voter_id", "vote")
        header = self.header(start, rows, required)
        line_of_voter = [index for index, _ in rows[1:]]
        body = [cells for _, cells in rows[1:]]
        transposed = list(zip(*body, strict=True)) if body else [()] * len(header)
        columns = dict(zip(header, transposed, strict=True))
        votes = columns.pop("vote")
        points = columns.pop("points", None)
        keys = votes if points is None else list(zip(votes, points, strict=True))
        distinct: dict[object, int] = {}
        ballot_of_voter = [distinct.setdefault(key, len(distinct)) for key in keys]
        voter_ids = columns["voter_id"]
        if len(set(voter_ids)) != len(voter_ids):
            seen: set[str] = set()
            for voter, voter_id in enumerate(voter_ids):
                if voter_id in seen:
                    raise self.fail(line_of_voter[voter], f"voter_id {voter_id!r} is used twice")
                seen.add(voter_id)

        position = {project.id: i for i, project in enumerate(projects)}
        offsets, choices, all_points = [0], [], []
        for key, k in distinct.items():
            vote, given = (key, None) if points is None else key
            try:
                chosen = _choices(vote, position)
                if given is not None:
                    all_points.extend(_points(given, len(chosen), vote_type))
            except ValueError as error:
                raise self.fail(line_of_voter[ballot_of_voter.index(k)], str(error)) from None
            choices.extend(chosen)
            offsets.append(len(choices))
        return Ballots(
            offsets=np.array(offsets, dtype=np.int64),
            choices=np.array(choices, dtype=np.int64),
            points=None if points is None else np.array(all_points, dtype=np.int64),
            ballot_of_voter=np.array(ballot_of_voter, dtype=np.int64),
            columns={name: Column.encode(cells) for name, cells in columns.items()},
            header=header,
        )


def _number(text: str) -> Fraction | None:
    """A cost or budget; pabulib files from Poland write decimal commas ("2011938,01")."""
    if not _NUMBER.fullmatch(text):
        return None
    return Fraction(text.strip().replace(",", "."))


def _categories(text: str) -> tuple[str, ...]:
    # pabutools treats the literal "none" as no value.
    if text.strip().lower() in ("", "none"):
        return ()
    return tuple(part.strip() for part in text.split(","))


def _choices(vote: str, position: dict[str, int]) -> list[int]:
    if not vote.strip():
        return []
    chosen = []
    for pid in vote.split(","):
        if pid.strip() not in position:
            raise ValueError(f"project {pid.strip()!r} is not in PROJECTS")
        chosen.append(position[pid.strip()])
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"the vote {vote!r} lists a project twice")
    return chosen


def _points(given: str, count: int, vote_type: str) -> list[int]:
    cells = given.split(",") if given.strip() else []
    if len(cells) != count:
        raise ValueError(f"gives {len(cells)} points for {count} projects in the vote")
    try:
        points = [int(cell) for cell in cells]
    except ValueError:
        raise ValueError(f"points must be whole numbers, not {given!r}") from None
    lowest = 0 if vote_type == "cumulative" else -MAX_POINTS
    if any(not lowest <= point <= MAX_POINTS for point in points):
        raise ValueError(f"points {given!r} are out of range")
    return points


def dump(election: Election) -> bytes:
    """The bytes of a .pb file for `election`, keeping the source's cells and layout."""
    meta = dict(election.meta)
    meta["budget"] = _kept(meta.get("budget"), election.budget, _number, decimal_text)
    meta["vote_type"] = election.vote_type
    lines = _section("META", ("key", "value"), [f"{_quote(k)};{_quote(v)}" for k, v in meta.items()])
    lines += _section(
        "PROJECTS", election.project_columns,
        [_project_line(project, election.project_columns) for project in election.projects],
    )
    lines += _section("VOTES", election.ballots.header, _vote_lines(election))
    layout = election.layout
    text = layout.newline.join(lines) + (layout.newline if layout.final_newline else "")
    return (codecs.BOM_UTF8 if layout.bom else b"") + text.encode("utf-8")


def compose(
    meta: Mapping[str, str],
    projects: Sequence[Mapping[str, str]],
    votes: Sequence[Mapping[str, str]],
) -> bytes:
    """The bytes of a .pb file from plain rows (column name -> cell), as an application holds them.

    Columns are taken from the first row of each section; `parse` reads the result back.
    """
    lines = _section("META", ("key", "value"), [f"{_quote(k)};{_quote(v)}" for k, v in meta.items()])
    empty = {"PROJECTS": ("project_id", "cost"), "VOTES": ("voter_id", "vote")}
    for name, rows in (("PROJECTS", projects), ("VOTES", votes)):
        columns = tuple(rows[0]) if rows else empty[name]
        lines += _section(name, columns, [";".join(_quote(row.get(c, "")) for c in columns) for row in rows])
    return ("\n".join(lines) + "\n").encode("utf-8")


def _section(name: str, columns: Sequence[str], rows: list[str]) -> list[str]:
    return [name, ";".join(map(_quote, columns)), *rows]


def _project_line(project: Project, columns: Sequence[str]) -> str:
    cells = dict(project.extra)
    cells["project_id"] = project.id
    cells["name"] = project.name
    cells["cost"] = _kept(project.source.get("cost"), project.cost, _number, decimal_text)
    category = _kept(project.source.get("category"), project.categories, _categories, ",".join)
    cells["category"] = category
    return ";".join(_quote(cells.get(column, "")) for column in columns)


def _vote_lines(election: Election) -> list[str]:
    ballots = election.ballots
    ids = [project.id for project in election.projects]
    offsets = ballots.offsets.tolist()
    spans = list(pairwise(offsets))
    choices = ballots.choices.tolist()
    texts = {"vote": [_quote(",".join(ids[c] for c in choices[a:b])) for a, b in spans]}
    if ballots.points is not None:
        points = ballots.points.tolist()
        texts["points"] = [",".join(map(str, points[a:b])) for a, b in spans]
    per_voter = []
    for column in ballots.header:
        if column in texts:
            values, codes = texts[column], ballots.ballot_of_voter
        else:
            values = [_quote(value) for value in ballots.columns[column].values]
            codes = ballots.columns[column].codes
        per_voter.append([values[code] for code in codes.tolist()])
    return [";".join(cells) for cells in zip(*per_voter, strict=True)]


def _kept(source: str | None, value: T, parse: Callable[[str], T], write: Callable[[T], str]) -> str:
    """The source's own spelling of `value` while it still denotes it, else a fresh one."""
    return source if source is not None and parse(source) == value else write(value)


def decimal_text(number: Fraction) -> str:
    """`number` in decimal notation, which is all pabulib allows."""
    digits = 0
    while (number * 10**digits).denominator != 1:
        digits += 1
        if digits > 30:
            raise ValueError(f"{number} has no finite decimal expansion to write in a .pb file")
    scaled = str(int(number * 10**digits)).rjust(digits + 1, "0")
    return scaled if digits == 0 else f"{scaled[:-digits]}.{scaled[-digits:]}"


def _quote(cell: str) -> str:
    return f'"{cell.replace(chr(34), 2 * chr(34))}"' if _QUOTE_NEEDED.search(cell) else cell


def problems(election: Election) -> list[str]:
    """What in a readable file contradicts its own META or the rules of its vote type."""
    meta, found = election.meta, []
    counts = {"num_projects": len(election.projects), "num_votes": election.num_voters}
    for key, actual in counts.items():
        if key in meta and meta[key].strip() != str(actual):
            found.append(f"META says {key} is {meta[key]}, but the file has {actual}")
    lengths = election.ballots.lengths()[election.ballots.ballot_of_voter]
    broken = {}
    for key, compare in (("min_length", np.less), ("max_length", np.greater)):
        if meta.get(key, "").strip().isdigit():
            broken[f"{key} {meta[key].strip()}"] = compare(lengths, int(meta[key]))
    if election.vote_type == "choose-1":
        broken["choose-1 (one project each)"] = lengths > 1
    for rule, ballots in broken.items():
        if ballots.any():
            found.append(f"{int(ballots.sum())} ballots break {rule}")
    for project in election.projects:
        if project.cost > election.budget:
            found.append(f"project {project.id!r} costs more than the whole budget")
    return found
