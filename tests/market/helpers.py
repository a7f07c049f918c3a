"""Market test helpers: a buyer, directory members with and without consent, engagements."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from market.services import directory, engagements
from tests.accounts.factories import BuyerOrganisationFactory, SupplierOrganisationFactory, member

CASE_WORK = (
    "We build case management software for council housing and homelessness teams, "
    "with caseworker workflows and tenant portals."
)


def buyer():
    return member(BuyerOrganisationFactory(name="Leeds City Council"))


def join(name: str, *, consent: bool = True, description: str = CASE_WORK, **overrides):
    user = member(SupplierOrganisationFactory(name=name), role="admin")
    data = {
        "description": description,
        "cpv_divisions": ["72"],
        "regions": ["yorkshire"],
        "size": "small",
        "is_vcse": False,
        "consent_contact": consent,
        "consent_sectors": [],
        "frequency": "immediate",
    }
    data.update(overrides)
    return directory.directory_join(actor=user, data=data)


def engagement_data(**overrides) -> dict:
    data = {
        "title": "Housing case management",
        "problem": "Our homelessness caseworkers track cases in spreadsheets and lose track.",
        "outcomes": "Caseworkers see every case and tenant in one place; fewer missed reviews.",
        "constraints": "Must work with our housing management system.",
        "budget_min": "40000",
        "budget_max": "90000",
        "closes_on": timezone.localdate() + timedelta(days=14),
        "market_questions": "How long would it take to move our data?",
        "cpv_division": "72",
        "region": "yorkshire",
    }
    data.update(overrides)
    return data


def publish(actor, **overrides):
    return engagements.engagement_publish(actor=actor, data=engagement_data(**overrides))
