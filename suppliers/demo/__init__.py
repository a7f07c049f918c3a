"""Demo supply side: suppliers of every size, their framework memberships and lot
applications, and the hundreds of offers they list on the demo frameworks (catalogue's demo
section, which runs first, makes the frameworks and lots).

- plan.py generates the plan from the data files here with a fixed random seed;
- writing.py writes what is missing, so running it twice changes nothing;
- README.md says what each data file holds and where its content comes from.

The matching index over these offers is built by matching's demo section.
"""

from __future__ import annotations

from collections import Counter

from django.utils import timezone

from catalogue.models import Lot
from ndx.accounts.models import User

from .plan import demo_plan, supply
from .writing import seed_offers, seed_organisations, seed_profiles, seed_standing

__all__ = ["demo_plan", "describe", "seed"]


def _lots(context: dict) -> dict[tuple[str, str], Lot]:
    """The lots by (framework reference, slug): from catalogue's section, or the database."""
    if "catalogue_lots" in context:
        return context["catalogue_lots"]
    return {
        (lot.framework.reference, lot.slug): lot for lot in Lot.objects.select_related("framework")
    }


def seed(out, context: dict) -> dict:
    now = timezone.now()
    plan = demo_plan()
    staff = User.objects.filter(is_staff=True).order_by("pk").first()
    lots = _lots(context)
    organisations = seed_organisations(plan)
    seed_profiles(plan, organisations)
    seed_standing(plan, organisations, lots, staff, now)
    created = seed_offers(plan, organisations, lots, staff, now)
    out.write(
        f"suppliers: {len(plan.suppliers)} suppliers, {len(plan.offers)} offers ({created} new)\n"
    )
    return {"supplier_organisations": organisations}


def describe() -> list[str]:
    plan = demo_plan()
    sizes = Counter(s.size for s in plan.suppliers)
    states = Counter(o.state for o in plan.offers)
    suspended = next(s for s in plan.suppliers if s.suspended_on)
    pending = [s for s in plan.suppliers if s.pending]
    published = states["published"] + states["history"] + states["changes"]
    logins = " and ".join(supply()["demo_suppliers"])
    return [
        "Suppliers and offers:",
        f"  {len(plan.suppliers)} suppliers: "
        + ", ".join(f"{sizes[s]} {s}" for s in ("micro", "small", "medium", "large"))
        + f"; {sum(s.vcse for s in plan.suppliers)} VCSE",
        f"  {suspended.name} is suspended on G-Cloud 14",
        "  Lot applications waiting for review from: " + ", ".join(s.name for s in pending),
        f"  {len(plan.offers)} offers: {published} published ({states['changes']} with changes "
        f"waiting for review), {states['submitted']} new offers waiting for review, "
        f"{states['rejected']} rejected, {states['withdrawn']} withdrawn, "
        f"{states['suspended']} suspended, {states['draft']} draft",
        f"  {logins} (the demo supplier logins) are approved on lots and have offers.",
    ]
