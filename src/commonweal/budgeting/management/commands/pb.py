"""`commonweal pb run FILE.pb --rule RULE` counts a pabulib election; `pb check FILE.pb` checks it."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from commonweal.budgeting import engine
from commonweal.budgeting.engine.pabulib import decimal_text, problems

# Files above this size get a progress bar on stderr; smaller ones are counted in a blink.
LARGE_FILE = 1_000_000
BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Count or check a participatory-budgeting election in pabulib (.pb) format."
    # The engine needs neither the database nor the site: Django's system checks would import
    # every view (and scipy with them), seconds longer than most counts take.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        run = actions.add_parser("run", help="Print the projects a rule funds.")
        run.add_argument("file", type=Path)
        run.add_argument("--rule", default="mes", choices=sorted(engine.RULES))
        run.add_argument("--utility", default="approval", choices=["approval", "points"])
        run.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
        check = actions.add_parser("check", help="Validate a file and summarise it.")
        check.add_argument("file", type=Path)

    def handle(self, *args, action: str, file: Path, **options) -> None:
        large = file.is_file() and file.stat().st_size > LARGE_FILE
        steps = 3 if action == "run" else 2
        progress = Progress(self.stderr, steps) if large else None
        try:
            if progress:
                progress.step("reading")
            election = engine.load(file)
            if action == "check":
                self.stdout.write("\n".join(summary(election)))
            else:
                if progress:
                    progress.step(f"counting with {options['rule']}")
                start = time.perf_counter()
                outcome = engine.allocate(election, rule=options["rule"], utility=options["utility"])
                seconds = time.perf_counter() - start
                if options["json"]:
                    self.stdout.write(json.dumps(outcome_json(outcome, seconds), indent=2))
                else:
                    self.stdout.write(funded_table(election, outcome))
        except (engine.PabulibError, ValueError) as error:
            raise CommandError(str(error)) from None
        finally:
            if progress:
                progress.finish()


class Progress:
    """A one-line textual bar on stderr: [=====     ] step."""

    def __init__(self, stream: OutputWrapper, steps: int) -> None:
        self.stream, self.steps, self.done = stream, steps, 0

    def step(self, label: str) -> None:
        filled = BAR_WIDTH * self.done // self.steps
        self.stream.write(f"\r[{'=' * filled}{' ' * (BAR_WIDTH - filled)}] {label:<30}", ending="")
        self.stream.flush()
        self.done += 1

    def finish(self) -> None:
        self.stream.write(f"\r[{'=' * BAR_WIDTH}] {'done':<30}")


def funded_table(election: engine.Election, outcome: engine.Outcome) -> str:
    """The funded projects as a plain table: id, name, cost, votes (voters approving it)."""
    projects = {project.id: project for project in election.projects}
    votes = supporters(election)
    rows = [("id", "name", "cost", "votes")]
    rows += [
        (pid, projects[pid].name, decimal_text(projects[pid].cost), str(votes[pid])) for pid in outcome.funded
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    count = f"{len(outcome.funded)} project{'' if len(outcome.funded) == 1 else 's'}"
    spent = f"{decimal_text(outcome.total_cost)} of {decimal_text(outcome.budget)}"
    lines.append(f"{count} funded, costing {spent}")
    return "\n".join(line.rstrip() for line in lines)


def outcome_json(outcome: engine.Outcome, seconds: float) -> dict:
    """The outcome for machines; money as decimal strings so nothing is rounded."""
    return {
        "rule": outcome.rule,
        "utility": outcome.utility,
        "budget": decimal_text(outcome.budget),
        "funded": outcome.funded,
        "total_cost": decimal_text(outcome.total_cost),
        "seconds": round(seconds, 3),
    }


def summary(election: engine.Election) -> list[str]:
    """What `pb check` prints: the election's size and anything wrong with it."""
    found = problems(election)
    lines = [
        f"voters:           {election.num_voters}",
        f"distinct ballots: {len(election.profile().weights)}",
        f"projects:         {len(election.projects)}",
        f"budget:           {decimal_text(election.budget)}",
        f"vote type:        {election.vote_type}",
        f"problems:         {len(found) or 'none'}",
    ]
    return lines + [f"  - {problem}" for problem in found]


def supporters(election: engine.Election) -> dict[str, int]:
    """How many voters approve each project."""
    profile = election.profile()
    counts = profile.weights @ (profile.utilities > 0)
    return {pid: int(count) for pid, count in zip(profile.project_ids, counts, strict=True)}
