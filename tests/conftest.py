"""Suite-wide rules: which tests touch storage, what a missing server or browser means, shared data.

Every test that reaches the database is marked `storage`, so `make test` can run exactly those
again on PostgreSQL. Every test that drives a browser is marked `e2e`. A missing PostgreSQL
server, Chromium or reference data skips the tests that need it on a developer's machine and
fails the run under CI=true, where a skip would hide a broken environment.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from commonweal.places.demo import DemoAccount

pytest_plugins = ["pytester"]

# pytest-django's live_server runs Django in a thread while sync Playwright runs an event loop
# in this one; Django would otherwise refuse every ORM call made from the test as "async".
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_MISSING = "install Debian's chromium: make chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# A test touches storage when it asks for any of these, directly or through another fixture.
STORAGE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
     "django_db_setup", "live_server"}
)
# pytest-playwright builds page and context on browser, so this catches every browser test.
BROWSER_FIXTURES = frozenset({"browser", "launch_browser"})


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def uses_storage(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(fixtures & STORAGE_FIXTURES)


def uses_browser(item: pytest.Item) -> bool:
    return bool(set(getattr(item, "fixturenames", ())) & BROWSER_FIXTURES)


# tryfirst: the markers must be on the items before `-m` deselects by them.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if uses_storage(item):
            item.add_marker(pytest.mark.storage)
        if uses_browser(item):
            item.add_marker(pytest.mark.e2e)
        if "shared_data" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.reference_data)


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def postgres_unreachable(url: str) -> str | None:
    """Why the PostgreSQL server at `url` cannot be reached, or None when it answers."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    where = f"{config.get('HOST') or 'localhost'}:{config.get('PORT') or 5432}"
    try:
        # pytest-django creates test_<name> from the maintenance database, so that is what
        # must answer; the named database need not exist yet.
        psycopg.connect(
            dbname="postgres", user=config.get("USER") or None, password=config.get("PASSWORD") or None,
            host=config.get("HOST") or None, port=config.get("PORT") or None, connect_timeout=3,
        ).close()
    except psycopg.OperationalError as error:
        return f"PostgreSQL at {where} is unreachable: {str(error).strip().splitlines()[0]}"
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    """Check the PostgreSQL server once, and only when a selected test needs it."""
    url = postgres_url()
    storage = [item for item in session.items if item.get_closest_marker("storage")]
    if url is None or not storage:
        return
    problem = postgres_unreachable(url)
    if problem is None:
        return
    message = f"{problem}. Start it, or unset DATABASE_URL to use SQLite"
    if in_ci():
        pytest.exit(f"CI=true: {message}", returncode=pytest.ExitCode.TESTS_FAILED)
    for item in storage:
        item.add_marker(pytest.mark.skip(reason=message))


def require_or_skip(available: bool, message: str) -> None:
    """Stop a test that lacks what it needs: a failure under CI=true, a skip elsewhere."""
    if available:
        return
    if in_ci():
        pytest.fail(f"CI=true: {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def shared_data() -> Callable[[str], Path]:
    """A function from a name under ../shared/data to its path, for the reference-data tests."""

    def path_of(name: str) -> Path:
        path = SHARED_DATA / name
        require_or_skip(path.exists(), f"reference data not found at {path}")
        return path

    return path_of


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Launch Debian's Chromium: Playwright cannot download its own browsers on these machines."""
    require_or_skip(CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK), CHROMIUM_MISSING)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing() -> Iterator[None]:
    """Hash with MD5 in tests, as Django's docs advise: each demo account would otherwise cost a
    quarter of a second of PBKDF2, on every test that loads the demo place or signs in."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def demo_place(db: None) -> list[DemoAccount]:
    """The demo borough, Thornbury Vale, with its standards, measurements and accounts."""
    from commonweal.places.demo import load_demo

    return load_demo()
