"""A participatory-budgeting election: projects, budget and ballots, stored as compact arrays.

Nouns follow pabutools (election, ballot, profile); the format is pabulib's (Faliszewski et al.,
"Participatory Budgeting: Data, Tools and Analysis", IJCAI 2023).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import pairwise

import numpy as np

VOTE_TYPES = ("approval", "choose-1", "ordinal", "cumulative", "scoring")
UTILITIES = ("approval", "points")


@dataclass(frozen=True)
class Project:
    """One proposal on the ballot paper."""

    id: str
    cost: Fraction
    name: str = ""
    categories: tuple[str, ...] = ()
    extra: Mapping[str, str] = field(default_factory=dict, hash=False)
    # The cost and category cells as the file wrote them ("200000.0", "a, b"), so that saving
    # reproduces the file's bytes while they still denote `cost` and `categories`.
    source: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False, repr=False)


@dataclass(frozen=True, eq=False)
class Column:
    """One per-voter column (voter_id, age, neighbourhood...), each distinct value stored once."""

    values: tuple[str, ...]
    codes: np.ndarray  # per voter: index into values

    @classmethod
    def encode(cls, cells: Collection[str]) -> Column:
        index: dict[str, int] = {}
        codes = [index.setdefault(cell, len(index)) for cell in cells]
        return cls(tuple(index), np.array(codes, dtype=np.int32))

    def __len__(self) -> int:
        return len(self.codes)

    def __iter__(self) -> Iterator[str]:
        values = self.values
        return (values[code] for code in self.codes.tolist())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Column) and list(self) == list(other)


@dataclass(frozen=True, eq=False)
class Ballots:
    """Every voter's ballot; identical ballots are stored once (compressed sparse rows)."""

    offsets: np.ndarray  # distinct ballot k lists choices[offsets[k]:offsets[k + 1]]
    choices: np.ndarray  # indices into Election.projects, in the order the voter gave them
    points: np.ndarray | None  # aligned with choices; None when the file has no points column
    ballot_of_voter: np.ndarray  # per voter: which distinct ballot they cast
    columns: Mapping[str, Column]  # every other VOTES column (voter_id first), verbatim
    header: tuple[str, ...]  # the VOTES header as written, to keep column order

    @property
    def num_voters(self) -> int:
        return len(self.ballot_of_voter)

    @property
    def num_distinct(self) -> int:
        return len(self.offsets) - 1

    def lengths(self) -> np.ndarray:
        """How many projects each distinct ballot lists."""
        return np.diff(self.offsets)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Ballots):
            return NotImplemented
        return (
            self.header == other.header
            and dict(self.columns) == dict(other.columns)
            and _voters_ballots(self) == _voters_ballots(other)
        )


def _voters_ballots(ballots: Ballots) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Each voter's (choices, points), independent of how identical ballots were grouped."""
    offsets = ballots.offsets.tolist()
    choices = ballots.choices.tolist()
    points = [] if ballots.points is None else ballots.points.tolist()
    distinct = [(tuple(choices[start:end]), tuple(points[start:end])) for start, end in pairwise(offsets)]
    return [distinct[k] for k in ballots.ballot_of_voter.tolist()]


@dataclass(frozen=True, eq=False)
class Profile:
    """What every rule consumes: distinct ballots as a utility matrix with voter counts."""

    project_ids: tuple[str, ...]  # sorted as strings: pabutools breaks ties by smallest id
    costs: tuple[Fraction, ...]
    budget: Fraction
    utilities: np.ndarray  # (groups, projects) int64
    weights: np.ndarray  # (groups,) int64: voters who cast that ballot
    utility: str = "approval"  # how the utilities were read: "approval" (0/1) or "points"

    @property
    def num_voters(self) -> int:
        return int(self.weights.sum())


@dataclass(frozen=True)
class Layout:
    """How the source file was laid out, so that saving it reproduces its bytes."""

    newline: str = "\n"
    bom: bool = False
    final_newline: bool = True


@dataclass(frozen=True)
class Election:
    """A whole pabulib election."""

    meta: Mapping[str, str]  # verbatim, in file order
    projects: tuple[Project, ...]  # in file order
    project_columns: tuple[str, ...]  # the PROJECTS header as written
    ballots: Ballots
    vote_type: str
    budget: Fraction
    layout: Layout = field(default=Layout(), compare=False)

    @property
    def num_voters(self) -> int:
        return self.ballots.num_voters

    def profile(
        self,
        utility: str = "approval",
        exclude: Collection[str] = (),
        budget: Fraction | None = None,
    ) -> Profile:
        """The ballots as utilities over the projects not in `exclude`.

        approval: ordinal and scoring ballots approve every listed project, cumulative ballots
        every project given points (pabutools' approval projection); points: the points given.
        """
        ids = [project.id for project in self.projects]
        unknown = set(exclude) - set(ids)
        if unknown:
            raise ValueError(f"No project with id {sorted(unknown)[0]!r} in this election")
        kept = sorted((i for i, pid in enumerate(ids) if pid not in exclude), key=ids.__getitem__)
        column = np.full(len(ids), -1, dtype=np.int64)
        column[kept] = np.arange(len(kept))

        ballots = self.ballots
        values = self._utility_values(utility)
        rows = np.repeat(np.arange(ballots.num_distinct), ballots.lengths())
        cols = column[ballots.choices]
        keep = (cols >= 0) & (values != 0)
        rows, cols, values = rows[keep], cols[keep], values[keep]
        group_of_row, groups = _merge_identical(rows, cols, values, ballots.num_distinct)

        utilities = np.zeros((groups, len(kept)), dtype=np.int64)
        utilities[group_of_row[rows], cols] = values
        weights = np.zeros(groups, dtype=np.int64)
        np.add.at(weights, group_of_row, np.bincount(ballots.ballot_of_voter, minlength=len(group_of_row)))
        return Profile(
            project_ids=tuple(ids[i] for i in kept),
            costs=tuple(self.projects[i].cost for i in kept),
            budget=self.budget if budget is None else budget,
            utilities=utilities,
            weights=weights,
            utility=utility,
        )

    def support_by(self, column: str) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
        """For each value of a voter column (a neighbourhood, say): how many voters have it, and
        how many of those approve each project (in file order)."""
        places = self.ballots.columns[column]
        ballots = self.ballots
        count = len(places.values)
        voters = np.bincount(places.codes, minlength=count)
        # Voters of each distinct ballot in each place.
        joint = np.bincount(
            ballots.ballot_of_voter * count + places.codes, minlength=ballots.num_distinct * count
        ).reshape(ballots.num_distinct, count)
        rows = np.repeat(np.arange(ballots.num_distinct), ballots.lengths())
        approved = self._utility_values("approval") != 0
        support = np.zeros((len(self.projects), count), dtype=np.int64)
        np.add.at(support, ballots.choices[approved], joint[rows[approved]])
        return places.values, voters, support.T

    def _utility_values(self, utility: str) -> np.ndarray:
        """Each listed choice's utility under `utility`, aligned with ballots.choices."""
        if utility not in UTILITIES:
            raise ValueError(f"Choose a utility from {', '.join(UTILITIES)}, not {utility!r}")
        points = self.ballots.points
        ones = np.ones(len(self.ballots.choices), dtype=np.int64)
        if self.vote_type in ("cumulative", "scoring"):
            if utility == "points":
                return points
            return (points > 0).astype(np.int64) if self.vote_type == "cumulative" else ones
        if utility == "points" and self.vote_type == "ordinal":
            raise ValueError("Ordinal ballots give ranks, not points: use utility='approval'")
        return ones


def _merge_identical(
    rows: np.ndarray, cols: np.ndarray, values: np.ndarray, num_rows: int
) -> tuple[np.ndarray, int]:
    """Map each row to a group of rows with identical (column, value) sets, in first-seen order."""
    # Each entry as one integer ordered by row, then column: sorted, each row's entries in order.
    low = int(values.min(initial=0))
    span = int(values.max(initial=0)) - low + 1
    width = int(cols.max(initial=0)) + 1
    entries = np.sort((rows * width + cols) * span + (values - low))
    rows, codes = np.divmod(entries, width * span)
    # Each row as its codes in a line, padded with -1; equal lines are equal rows.
    starts = np.searchsorted(rows, np.arange(num_rows))
    length = int(np.bincount(rows, minlength=num_rows).max(initial=1))  # at least 1 for lexsort
    lines = np.full((num_rows, length), -1, dtype=np.int64)
    lines[rows, np.arange(len(rows)) - starts[rows]] = codes
    order = np.lexsort(lines.T[::-1])
    ordered = lines[order]
    new = np.ones(num_rows, dtype=bool)
    new[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    group = np.empty(num_rows, dtype=np.int64)
    group[order] = np.cumsum(new) - 1
    # The stable sort puts each group's first row first; number the groups by it.
    first = order[new]
    rank = np.empty(len(first), dtype=np.int64)
    rank[first.argsort()] = np.arange(len(first))
    return rank[group], len(first)
