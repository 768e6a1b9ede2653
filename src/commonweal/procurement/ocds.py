"""Open Contracting Data Standard 1.1: tenders and awards as release packages, checks, and merging.

Field names, codelists and the merge rules follow the OCDS 1.1 documentation
(standard.open-contracting.org, "Release", "Release package" and "Merging"). Everything here is
plain data: dataclasses in, JSON-ready dicts out. Validation against the official JSON schemas takes
the schemas as dicts the caller has read; nothing is fetched, since the PyPI tools that fetch the
schema at run time cannot reach it from every machine this runs on.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

VERSION = "1.1"
CURRENCY = "GBP"
OCID_PREFIX = re.compile(r"^ocds-[a-z0-9]{6}$")
# The closed releaseTag codelist of OCDS 1.1.
RELEASE_TAGS = frozenset({
    "planning", "planningUpdate", "tender", "tenderAmendment", "tenderUpdate", "tenderCancellation",
    "award", "awardUpdate", "awardCancellation", "contract", "contractUpdate", "contractAmendment",
    "implementation", "implementationUpdate", "contractTermination", "compiled",
})
# A full date-time with seconds and a time zone, as RFC 3339 and OCDS ask.
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
DATE_FIELDS = frozenset({"date", "publishedDate", "startDate", "endDate", "maxExtentDate", "dateSigned"})


class OcdsError(ValueError):
    """A package or value OCDS refuses; `problems` lists each one with where it is."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Party:
    id: str
    name: str
    roles: tuple[str, ...]
    locality: str = ""


@dataclass(frozen=True)
class Lot:
    id: str
    title: str
    budget: Decimal | None = None


@dataclass(frozen=True)
class Award:
    id: str
    lot_id: str
    title: str
    supplier: Party
    value: Decimal
    date: datetime
    status: str = "active"  # award status codelist: pending, active, cancelled, unsuccessful


@dataclass(frozen=True)
class Tender:
    """One tender of one buyer, with its lots, tenderers and any awards."""

    identifier: str  # unique within the publisher: becomes the ocid's suffix
    title: str
    description: str
    status: str  # tender status codelist: planning, active, cancelled, unsuccessful, complete
    buyer: Party
    published: datetime
    updated: datetime
    deadline: datetime
    budget: Decimal | None = None
    criteria: str = ""
    lots: tuple[Lot, ...] = ()
    tenderers: tuple[Party, ...] = ()
    awards: tuple[Award, ...] = field(default=())


def ocid(prefix: str, identifier: str) -> str:
    """The contracting process's global id: the publisher's registered prefix, a hyphen, its own id."""
    if not OCID_PREFIX.match(prefix):
        raise OcdsError([f"ocid prefix {prefix!r}: use 'ocds-' and six lower-case letters or digits"])
    return f"{prefix}-{identifier}"


def date_time(moment: datetime) -> str:
    """A full date-time with its time zone; a naive datetime is refused, as OCDS requires a zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise OcdsError([f"{moment!r} has no time zone"])
    return moment.isoformat(timespec="seconds")


def value(amount: Decimal) -> dict[str, Any]:
    # OCDS amounts are JSON numbers; pence survive as two decimal places.
    number = float(amount) if amount != amount.to_integral_value() else int(amount)
    return {"amount": number, "currency": CURRENCY}


def tender_releases(tender: Tender, prefix: str) -> list[dict[str, Any]]:
    """The releases for one tender: a `tender` release, and an `award` release once awards are made."""
    process = ocid(prefix, tender.identifier)
    parties: dict[str, dict[str, Any]] = {}
    for party in (tender.buyer, *tender.tenderers):
        _add_party(parties, party)
    body = {
        "id": tender.identifier,
        "title": tender.title,
        "description": tender.description,
        "status": tender.status,
        "procuringEntity": {"id": tender.buyer.id, "name": tender.buyer.name},
        "mainProcurementCategory": "services",
        "procurementMethod": "open",
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": tender.criteria,
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {"startDate": date_time(tender.published), "endDate": date_time(tender.deadline)},
        "items": [_lot_item(lot) for lot in tender.lots],
        "numberOfTenderers": len(tender.tenderers),
        "tenderers": [{"id": p.id, "name": p.name} for p in tender.tenderers],
    }
    if tender.budget is not None:
        body["value"] = value(tender.budget)
    releases = [
        {
            "ocid": process,
            "id": f"{process}-tender-{tender.updated:%Y%m%dT%H%M%S}",
            "date": date_time(tender.updated),
            "tag": ["tender"],
            "initiationType": "tender",
            "language": "en",
            "parties": [dict(p) for p in parties.values()],
            "buyer": {"id": tender.buyer.id, "name": tender.buyer.name},
            "tender": body,
        }
    ]
    if tender.awards:
        for award in tender.awards:
            # Whatever roles the supplier held before, the award makes it a supplier.
            _add_party(parties, award.supplier, extra_role="supplier")
        latest = max(award.date for award in tender.awards)
        releases.append(
            {
                "ocid": process,
                "id": f"{process}-award-{latest:%Y%m%dT%H%M%S}",
                "date": date_time(latest),
                "tag": ["award"],
                "initiationType": "tender",
                "language": "en",
                "parties": list(parties.values()),
                "buyer": {"id": tender.buyer.id, "name": tender.buyer.name},
                "awards": [_award(award, tender.lots) for award in tender.awards],
            }
        )
    return releases


def release_package(
    releases: list[dict[str, Any]], *, uri: str, publisher: str, published: datetime
) -> dict[str, Any]:
    """Wrap releases in a release package with its publishing metadata."""
    return {
        "uri": uri,
        "version": VERSION,
        "publishedDate": date_time(published),
        "publisher": {"name": publisher},
        "releases": releases,
    }


def parse_package(data: bytes, name: str) -> dict[str, Any]:
    """Read a release package's JSON, or raise OcdsError naming the file, line and column."""
    try:
        package = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise OcdsError([f"{name}: save the file as UTF-8 text"]) from None
    except json.JSONDecodeError as error:
        raise OcdsError([f"{name} line {error.lineno}, column {error.colno}: {error.msg}"]) from None
    if not isinstance(package, dict) or "releases" not in package:
        raise OcdsError([f"{name}: this is not an OCDS release package (it has no 'releases')"])
    return package


def schema_problems(
    package: Mapping[str, Any], package_schema: Mapping[str, Any], release_schema: Mapping[str, Any]
) -> list[str]:
    """Every way `package` breaks the OCDS release-package and release schemas, each with its path.

    The package schema refers to the release schema by its URL; a referencing registry maps that
    URL to the schema given, so validation never goes to the network.
    """
    registry = Registry().with_resource(
        release_schema["id"], Resource.from_contents(dict(release_schema), default_specification=DRAFT4)
    )
    validator = Draft4Validator(dict(package_schema), registry=registry)
    problems = [
        f"{_path(error.absolute_path) or 'package'}: {error.message}"
        for error in sorted(validator.iter_errors(package), key=lambda e: list(map(str, e.absolute_path)))
    ]
    return problems + date_time_problems(package)


def date_time_problems(document: Any, path: tuple = ()) -> list[str]:
    """Dates that are not full date-times with a time zone (the schema's `format` is not enforced)."""
    problems = []
    if isinstance(document, Mapping):
        for key, item in document.items():
            if key in DATE_FIELDS and isinstance(item, str) and not DATE_TIME.match(item):
                problems.append(f"{_path((*path, key))}: {item!r} is not a date-time with a time zone, "
                                "like 2026-03-31T17:00:00+01:00")
            else:
                problems += date_time_problems(item, (*path, key))
    elif isinstance(document, list):
        for index, item in enumerate(document):
            problems += date_time_problems(item, (*path, index))
    return problems


def merge(releases: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Compile releases into records, one per ocid, by the OCDS merge rules.

    Releases are applied oldest first: objects merge field by field, arrays of objects with ids merge
    by id, any other value (arrays included) is replaced by the newer one, and a null removes the
    field. The compiled release carries the tag `compiled` and the latest date.
    """
    by_ocid: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for release in releases:
        by_ocid[release["ocid"]].append(release)
    records = []
    for process, group in sorted(by_ocid.items()):
        group.sort(key=lambda r: (r.get("date", ""), r.get("id", "")))
        compiled: dict[str, Any] = {}
        for release in group:
            compiled = _merge_object(compiled, {k: v for k, v in release.items() if k != "tag"})
        compiled["tag"] = ["compiled"]
        compiled["id"] = f"{process}-compiled-{group[-1].get('date', '')}"
        records.append({"ocid": process, "releases": list(group), "compiledRelease": compiled})
    return records


def _merge_object(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(old)
    for key, item in new.items():
        if item is None:
            merged.pop(key, None)
        elif isinstance(item, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge_object(merged[key], item)
        elif _identified(item) and _identified(merged.get(key)):
            merged[key] = _merge_by_id(merged[key], item)
        else:
            merged[key] = item
    return merged


def _identified(item: Any) -> bool:
    return isinstance(item, list) and bool(item) and all(isinstance(i, Mapping) and "id" in i for i in item)


def _merge_by_id(old: list[Mapping[str, Any]], new: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    merged = {str(item["id"]): dict(item) for item in old}
    for item in new:
        key = str(item["id"])
        merged[key] = _merge_object(merged.get(key, {}), item)
    return list(merged.values())


def _add_party(parties: dict[str, dict[str, Any]], party: Party, extra_role: str = "") -> None:
    entry = parties.setdefault(party.id, {"id": party.id, "name": party.name, "roles": []})
    entry["roles"] = sorted(set(entry["roles"]) | set(party.roles) | ({extra_role} if extra_role else set()))
    if party.locality:
        entry["address"] = {"locality": party.locality, "countryName": "United Kingdom"}


def _lot_item(lot: Lot) -> dict[str, Any]:
    item: dict[str, Any] = {"id": lot.id, "description": lot.title, "quantity": 1}
    if lot.budget is not None:
        item["unit"] = {"name": "lot", "value": value(lot.budget)}
    return item


def _award(award: Award, lots: tuple[Lot, ...]) -> dict[str, Any]:
    lot = next((lot for lot in lots if lot.id == award.lot_id), None)
    body: dict[str, Any] = {
        "id": award.id,
        "title": award.title,
        "status": award.status,
        "date": date_time(award.date),
        "value": value(award.value),
        "suppliers": [{"id": award.supplier.id, "name": award.supplier.name}],
    }
    if lot is not None:
        body["items"] = [{"id": lot.id, "description": lot.title, "quantity": 1}]
    return body


def _path(parts: Iterable[Any]) -> str:
    return "/".join(str(p) for p in parts)
