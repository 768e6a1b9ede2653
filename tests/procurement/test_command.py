"""`commonweal procurement ocds` prints only the package; `procurement import` refuses bad files whole."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from commonweal.procurement.models import ImportedRelease


@pytest.fixture
def demo(db):
    from commonweal.places.demo import load_demo
    from commonweal.procurement.demo import load_procurement_demo

    load_demo()
    load_procurement_demo()


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("procurement", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_ocds_prints_only_the_release_package_json(demo) -> None:
    out, err = run("ocds", "--area", "E06000999", "--prefix", "ocds-tvbc01")
    package = json.loads(out)
    assert package["version"] == "1.1" and "5 releases" in err
    assert all(r["ocid"].startswith("ocds-tvbc01-E06000999-T") for r in package["releases"])
    assert all(r["date"].endswith("+00:00") for r in package["releases"])


def test_ocds_without_an_area_exports_every_area(demo) -> None:
    out, _ = run("ocds")
    assert len(json.loads(out)["releases"]) == 5


def test_a_bad_prefix_is_refused(demo) -> None:
    with pytest.raises(CommandError, match="ocid prefix 'ocds-X'"):
        run("ocds", "--prefix", "ocds-X")


def test_an_unknown_area_is_refused(demo) -> None:
    with pytest.raises(CommandError, match="no area with code 'Z1'"):
        run("ocds", "--area", "Z1")


def test_import_refuses_a_broken_file_whole(demo, tmp_path, shared_data, settings) -> None:
    settings.OCDS_SCHEMA_DIR = shared_data("ocds")
    before = ImportedRelease.objects.count()
    broken = tmp_path / "theirs.json"
    broken.write_text('{"releases": [\n  {"ocid": }\n]}')
    with pytest.raises(CommandError, match=r"theirs\.json line 2, column 12"):
        run("import", str(broken), "--area", "E06000999")
    assert ImportedRelease.objects.count() == before


def test_import_of_an_exported_package_round_trips(demo, tmp_path, shared_data, settings) -> None:
    settings.OCDS_SCHEMA_DIR = shared_data("ocds")
    out, _ = run("ocds", "--area", "E06000999", "--prefix", "ocds-other1")
    file = tmp_path / "ours.json"
    file.write_text(out)
    out, _ = run("import", str(file), "--area", "E06000997")
    assert "Imported 5 releases from ours.json into Ashcombe" in out
