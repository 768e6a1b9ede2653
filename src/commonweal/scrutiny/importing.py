"""Import one standard's measurements from a CSV file: parse, validate, then write in one transaction.

Columns (any order, names in any case): area_code, period, numerator, denominator, and optionally
value (checked against numerator / denominator × the standard's multiplier) and
deprivation_decile (1 to 10, stored on the area). Every problem is collected with its line and
column before anything is written, so a file is imported whole or not at all. A row replaces the
measurement already held for the same standard, area and period; other measurements are untouched.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction

from commonweal.places.models import Area, Measurement, NationalStandard, User
from commonweal.places.permissions import Action

from .models import MeasurementImport
from .periods import parse_period

REQUIRED_COLUMNS = ("area_code", "period", "numerator", "denominator")
OPTIONAL_COLUMNS = ("value", "deprivation_decile")
# Enough to see what is wrong with a file; the rest are counted, not listed.
MAX_PROBLEMS_LISTED = 100
WRITE_BATCH = 2_000
# The largest count a PositiveIntegerField holds on every database Commonweal runs on.
LARGEST_COUNT = 2_147_483_647

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where (line 1 is the header) and what to do about it."""

    line: int | None
    column: str | None
    message: str

    def where(self) -> str:
        parts = [f"line {self.line}" if self.line else "", f"column {self.column}" if self.column else ""]
        return ", ".join(p for p in parts if p)

    def text(self, file_name: str) -> str:
        where = self.where()
        return f"{file_name} {where}: {self.message}" if where else f"{file_name}: {self.message}"


class MeasurementFileError(Exception):
    """The file was refused; `problems` says why, and nothing was written."""

    def __init__(self, file_name: str, problems: list[Problem], unlisted: int = 0) -> None:
        self.file_name, self.problems, self.unlisted = file_name, problems, unlisted
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        lines = [p.text(self.file_name) for p in self.problems]
        if self.unlisted:
            lines.append(f"{self.file_name}: and {self.unlisted:,} more problems like these")
        return lines


@dataclass(frozen=True)
class Row:
    """A valid line of the file, ready to write."""

    line: int
    area_id: int
    period: str
    numerator: int
    denominator: int
    deprivation_decile: int | None


@dataclass(frozen=True)
class ImportResult:
    record: MeasurementImport
    periods: list[str]

    @property
    def summary(self) -> str:
        r = self.record
        return (
            f"Imported {r.rows:,} measurements of {r.standard.service.name} for "
            f"{', '.join(self.periods)}: {r.created:,} new, {r.updated:,} replacing earlier figures."
        )


def import_action(scope: Area) -> Action:
    """Officers import for their authority and the areas in it; national stewards for the whole nation."""
    return Action.SET_STANDARDS if scope.kind == Area.Kind.NATION else Action.MANAGE_AREA


def find_standard(indicator: str) -> NationalStandard:
    """The standard an import names by its service's slug, as in /standards/gp-access/."""
    standard = NationalStandard.objects.select_related("service").filter(service__slug=indicator).first()
    if standard is None:
        known = ", ".join(
            NationalStandard.objects.values_list("service__slug", flat=True).order_by("service__slug")
        )
        raise LookupError(f"No national standard has the indicator code '{indicator}'. Use one of: {known}")
    return standard


def import_measurements(
    data: bytes,
    *,
    file_name: str,
    standard: NationalStandard,
    scope: Area,
    imported_by: User | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Check every line of `data`, then write all of it in one transaction, or raise MeasurementFileError."""
    rows = read_measurements(data, file_name=file_name, standard=standard, scope=scope, progress=progress)
    return write_import(
        rows, file_name=file_name, standard=standard, scope=scope, imported_by=imported_by, progress=progress
    )


def write_import(
    rows: list[Row],
    *,
    file_name: str,
    standard: NationalStandard,
    scope: Area,
    imported_by: User | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Write rows that read_measurements accepted, and the record of the import, in one transaction."""
    with transaction.atomic():
        created, updated = write_measurements(rows, standard, progress)
        record = MeasurementImport.objects.create(
            standard=standard,
            area=scope,
            imported_by=imported_by,
            file_name=file_name[:255],
            created=created,
            updated=updated,
        )
    return ImportResult(record, sorted({row.period for row in rows}))


def read_measurements(
    data: bytes,
    *,
    file_name: str,
    standard: NationalStandard,
    scope: Area,
    progress: Progress | None = None,
) -> list[Row]:
    """Every line of the file checked; the valid rows, or MeasurementFileError listing every problem."""
    reader = _Reader(file_name, standard, scope)
    text = reader.decode(data)
    if text is not None:
        lines = list(csv.reader(io.StringIO(text, newline="")))
        reader.read(lines, progress)
    reader.raise_if_any()
    return reader.rows


def write_measurements(
    rows: list[Row], standard: NationalStandard, progress: Progress | None = None
) -> tuple[int, int]:
    """Insert new measurements and replace existing ones by (standard, area, period); (created, updated)."""
    periods = {row.period for row in rows}
    existing = set(
        Measurement.objects.filter(standard=standard, period__in=periods).values_list("area_id", "period")
    )
    updated = sum((row.area_id, row.period) in existing for row in rows)
    for start in range(0, len(rows), WRITE_BATCH):
        batch = rows[start : start + WRITE_BATCH]
        # One INSERT … ON CONFLICT per batch keeps each row's id, so nothing pointing at a
        # measurement loses it when its figures are corrected.
        Measurement.objects.bulk_create(
            [
                Measurement(
                    standard=standard,
                    area_id=row.area_id,
                    period=row.period,
                    numerator=row.numerator,
                    denominator=row.denominator,
                )
                for row in batch
            ],
            update_conflicts=True,
            unique_fields=["standard", "area", "period"],
            update_fields=["numerator", "denominator"],
        )
        if progress:
            progress("Writing", start + len(batch), len(rows))
    _store_deciles(rows)
    return len(rows) - updated, updated


def _store_deciles(rows: Iterable[Row]) -> None:
    by_decile: dict[int, set[int]] = {}
    for row in rows:
        if row.deprivation_decile is not None:
            by_decile.setdefault(row.deprivation_decile, set()).add(row.area_id)
    for decile, area_ids in by_decile.items():
        Area.objects.filter(pk__in=area_ids).exclude(deprivation_decile=decile).update(
            deprivation_decile=decile
        )


# --- reading ---------------------------------------------------------------------------------------

_DECIMAL_COMMA = re.compile(r"-?\d+,\d+")
_THOUSANDS = re.compile(r"-?\d{1,3}(,\d{3})+")
_WHOLE = re.compile(r"[+-]?\d+")


class _Reader:
    """Reads a file line by line, collecting problems and valid rows."""

    def __init__(self, file_name: str, standard: NationalStandard, scope: Area) -> None:
        self.file_name, self.standard, self.scope = file_name, standard, scope
        self.problems: list[Problem] = []
        self.unlisted = 0
        self.rows: list[Row] = []
        self.header: list[str] = []

    def problem(self, line: int | None, column: str | None, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS_LISTED:
            self.problems.append(Problem(line, column, message))
        else:
            self.unlisted += 1

    def raise_if_any(self) -> None:
        if self.problems:
            raise MeasurementFileError(self.file_name, self.problems, self.unlisted)

    def decode(self, data: bytes) -> str | None:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            start = data.rfind(b"\n", 0, error.start) + 1
            before = data[start : error.start].decode("utf-8", errors="replace")
            header = data.split(b"\n", 1)[0].decode("utf-8", errors="replace")
            names = [n.strip().lower() for n in next(csv.reader([header]), [])]
            index = len(next(csv.reader([before + "x"]))) - 1
            column = names[index] if line > 1 and index < len(names) else None
            self.problem(
                line,
                column,
                f"The file is not UTF-8 text (byte 0x{data[error.start]:02X} is not a character in UTF-8). "
                "Save it as 'CSV UTF-8' and upload it again",
            )
            return None

    def read(self, lines: list[list[str]], progress: Progress | None) -> None:
        if not lines or not any(cell.strip() for cell in lines[0]):
            self.problem(
                1,
                None,
                f"The file is empty. Its first line must name the columns: {', '.join(REQUIRED_COLUMNS)}",
            )
            return
        if not self.read_header(lines[0]):
            return
        self.areas = _AreaIndex(self.scope)
        self.seen: dict[tuple[int, str], int] = {}
        self.deciles: dict[int, tuple[int, int]] = {}
        self.period_kind: tuple[str, int] | None = self._existing_period_kind()
        total = len(lines)
        for number, cells in enumerate(lines[1:], start=2):
            if any(cell.strip() for cell in cells):
                self.read_row(number, cells)
            if progress and (number % 5_000 == 0 or number == total):
                progress("Checking", number, total)
        if not self.rows and not self.problems:
            self.problem(None, None, "The file has a header but no rows of measurements")

    def read_header(self, cells: list[str]) -> bool:
        names = [re.sub(r"[\s-]+", "_", cell.strip().lower()) for cell in cells]
        if len(names) == 1 and ";" in names[0]:
            self.problem(
                1, None, "The columns are separated by semicolons. Save the file as comma-separated CSV"
            )
            return False
        known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
        missing = [c for c in REQUIRED_COLUMNS if c not in names]
        unknown = [c for c in names if c not in known]
        repeated = sorted({c for c in names if names.count(c) > 1})
        if missing or unknown or repeated:
            detail = []
            if missing:
                detail.append(f"missing {', '.join(missing)}")
            if unknown:
                detail.append(f"not recognised: {', '.join(repr(c) for c in unknown)}")
            if repeated:
                detail.append(f"named twice: {', '.join(repeated)}")
            self.problem(
                1,
                None,
                f"The first line must name the columns {', '.join(REQUIRED_COLUMNS)} "
                f"(and optionally {' and '.join(OPTIONAL_COLUMNS)}): {'; '.join(detail)}",
            )
            return False
        self.header = names
        return True

    def _existing_period_kind(self) -> tuple[str, int] | None:
        stored = Measurement.objects.filter(standard=self.standard).values_list("period", flat=True).first()
        if stored is None:
            return None
        try:
            return parse_period(stored).kind, 0
        except ValueError:
            return None

    def read_row(self, line: int, cells: list[str]) -> None:
        if len(cells) != len(self.header):
            hint = (
                " Is a number written with a decimal comma, like 12,5, or a thousands comma, like 1,250? "
                "Write it as 12.5 or 1250"
                if len(cells) > len(self.header)
                else ""
            )
            self.problem(
                line,
                None,
                f"This line has {len(cells)} values but the header names {len(self.header)} columns.{hint}",
            )
            return
        cell = dict(zip(self.header, (c.strip() for c in cells), strict=True))
        before = len(self.problems) + self.unlisted
        area_id = self.area(line, cell["area_code"])
        period = self.period(line, cell["period"])
        numerator = self.count(line, "numerator", cell["numerator"])
        denominator = self.count(line, "denominator", cell["denominator"])
        if denominator == 0:
            self.problem(
                line, "denominator", "Enter a denominator above 0: it is the number the numerator is out of"
            )
            denominator = None
        if numerator is not None and denominator is not None:
            if numerator > denominator:
                self.problem(
                    line,
                    "numerator",
                    f"The numerator ({numerator:,}) is more than the denominator ({denominator:,}). "
                    "The numerator counts part of the denominator: check the columns are not swapped",
                )
            elif cell.get("value"):
                self.check_value(line, cell["value"], numerator, denominator)
        decile = self.decile(line, area_id, cell.get("deprivation_decile", ""))
        if area_id is not None and period is not None:
            key = (area_id, period)
            if key in self.seen:
                self.problem(
                    line,
                    None,
                    f"{cell['area_code'].upper()} for {period} is already on line {self.seen[key]}. "
                    "Give each area and period once",
                )
            else:
                self.seen[key] = line
        if len(self.problems) + self.unlisted == before:
            self.rows.append(Row(line, area_id, period, numerator, denominator, decile))

    def area(self, line: int, code: str) -> int | None:
        if not code:
            self.problem(line, "area_code", "Enter the area code, like E06000999")
            return None
        found = self.areas.find(code.upper())
        if found is None:
            self.problem(
                line,
                "area_code",
                f"'{code}' is not an area code Commonweal knows. Check the code, like E06000999",
            )
            return None
        area_id, name, inside = found
        if not inside:
            self.problem(
                line,
                "area_code",
                f"{code.upper()} ({name}) is not in {self.scope.name}. Import it from that area's page",
            )
            return None
        return area_id

    def period(self, line: int, text: str) -> str | None:
        try:
            period = parse_period(text)
        except ValueError as error:
            self.problem(line, "period", str(error))
            return None
        if self.period_kind is None:
            self.period_kind = (period.kind, line)
        elif period.kind != self.period_kind[0]:
            kind, first = self.period_kind
            where = (
                f"line {first} is a {kind}"
                if first
                else f"{self.standard.service.name} is measured by {kind}"
            )
            self.problem(
                line,
                "period",
                f"{period} is a {period.kind} but {where}. Use one kind of period for a standard",
            )
            return None
        return period.text

    def count(self, line: int, column: str, text: str) -> int | None:
        if not text:
            self.problem(line, column, f"Enter the {column}, a whole number like 120")
            return None
        if _DECIMAL_COMMA.fullmatch(text) and not _THOUSANDS.fullmatch(text):
            self.problem(
                line,
                column,
                f"'{text}' has a decimal comma. Enter the {column} as a whole number with no commas, "
                "like 120",
            )
            return None
        if _THOUSANDS.fullmatch(text):
            plain = text.replace(",", "")
            self.problem(line, column, f"Write '{text}' without commas, like {plain}")
            return None
        if not _WHOLE.fullmatch(text):
            try:
                Decimal(text)
                reason = f"'{text}' is not a whole number"
            except InvalidOperation:
                reason = f"'{text}' is not a number"
            self.problem(line, column, f"Enter the {column} as a whole number, like 120: {reason}")
            return None
        number = int(text)
        if number < 0:
            self.problem(line, column, f"Enter a {column} of 0 or more: '{text}' is negative")
            return None
        if number > LARGEST_COUNT:
            self.problem(line, column, f"Enter a {column} below {LARGEST_COUNT:,}: '{text}' is too large")
            return None
        return number

    def check_value(self, line: int, text: str, numerator: int, denominator: int) -> None:
        if _DECIMAL_COMMA.fullmatch(text):
            self.problem(
                line,
                "value",
                f"'{text}' has a decimal comma. Write the value with a decimal point, like 12.5",
            )
            return
        try:
            value = Decimal(text.removesuffix("%"))
        except InvalidOperation:
            self.problem(
                line, "value", f"Enter the value as a number, like 85.2, or leave it empty: '{text}' is not"
            )
            return
        if not value.is_finite():
            self.problem(
                line, "value", f"Enter the value as a number, like 85.2, or leave it empty: '{text}' is not"
            )
            return
        multiplier = self.standard.multiplier
        computed = numerator / denominator * multiplier
        # A value rounded to d decimal places is within half a unit of the d-th place.
        places = max(-value.as_tuple().exponent, 0)
        if abs(float(value) - computed) > 0.5 * 10**-places + 1e-9:
            self.problem(
                line,
                "value",
                f"The value {text} does not match numerator / denominator × {multiplier:,} = {computed:.2f}. "
                "Check the columns are in the right order, or leave the value empty",
            )

    def decile(self, line: int, area_id: int | None, text: str) -> int | None:
        if not text:
            return None
        if not _WHOLE.fullmatch(text) or not 1 <= int(text) <= 10:
            self.problem(
                line,
                "deprivation_decile",
                "Enter the deprivation decile as a whole number from 1 (most deprived) to 10: "
                f"'{text}' is not",
            )
            return None
        decile = int(text)
        if area_id is not None:
            earlier = self.deciles.setdefault(area_id, (decile, line))
            if earlier[0] != decile:
                self.problem(
                    line,
                    "deprivation_decile",
                    f"This area's deprivation decile is {earlier[0]} on line {earlier[1]}. "
                    "Give each area one decile",
                )
                return None
        return decile


class _AreaIndex:
    """Every area by code, and which of them lie inside the import's scope."""

    def __init__(self, scope: Area) -> None:
        self.by_code: dict[str, tuple[int, str]] = {}
        children: dict[int | None, list[int]] = {}
        for pk, code, name, parent_id in Area.objects.values_list("pk", "code", "name", "parent_id"):
            self.by_code[code.upper()] = (pk, name)
            children.setdefault(parent_id, []).append(pk)
        self.inside: set[int] = set()
        stack = [scope.pk]
        while stack:
            pk = stack.pop()
            self.inside.add(pk)
            stack.extend(children.get(pk, ()))

    def find(self, code: str) -> tuple[int, str, bool] | None:
        found = self.by_code.get(code)
        if found is None:
            return None
        return found[0], found[1], found[0] in self.inside
