"""Demo data for reporting: compute the report snapshots from the demo contracts, so the
dashboards show figures on the first run (the hourly job keeps them fresh afterwards)."""

from __future__ import annotations

from .models import ReportSnapshot
from .services import report_snapshots_refresh


def seed(out, context: dict) -> dict:
    if ReportSnapshot.objects.filter(status="succeeded").exists():
        return {}
    outcomes = report_snapshots_refresh(trigger="demo data")
    out.write("reporting: " + ", ".join(f"{k} {v}" for k, v in outcomes.items()) + "\n")
    return {}


def describe() -> list[str]:
    return [
        "Reports:",
        "  SME share and savings from the demo contracts at /reports/ (staff: /staff/reports/);",
        "  load the real 2014 G-Cloud spend with: manage.py import_spend "
        "../shared/data/gcloud-spend-2014/gcloud-spend-2014-04-10.csv",
    ]
