"""A contract's life: mobilising until its start date, active, then ended on its end date (by
the daily beat task, once the benefits are assessed) or terminated early by the buyer; an
active contract may be extended within the extension allowed at award. Every change is audited
and the contract page tells it as a timeline in plain words."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ndx.accounts.models import User
from ndx.audit.models import AuditEntry
from ndx.audit.sentences import action_phrase
from ndx.audit.services import audit_record

from ..dates import add_months
from ..models import Contract
from .common import buyer_of, required_text


def _locked(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().get(pk=contract.pk)


def _sync(contract: Contract, locked: Contract) -> Contract:
    for field in ("status", "end_date", "ended_on", "termination_reason"):
        setattr(contract, field, getattr(locked, field))
    return locked


@transaction.atomic
def contract_start(*, contract: Contract, actor: User | None = None, today: date | None = None):
    """Mobilising -> active, on or after the start date."""
    today = today or timezone.localdate()
    locked = _locked(contract)
    Contract.LIFECYCLE.check(
        locked, "start", message="This contract has already started, so it cannot start again."
    )
    if locked.start_date > today:
        raise ValidationError(
            f"This contract starts on {locked.start_date:%-d %B %Y}; it is mobilising until then."
        )
    Contract.LIFECYCLE.apply(locked, "start")
    locked.save(update_fields=["status"])
    audit_record(
        actor=actor, action="contract.started", obj=locked, organisation=locked.organisation
    )
    return _sync(contract, locked)


@transaction.atomic
def contract_end(*, contract: Contract, actor: User | None = None, today: date | None = None):
    """Active -> ended, on or after the end date, once the benefits have been assessed (or
    marked as not assessed, with a reason)."""
    today = today or timezone.localdate()
    locked = _locked(contract)
    Contract.LIFECYCLE.check(
        locked,
        "end",
        message=f"This contract is {locked.get_status_display().lower()}, so it cannot be ended "
        "again."
        if locked.status in (Contract.Status.ENDED, Contract.Status.TERMINATED)
        else "This contract has not started yet, so it cannot end.",
    )
    if locked.end_date > today:
        raise ValidationError(
            f"This contract runs until {locked.end_date:%-d %B %Y}; terminate it if it must "
            "end early."
        )
    if not locked.benefits:
        raise ValidationError(
            "Assess whether each outcome was achieved (or record why it was not assessed) "
            "before the contract is closed as ended."
        )
    Contract.LIFECYCLE.apply(locked, "end")
    locked.ended_on = locked.end_date
    locked.save(update_fields=["status", "ended_on"])
    audit_record(actor=actor, action="contract.ended", obj=locked, organisation=locked.organisation)
    return _sync(contract, locked)


@transaction.atomic
def contract_extend(*, actor: User, contract: Contract, new_end_date: date) -> Contract:
    """A later end date, within the extension allowed at award."""
    buyer_of(actor, contract)
    locked = _locked(contract)
    Contract.LIFECYCLE.check(
        locked,
        "extend",
        message=f"This contract is {locked.get_status_display().lower()}, so it cannot be "
        "extended.",
    )
    if not isinstance(new_end_date, date):
        raise ValidationError({"new_end_date": "Enter the new end date"})
    if new_end_date <= locked.end_date:
        raise ValidationError(
            {"new_end_date": f"The new end date must be after {locked.end_date:%-d %B %Y}"}
        )
    original = locked.original_end_date or locked.end_date
    latest = add_months(original, locked.max_extension_months)
    if new_end_date > latest:
        if not locked.max_extension_months:
            message = "No extension was allowed when this contract was awarded."
        else:
            message = (
                f"The extension allowed at award is {locked.max_extension_months} months, to "
                f"{latest:%-d %B %Y} at the latest."
            )
        raise ValidationError({"new_end_date": message})
    previous = locked.end_date
    Contract.LIFECYCLE.apply(locked, "extend")
    locked.end_date = new_end_date
    locked.save(update_fields=["status", "end_date"])
    audit_record(
        actor=actor,
        action="contract.extended",
        obj=locked,
        detail={"from": previous.isoformat(), "to": new_end_date.isoformat()},
    )
    return _sync(contract, locked)


@transaction.atomic
def contract_terminate(
    *, actor: User, contract: Contract, reason, today: date | None = None
) -> Contract:
    """Terminated early by the buyer, with a reason."""
    buyer_of(actor, contract)
    today = today or timezone.localdate()
    locked = _locked(contract)
    Contract.LIFECYCLE.check(
        locked,
        "terminate",
        message=f"This contract is {locked.get_status_display().lower()}, so it cannot be "
        "terminated.",
    )
    text = required_text(reason, "reason", "Enter why you are terminating this contract")
    Contract.LIFECYCLE.apply(locked, "terminate")
    locked.termination_reason = text
    locked.ended_on = min(today, locked.end_date)
    locked.save(update_fields=["status", "termination_reason", "ended_on"])
    audit_record(actor=actor, action="contract.terminated", obj=locked, detail={"reason": text})
    return _sync(contract, locked)


def contracts_move_due(*, today: date | None = None) -> dict:
    """Daily (beat): start the contracts whose start date has come, end those whose end date
    has passed and whose benefits are assessed. Idempotent: a contract moved once is no longer
    picked. Returns the counts (and how many are waiting for a benefits assessment)."""
    today = today or timezone.localdate()
    started = ended = waiting = 0
    for contract in Contract.objects.filter(
        status=Contract.Status.MOBILISING, start_date__lte=today
    ):
        contract_start(contract=contract, today=today)
        started += 1
    for contract in Contract.objects.filter(status=Contract.Status.ACTIVE, end_date__lt=today):
        if not contract.benefits:
            waiting += 1
            continue
        contract_end(contract=contract, today=today)
        ended += 1
    return {"started": started, "ended": ended, "awaiting_benefits": waiting}


# The events shown on the timeline, each in the words of the one audit catalogue
# (ndx/audit/sentences.py): "Contract awarded by Priya Shah".
TIMELINE_EVENTS = frozenset(
    {
        "contract.awarded",
        "contract.started",
        "contract.extended",
        "contract.terminated",
        "contract.ended",
        "contract.report_filed",
        "contract.report_responded",
        "contract.flagged",
        "contract.variation_proposed",
        "contract.change_notice",
        "contract.variation_accepted",
        "contract.variation_rejected",
        "contract.variation_withdrawn",
        "contract.benefits_assessed",
        "contract.benefits_not_assessed",
        "contract.kpis_set",
        "contract.renewal_reminder",
        "contract.report_reminder",
        "review.reminder_sent",
    }
)


def _name(user) -> str:
    if user is None:
        return ""
    full = getattr(user, "get_full_name", lambda: "")() or getattr(user, "name", "")
    return full or user.email


def _detail_text(entry) -> str:
    detail = entry.detail or {}
    if entry.action == "contract.extended" and detail.get("to"):
        return f" to {date.fromisoformat(detail['to']):%-d %B %Y}"
    if entry.action == "contract.terminated" and detail.get("reason"):
        return f": {detail['reason']}"
    if entry.action.startswith("contract.variation") and detail.get("number"):
        return f" (change {detail['number']})"
    return ""


def _when(entry):
    """When it happened: the time the service was told (`now`, kept in the audit detail as
    "at"), else when it was recorded."""
    at = (entry.detail or {}).get("at")
    try:
        return datetime.fromisoformat(at) if at else entry.created_at
    except ValueError:
        return entry.created_at


def contract_timeline(contract: Contract) -> list[dict]:
    """What happened to the contract, oldest first, in plain words."""
    items = []
    for entry in (
        AuditEntry.objects.for_object(contract).select_related("actor").order_by("created_at", "id")
    ):
        if entry.action not in TIMELINE_EVENTS:
            continue
        words = action_phrase(entry.action)
        who = _name(entry.actor)
        text = words + _detail_text(entry) + (f" by {who}" if who else "")
        items.append({"when": _when(entry), "text": text, "action": entry.action})
    items.sort(key=lambda item: item["when"])
    return items
