"""Production settings: `commonweal check --deploy` is clean, and a missing secret is refused."""

import os
import subprocess
import sys

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "production-secret-that-is-long-and-random-enough-0123456789",
    "ALLOWED_HOSTS": "commonweal.example.org",
    "DATABASE_URL": "sqlite:////tmp/commonweal-check.sqlite3",
}


def commonweal(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # A production machine's environment: nothing from the test run leaks in.
    bare = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [sys.executable, "-m", "commonweal", *args], env=bare | env,
        capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_prints_no_warning_with_production_settings() -> None:
    result = commonweal("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_debug_off_without_a_secret_key_is_refused_with_a_clear_message() -> None:
    result = commonweal("check", env=PRODUCTION | {"SECRET_KEY": ""})
    assert result.returncode != 0
    assert "Set SECRET_KEY in the environment when DEBUG is off" in result.stderr
