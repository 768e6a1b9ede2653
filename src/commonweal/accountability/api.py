"""The open-data API: read-only JSON under /api/ with its OpenAPI 3 schema at /api/openapi.json.

Every list is paginated (page, page_size up to MAX_PAGE_SIZE), filterable, and also served whole as
CSV at the same path with `.csv`. No row carries a person: no names, no emails, no balances of
individual members. Every request counts against a per-IP limit held in Django's cache.
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError, ValidationError
from ninja.throttling import BaseThrottle
from pydantic import Field, create_model

from . import opendata

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50
# Generous for a person or a script reading pages in a loop; tight enough that one address cannot
# swamp a small council's server. Deployments set ACCOUNTABILITY_API_RATE, e.g. "120/min".
DEFAULT_RATE = "300/min"
PERIODS = {"s": 1, "sec": 1, "min": 60, "m": 60, "hour": 3600, "h": 3600, "day": 86400, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    count, _, unit = rate.partition("/")
    return int(count), PERIODS[unit]


class PerAddressLimit(BaseThrottle):
    """A fixed window per client address, counted in Django's cache (shared across workers when
    the cache is shared, such as Redis or the database cache)."""

    def __init__(self) -> None:
        self.retry_after: float | None = None

    def allow_request(self, request: HttpRequest) -> bool:
        limit, seconds = parse_rate(getattr(settings, "ACCOUNTABILITY_API_RATE", DEFAULT_RATE))
        window = int(datetime.now().timestamp()) // seconds
        key = f"api-rate:{request.META.get('REMOTE_ADDR', '')}:{window}"
        cache.add(key, 0, timeout=seconds + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # the key expired between add and incr
            cache.set(key, 1, timeout=seconds + 1)
            count = 1
        self.retry_after = seconds - datetime.now().timestamp() % seconds
        return count <= limit

    def wait(self) -> float | None:
        return self.retry_after


api = NinjaAPI(
    title="Commonweal open data",
    version="1",
    description=(
        "Read-only open data: areas, national standards, measurements and findings, participatory budgets, "
        "tracked results, reviews, time-credit ledger totals and procurement. Every list is paginated "
        f"(page_size at most {MAX_PAGE_SIZE}) and is also served whole as CSV at the same path ending "
        "`.csv`. Requests are limited per client address (300 a minute by default); above it the API "
        "answers 429 with Retry-After. No response carries a person's name or email."
    ),
    urls_namespace="api",
    throttle=PerAddressLimit(),
)


@api.exception_handler(ValidationError)
def explain_validation(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """Pydantic's errors, told as sentences naming the parameter."""
    problems = []
    for item in error.errors:
        where = ".".join(str(p) for p in item.get("loc", ()) if p not in ("query", "filters"))
        if where == "page_size" and item.get("type") == "less_than_equal":
            problems.append(f"page_size: ask for at most {MAX_PAGE_SIZE} rows a page; use page to read on")
        else:
            problems.append(f"{where}: {item.get('msg', 'is not valid')}")
    return api.create_response(
        request, {"detail": "; ".join(problems) or "The request is not valid"}, status=400
    )


class Problem(Schema):
    detail: str


class Paging(Schema):
    page: int = Field(1, ge=1, description="Which page, from 1.")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"Rows per page, 1 to {MAX_PAGE_SIZE}."
    )


def refuse_unknown(request: HttpRequest, allowed: set[str]) -> None:
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise HttpError(400, f"Unknown filter {', '.join(unknown)}: use only {', '.join(sorted(allowed))}")


def page_schema(name: str, row: type[Schema]) -> type[Schema]:
    return create_model(
        f"{name}Page",
        __base__=Schema,
        count=(int, ...),
        page=(int, ...),
        page_size=(int, ...),
        pages=(int, ...),
        results=(list[row], ...),
    )


def paginate(rows: Sequence[Any], page: int, page_size: int, to_row: Callable[[Any], dict]) -> dict:
    count = len(rows) if isinstance(rows, list) else rows.count()
    pages = max(1, -(-count // page_size))
    if page > pages:
        raise HttpError(404, f"There is no page {page}: the last page is {pages}")
    start = (page - 1) * page_size
    return {
        "count": count,
        "page": page,
        "page_size": page_size,
        "pages": pages,
        "results": [to_row(r) for r in rows[start : start + page_size]],
    }


def register(name: str, path: str, row: type[Schema], filters: type[Schema], source: opendata.Source) -> None:
    """One list as a paginated JSON operation and a whole-list CSV download."""
    allowed = set(filters.model_fields) | {"page", "page_size"}
    page_type = page_schema(name, row)

    def fetch(request: HttpRequest, chosen: Schema) -> Sequence[Any]:
        refuse_unknown(request, allowed)
        try:
            return source.rows(chosen.model_dump())
        except opendata.FilterError as error:
            raise HttpError(400, str(error)) from None

    if filters.model_fields:

        def as_json(request: HttpRequest, chosen: Query[filters], paging: Query[Paging]):  # type: ignore[valid-type]
            return paginate(fetch(request, chosen), paging.page, paging.page_size, source.to_row)

        def as_csv(request: HttpRequest, chosen: Query[filters]):  # type: ignore[valid-type]
            rows = [source.to_row(r) for r in fetch(request, chosen)]
            return opendata.csv_response(f"{path.strip('/')}.csv", row, rows)

    else:  # ninja cannot take an empty query schema, so a list without filters takes only paging

        def as_json(request: HttpRequest, paging: Query[Paging]):  # type: ignore[no-redef]
            return paginate(fetch(request, filters()), paging.page, paging.page_size, source.to_row)

        def as_csv(request: HttpRequest):  # type: ignore[no-redef]
            rows = [source.to_row(r) for r in fetch(request, filters())]
            return opendata.csv_response(f"{path.strip('/')}.csv", row, rows)

    as_json.__name__, as_csv.__name__ = f"list_{name.lower()}", f"{name.lower()}_csv"
    api.get(
        path, response={200: page_type, 400: Problem, 404: Problem, 429: Problem}, summary=f"List {path[1:]}"
    )(as_json)
    api.get(f"{path}.csv", include_in_schema=False)(as_csv)


for resource in opendata.RESOURCES:
    register(resource.name, resource.path, resource.row, resource.filters, resource.source)
