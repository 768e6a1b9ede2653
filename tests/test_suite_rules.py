"""The suite's own rules in tests/conftest.py, run on small made-up suites in a scratch folder."""

from __future__ import annotations

from pathlib import Path

import pytest

CONFTEST = Path(__file__).with_name("conftest.py").read_text(encoding="utf-8")
SRC = Path(__file__).resolve().parent.parent / "src"
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/commonweal"

MADE_UP_SUITE = '''
import pytest

def test_pure():
    assert True

def test_with_db(db):
    assert True

@pytest.mark.django_db
def test_with_mark():
    assert True

@pytest.fixture
def through_another(transactional_db):
    return 1

def test_through_another_fixture(through_another):
    assert through_another == 1

def test_with_client(client):
    assert client is not None
'''


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTHONPATH", str(SRC))
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "commonweal.settings")
    monkeypatch.setenv("COMMONWEAL_VAR_DIR", str(pytester.path / "var"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CI", raising=False)
    pytester.makeconftest(CONFTEST)
    pytester.makeini("[pytest]\naddopts = -p pytest_django --strict-markers\nmarkers =\n"
                     "    storage: touches the database\n    e2e: browser\n    reference_data: data\n")
    pytester.makepyfile(test_made_up=MADE_UP_SUITE)
    return pytester


def test_storage_marks_exactly_the_tests_that_reach_the_database(suite: pytest.Pytester) -> None:
    result = suite.runpytest_subprocess("-m", "storage", "--collect-only", "-q")

    assert sorted(line.split("::")[1] for line in result.outlines if "::" in line) == [
        "test_through_another_fixture", "test_with_db", "test_with_mark",
    ]


def test_unreachable_postgres_skips_storage_tests_with_the_reason(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)

    result = suite.runpytest_subprocess("-rs")

    result.assert_outcomes(passed=2, skipped=3)
    result.stdout.fnmatch_lines(["*PostgreSQL at 127.0.0.1:1 is unreachable*"])


def test_unreachable_postgres_fails_the_run_under_ci(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)
    monkeypatch.setenv("CI", "true")

    result = suite.runpytest_subprocess()

    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*CI=true: PostgreSQL at 127.0.0.1:1 is unreachable*"])


def test_unreachable_postgres_does_not_matter_when_no_storage_test_is_selected(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)
    monkeypatch.setenv("CI", "true")

    result = suite.runpytest_subprocess("-m", "not storage")

    result.assert_outcomes(passed=2, deselected=3)


@pytest.mark.parametrize(("ci", "outcome"), [("", {"skipped": 1}), ("true", {"failed": 1})])
def test_missing_shared_data_skips_or_fails_under_ci(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str, outcome: dict[str, int]
) -> None:
    monkeypatch.setenv("CI", ci)
    suite.makepyfile(test_data="def test_reads(shared_data):\n    shared_data('no-such-set')\n")

    result = suite.runpytest_subprocess("test_data.py")

    result.assert_outcomes(**outcome)
