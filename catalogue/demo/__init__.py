"""Demo frameworks and dynamic markets, their lots and declaration questions.

The content is in `frameworks.json` next to this file (see README.md here for where it comes
from). Seeding creates only what is missing, so running it twice changes nothing. The supply
side (suppliers, their lots and offers) is the suppliers app's demo section, which runs next.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils import timezone

from ..models import DeclarationQuestion, Framework, Lot

DATA = Path(__file__).parent


@lru_cache(maxsize=1)
def framework_specs() -> tuple[dict[str, Any], ...]:
    """The demo frameworks, in order, as written in frameworks.json."""
    return tuple(json.loads((DATA / "frameworks.json").read_text(encoding="utf-8")))


def lot_categories(reference: str, slug: str) -> list[str]:
    """The categories of one demo lot (the supply side uses them as product names)."""
    spec = next(s for s in framework_specs() if s["reference"] == reference)
    return list(next(lot for lot in spec["lots"] if lot["slug"] == slug)["categories"])


def _dates(spec: dict[str, Any], now) -> dict[str, Any]:
    """Live frameworks started 300 days ago; drafts start in 60 days."""
    today = timezone.localdate()
    live = spec["status"] == Framework.Status.LIVE
    return {
        "applications_open_on": today - timedelta(days=420),
        "starts_on": today - timedelta(days=300) if live else today + timedelta(days=60),
        "ends_on": today + timedelta(days=730) if live else today + timedelta(days=1520),
        "live_requested_at": now - timedelta(days=320)
        if live or spec["awaiting_approval"]
        else None,
        "approved_at": now - timedelta(days=310) if live else None,
    }


def _seed_framework(spec: dict[str, Any], now) -> tuple[Framework, bool]:
    framework, created = Framework.objects.get_or_create(
        reference=spec["reference"],
        defaults={
            "name": spec["name"],
            "kind": spec["kind"],
            "description": spec["description"],
            "status": spec["status"],
            "max_value": Decimal(spec["max_value"]),
            **_dates(spec, now),
        },
    )
    if created:
        DeclarationQuestion.objects.bulk_create(
            [
                DeclarationQuestion(framework=framework, order=order, **question)
                for order, question in enumerate(spec["questions"], 1)
            ]
        )
    return framework, created


def seed(out, context: dict) -> dict:
    now = timezone.now()
    lots: dict[tuple[str, str], Lot] = {}
    new = 0
    for spec in framework_specs():
        framework, created = _seed_framework(spec, now)
        new += created
        for number, lot_spec in enumerate(spec["lots"], 1):
            lot, _ = Lot.objects.get_or_create(
                framework=framework,
                slug=lot_spec["slug"],
                defaults={
                    "number": number,
                    "name": lot_spec["name"],
                    "description": lot_spec["description"],
                    "direct_award_allowed": lot_spec["direct_award_allowed"],
                    "categories": lot_spec["categories"],
                },
            )
            lots[(framework.reference, lot.slug)] = lot
    out.write(
        f"catalogue: {len(framework_specs())} frameworks and dynamic markets, "
        f"{len(lots)} lots ({new} new frameworks)\n"
    )
    return {"catalogue_lots": lots}


def describe() -> list[str]:
    lines = ["Catalogue (frameworks and dynamic markets):"]
    for spec in framework_specs():
        kind = "dynamic market" if spec["kind"] == Framework.Kind.DYNAMIC_MARKET else "framework"
        status = "draft, waiting for a second approval" if spec["awaiting_approval"] else "live"
        lots = ", ".join(lot["name"] for lot in spec["lots"])
        lines.append(f"  {spec['name']} ({spec['reference']}), {kind}, {status}: {lots}")
    return lines
