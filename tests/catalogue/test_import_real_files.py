"""The real catalogue files in ../shared/benchmarks/matching import cleanly, and twice."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from catalogue.models import Offer

pytestmark = pytest.mark.django_db

SHARED = Path(settings.BASE_DIR).parent / "shared"
BENCHMARKS = SHARED / "benchmarks" / "matching"


def catalogue(name: str) -> Path:
    path = BENCHMARKS / name / "catalogue.jsonl"
    if not path.exists():
        pytest.skip(f"needs the shared benchmark files at {path}")
    return path


def rows_in(path: Path) -> int:
    return sum(1 for line in path.read_text().splitlines() if line.strip())


@pytest.mark.parametrize(("name", "suppliers"), [("dos-roles", 1), ("dos-track", 183), ("cpv", 1)])
def test_real_catalogue_file_imports_and_reimports_unchanged(name, suppliers, capsys):
    path = catalogue(name)
    rows = rows_in(path)
    call_command("import_catalogue", str(path))
    out = capsys.readouterr().out.strip()
    assert out == f"imported {rows} offers ({rows} created, 0 updated) from {suppliers} suppliers"
    assert Offer.objects.buyable().count() == rows
    call_command("import_catalogue", str(path))
    out = capsys.readouterr().out.strip()
    assert out == f"imported {rows} offers (0 created, 0 updated) from {suppliers} suppliers"
    assert Offer.objects.count() == rows


def test_all_real_files_together(capsys):
    paths = [catalogue(name) for name in ("dos-roles", "dos-track")]
    for path in paths:
        call_command("import_catalogue", str(path))
    assert Offer.objects.buyable().count() == sum(rows_in(p) for p in paths)
    sme = Offer.objects.filter(supplier__supplier_profile__is_sme=True).count()
    assert sme == 146
