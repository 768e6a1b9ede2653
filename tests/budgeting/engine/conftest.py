"""Fixtures for the real pabulib elections kept outside the repository, in ../shared/data, for
small .pb files, and for code run in a fresh process."""

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

PABULIB_DIR = Path(__file__).resolve().parents[3].parent / "shared/data/pabulib"


@pytest.fixture(scope="session")
def pabulib_dir() -> Path:
    """The folder of real .pb files; missing data fails under CI=true and skips elsewhere."""
    if not (PABULIB_DIR / "expected.json").is_file():
        message = f"reference data not found at {PABULIB_DIR}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return PABULIB_DIR


@pytest.fixture(scope="session")
def expected(pabulib_dir: Path) -> dict:
    """expected.json: pabutools 1.2.3's outcome for every election and rule."""
    return json.loads((pabulib_dir / "expected.json").read_text(encoding="utf-8"))


def pb_bytes(
    projects: list[str],
    votes: list[str],
    *,
    vote_type: str = "approval",
    budget: str = "100",
    project_header: str = "project_id;cost;name",
    vote_header: str = "voter_id;vote",
) -> bytes:
    """A small .pb file: `projects` and `votes` are its data lines."""
    lines = ["META", "key;value", f"budget;{budget}", f"vote_type;{vote_type}"]
    lines += ["PROJECTS", project_header, *projects, "VOTES", vote_header, *votes]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def make_pb():
    """Builds the bytes of a small .pb file (see pb_bytes)."""
    return pb_bytes


@pytest.fixture
def alone() -> Callable[[str], str]:
    """Runs Python code in a fresh single-threaded process, one that may fork (a test session
    keeps threads of its own, such as the browser tests' live server), and gives what it
    prints. Skips where there is no second processor to fork onto."""
    if sys.platform != "linux" or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("no second processor to fork onto")

    def run(code: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    return run
