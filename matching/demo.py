"""Demo data for matching: the index over the demo catalogue, and a submitted requirement
for Leeds City Council with its ranked matches, so the results page works on first run."""

from __future__ import annotations

from buying.models import Requirement
from ndx.accounts.models import User

from .engine import ENGINE_VERSION
from .models import IndexBuild
from .services import index_rebuild_now, indexable_offers, requirement_match

BUYER = "buyer.admin@leeds.gov.uk"
TITLE = "Case management for adult social care"


def seed(out, context: dict) -> dict:
    current = IndexBuild.objects.current().first()
    if (
        current is None
        or current.engine_version != ENGINE_VERSION
        or current.offers_indexed != indexable_offers().count()
    ):
        build = index_rebuild_now()
        out.write(f"matching: indexed {build.offers_indexed} offers in {build.seconds:.1f} s\n")
    buyer = User.objects.filter(email=BUYER).first()
    if buyer is None or buyer.organisation is None:
        return {}
    requirement, created = Requirement.objects.get_or_create(
        organisation=buyer.organisation,
        title=TITLE,
        defaults={
            "created_by": buyer,
            "status": Requirement.Status.SUBMITTED,
            "problem": (
                "Our adult social care teams record assessments and care plans in spreadsheets. "
                "We need a secure case management system that social workers can use on home "
                "visits, that shares records with health partners."
            ),
            "users_description": "Social workers, occupational therapists and team managers",
            "user_count": 450,
            "must_haves": ["Care plans and assessments", "Works on tablets on home visits"],
            "nice_to_haves": ["Integration with NHS systems"],
            "timescale": Requirement.Timescale.SIX_MONTHS,
            "location": "Leeds",
            "hosting_locations": ["uk"],
        },
    )
    if created or not requirement.match_runs.exists():
        from django.utils import timezone

        Requirement.objects.filter(pk=requirement.pk).update(submitted_at=timezone.now())
        run = requirement_match(actor=buyer, requirement=requirement)
        out.write(f"matching: demo requirement ranked {len(run.offers)} offers\n")
    return {}


def describe() -> list[str]:
    return [
        "Matching:",
        f"  the index covers every published offer; {BUYER} has a submitted requirement",
        f"  “{TITLE}” with ranked, explained matches at /buying/requirements/",
    ]
