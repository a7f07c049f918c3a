"""The forward plan: a buyer organisation's procurements for the next 18 months."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from buying.models import Requirement
from buying.services import requirements as requirement_services
from ndx.accounts.models import User
from ndx.audit.services import audit_record
from ndx.outbox import enqueue_on_commit

from ..models import CPV_DIVISIONS, REGION_CHOICES, PipelineEntry
from .common import buyer_of, text

ALERT_TASK = "market.tasks.alert_pipeline_entry"
HORIZON_DAYS = 549  # 18 months

CSV_HEADERS = [
    "Buyer",
    "Title",
    "CPV division",
    "Lot",
    "Estimated value (GBP)",
    "Expected start",
    "Route",
    "Region",
]


def _clean(data: dict) -> dict:
    errors: dict[str, str] = {}
    cleaned: dict = {}
    try:
        cleaned["title"] = text(data, "title", required="Enter a title", limit=150)
    except ValidationError as exc:
        errors["title"] = exc.message_dict["title"][0]
    try:
        cleaned["description"] = text(data, "description", limit=3000)
    except ValidationError as exc:
        errors["description"] = exc.message_dict["description"][0]
    division = data.get("cpv_division") or ""
    if division not in CPV_DIVISIONS:
        errors["cpv_division"] = "Select the CPV division"
    cleaned["cpv_division"] = division
    value = data.get("estimated_value")
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        errors["estimated_value"] = "Enter the estimated value in pounds, like 250000"
    cleaned["estimated_value"] = value
    start = data.get("expected_start")
    today = timezone.localdate()
    if not isinstance(start, date):
        errors["expected_start"] = "Enter the expected start date"
    elif start < today or start > today + timedelta(days=HORIZON_DAYS):
        errors["expected_start"] = "The expected start must be in the next 18 months"
    cleaned["expected_start"] = start
    route = data.get("route") or ""
    if route not in PipelineEntry.Route.values:
        errors["route"] = "Select the route"
    cleaned["route"] = route
    region = data.get("region") or ""
    if region and region not in dict(REGION_CHOICES):
        errors["region"] = "Select a region from the list"
    cleaned["region"] = region
    cleaned["lot"] = data.get("lot")
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def pipeline_entry_add(*, actor: User, data: dict) -> PipelineEntry:
    """Publish one entry of the forward plan and queue its alerts to the directory."""
    organisation = buyer_of(actor)
    entry = PipelineEntry.objects.create(
        organisation=organisation, created_by=actor, **_clean(data)
    )
    audit_record(actor=actor, action="pipeline.entry_added", obj=entry)
    enqueue_on_commit(ALERT_TASK, entry.pk)
    return entry


@transaction.atomic
def pipeline_entry_remove(*, actor: User, entry: PipelineEntry) -> None:
    buyer_of(actor, entry)
    audit_record(actor=actor, action="pipeline.entry_removed", obj=entry)
    entry.delete()


@transaction.atomic
def pipeline_entry_to_requirement(*, actor: User, entry: PipelineEntry) -> Requirement:
    """One step: a draft requirement named and described from the forward plan entry."""
    buyer_of(actor, entry)
    locked = PipelineEntry.objects.select_for_update().get(pk=entry.pk)
    if locked.is_started:
        raise ValidationError("This forward plan entry has already been started.")
    requirement = requirement_services.requirement_start(actor=actor, title=locked.title)
    if locked.description:
        requirement_services.requirement_answer(
            actor=actor,
            requirement=requirement,
            step="problem",
            data={"problem": locked.description},
        )
    locked.requirement = requirement
    locked.save(update_fields=["requirement"])
    audit_record(actor=actor, action="pipeline.entry_started", obj=locked)
    return requirement


def pipeline_csv_rows(entries) -> list[list]:
    return [
        [
            e.organisation.name,
            e.title,
            f"{e.cpv_division} {e.sector_label}",
            e.lot.name if e.lot_id else "",
            f"{e.estimated_value:.2f}",
            e.expected_start.isoformat(),
            e.get_route_display(),
            e.get_region_display() if e.region else "",
        ]
        for e in entries
    ]


def engagement_initial_from(entry: PipelineEntry) -> dict:
    """What the engagement form starts with when made from a forward plan entry."""
    return {
        "title": entry.title,
        "problem": entry.description,
        "cpv_division": entry.cpv_division,
        "region": entry.region,
    }
