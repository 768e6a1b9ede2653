"""Fixtures for the real pabulib elections kept outside the repository, in ../shared/data."""

import json
import os
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
