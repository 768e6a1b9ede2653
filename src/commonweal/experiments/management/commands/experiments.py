"""`commonweal experiments evaluate FILE.csv --unit COL --period COL --value COL --treated COL`."""

from __future__ import annotations

import json
import math

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonweal.experiments import evaluate


class Command(BaseCommand):
    help = "Local experiments: `experiments evaluate FILE.csv ...` estimates a change's effect from a panel."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        run = actions.add_parser(
            "evaluate",
            help="Estimate the effect of a change from a long CSV: one row per area and period.",
            description="Treated is 1 for the changed area's periods under the change, 0 otherwise.",
        )
        run.add_argument("file", help="The CSV file.")
        run.add_argument("--unit", required=True, help="Column naming the area.")
        run.add_argument("--period", required=True, help="Column naming the period.")
        run.add_argument("--value", required=True, help="Column holding the measured value.")
        run.add_argument("--treated", required=True, help="Column holding 1 under the change, else 0.")
        run.add_argument(
            "--method", choices=evaluate.METHODS, default="sdid", help="sdid (default), sc or did."
        )
        run.add_argument(
            "--sep", default=None, help="Column separator (default: ';' if the header has one, else ',')."
        )
        run.add_argument("--seed", type=int, default=0, help="Seed for the placebo draws (0).")
        run.add_argument("--json", action="store_true", help="Print the whole estimate as JSON.")

    def handle(self, *args, action: str, **options) -> None:
        path = options["file"]
        sep = options["sep"]
        try:
            if sep is None:
                with open(path, encoding="utf-8-sig") as handle:
                    sep = ";" if ";" in handle.readline() else ","
            panel = evaluate.load_panel_csv(
                path,
                unit=options["unit"],
                period=options["period"],
                value=options["value"],
                treated=options["treated"],
                sep=sep,
            )
            result = evaluate.estimate(panel, options["method"], seed=options["seed"])
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except evaluate.PanelError as error:
            raise CommandError(str(error)) from None
        if options["json"]:
            self.stdout.write(json.dumps(_finite(result.to_dict()), indent=2, allow_nan=False))
            return
        low, high = result.interval
        self.stdout.write(f"{result.method_name}: effect {result.effect:.5f}")
        self.stdout.write(
            f"standard error {result.se:.5f} ({result.se_method}); 95% interval {low:.5f} to {high:.5f}"
        )
        heaviest = sorted(result.unit_weights.items(), key=lambda item: -item[1])[:5]
        self.stdout.write(
            "heaviest comparison areas: " + ", ".join(f"{u} {w:.3f}" for u, w in heaviest if w > 0)
        )
        self.stdout.write(result.verdict)


def _finite(value):
    # JSON has no NaN: an undefined standard error is written as null.
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
