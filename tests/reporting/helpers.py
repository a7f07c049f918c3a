from pathlib import Path

import pytest
from django.conf import settings

SHARED = Path(settings.BASE_DIR).parent / "shared"
SPEND_2014 = SHARED / "data" / "gcloud-spend-2014" / "gcloud-spend-2014-04-10.csv"
OCDS_SCHEMA = SHARED / "data" / "ocds-1.1.5" / "schema"

HEADER = "LotDescription,Return Month,EvidencedSpend,Sector,SME or Large,,SupplierName,CustomerName"


def spend_2014() -> Path:
    if not SPEND_2014.exists():
        pytest.skip(f"needs the shared G-Cloud spend file at {SPEND_2014}")
    return SPEND_2014


def spend_csv(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def write(tmp_path, text: str | bytes, name: str = "spend.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path
