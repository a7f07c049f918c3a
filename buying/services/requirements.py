"""Requirements: a buyer's need, captured one question a page (drafts resumable), then
submitted to the matcher."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from catalogue.models import Certification, Framework, HostingLocation, Lot
from ndx.accounts.models import User
from ndx.audit.services import audit_record

from ..models import (
    Requirement,
)
from .common import buyer_organisation, own_organisation

# A buyer's requirement is answered one question a page. Each step validates and saves only its
# own fields, so a bad answer loses nothing already saved. Submitted requirements are read-only;
# "copy" starts a new draft from one.

REQUIREMENT_STEPS = (
    "title",
    "problem",
    "users",
    "needs",
    "budget",
    "timescale",
    "location",
    "security",
    "preference",
)
REQUIREMENT_STEP_FIELDS = {
    "title": ("title",),
    "problem": ("problem",),
    "users": ("users_description", "user_count"),
    "needs": ("must_haves", "nice_to_haves"),
    "budget": ("budget_min", "budget_max", "budget_basis", "contract_months"),
    "timescale": ("timescale",),
    "location": ("location",),
    "security": ("hosting_locations", "certifications"),
    "preference": ("lot",),
}
# Answers a requirement must have before it can be submitted, and the step that asks each one.
REQUIREMENT_REQUIRED = {
    "title": "title",
    "problem": "problem",
    "users_description": "users",
    "timescale": "timescale",
}
NO_PREFERENCE = "none"
MAX_TITLE = 150
MAX_PROBLEM = 5000
MAX_USERS_DESCRIPTION = 2000
MAX_LOCATION = 200
MAX_USER_COUNT = 10_000_000
MAX_NEEDS = 20
MAX_NEED_LENGTH = 300
MAX_CONTRACT_MONTHS = 120
MAX_BUDGET = Decimal("9999999999.99")  # the column holds 12 digits, 2 after the point

_NEEDS_NAMES = {"must_haves": "must-have", "nice_to_haves": "nice-to-have"}
_BUDGET_NAMES = {"budget_min": "budget from", "budget_max": "budget up to"}


def _locked_draft(requirement: Requirement) -> Requirement:
    locked = Requirement.objects.select_for_update().get(pk=requirement.pk)
    if not locked.is_draft:
        raise ValidationError(
            "This requirement has been submitted and cannot be changed. "
            "Copy it as a new draft to make changes."
        )
    return locked


def _text(data: dict, field: str) -> str:
    value = data.get(field)
    return "" if value is None else str(value).replace("\r\n", "\n").strip()


def _clean_title(data: dict) -> dict:
    title = " ".join(_text(data, "title").split())
    if not title:
        raise ValidationError({"title": "Enter a short name for your requirement"})
    if len(title) > MAX_TITLE:
        raise ValidationError({"title": f"The short name must be {MAX_TITLE} characters or fewer"})
    return {"title": title}


def _clean_problem(data: dict) -> dict:
    problem = _text(data, "problem")
    if not problem:
        raise ValidationError({"problem": "Describe the problem or the outcome you want"})
    if len(problem) > MAX_PROBLEM:
        raise ValidationError(
            {"problem": f"The description must be {MAX_PROBLEM:,} characters or fewer"}
        )
    return {"problem": problem}


def _parse_whole_number(raw) -> int | None:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    text = str(raw).replace(",", "").replace(" ", "")
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        return None
    return int(text)


def _clean_users(data: dict) -> dict:
    errors = {}
    description = _text(data, "users_description")
    if not description:
        errors["users_description"] = "Describe who will use it"
    elif len(description) > MAX_USERS_DESCRIPTION:
        errors["users_description"] = (
            f"The description must be {MAX_USERS_DESCRIPTION:,} characters or fewer"
        )
    raw = data.get("user_count")
    count = None
    if raw not in (None, "") and str(raw).strip():
        count = _parse_whole_number(raw)
        if count is None:
            errors["user_count"] = "Enter the number of users as a whole number, like 250"
        elif count < 1:
            errors["user_count"] = "The number of users must be 1 or more"
        elif count > MAX_USER_COUNT:
            errors["user_count"] = f"The number of users must be {MAX_USER_COUNT:,} or fewer"
    if errors:
        raise ValidationError(errors)
    return {"users_description": description, "user_count": count}


def _needs_list(raw) -> list[str]:
    if raw is None:
        return []
    lines = raw if isinstance(raw, list | tuple) else str(raw).splitlines()
    return [" ".join(str(line).split()) for line in lines if str(line).strip()]


def _clean_needs(data: dict) -> dict:
    errors, cleaned = {}, {}
    for field, name in _NEEDS_NAMES.items():
        items = _needs_list(data.get(field))
        too_long = [item for item in items if len(item) > MAX_NEED_LENGTH]
        if len(items) > MAX_NEEDS:
            errors[field] = (
                f"Enter {MAX_NEEDS} {name}s or fewer (you entered {len(items)}); "
                "combine or remove some"
            )
        elif too_long:
            errors[field] = (
                f"Each {name} must be {MAX_NEED_LENGTH} characters or fewer: "
                f"shorten the one starting “{' '.join(too_long[0].split()[:6])}”"
            )
        cleaned[field] = items
    if errors:
        raise ValidationError(errors)
    return cleaned


def _parse_money(raw, field: str) -> Decimal | None:
    """Pounds, like 25000, 25,000 or £25000.50; None when blank. Raises ValidationError."""
    name = _BUDGET_NAMES[field]
    if raw is None:
        return None
    if isinstance(raw, Decimal | int) and not isinstance(raw, bool):
        amount = Decimal(raw)
    else:
        text = str(raw).strip().replace(",", "").replace(" ", "").removeprefix("£")
        if not text:
            return None
        if not re.fullmatch(r"-?[0-9]*\.?[0-9]+", text):
            raise ValidationError(
                {field: f"Enter the {name} as an amount in pounds, like 25000 or 25000.50"}
            )
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValidationError(
                {field: f"Enter the {name} as an amount in pounds, like 25000 or 25000.50"}
            ) from None
    if not amount.is_finite():
        raise ValidationError({field: f"Enter the {name} as an amount in pounds"})
    if amount < 0:
        raise ValidationError({field: f"The {name} must be £0 or more"})
    if amount > MAX_BUDGET:
        raise ValidationError({field: f"The {name} must be less than £10,000,000,000"})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: f"The {name} must have no more than 2 decimal places"})
    return amount.quantize(Decimal("0.01"))


def _clean_budget(data: dict) -> dict:
    errors, cleaned = {}, {}
    for field in ("budget_min", "budget_max"):
        try:
            cleaned[field] = _parse_money(data.get(field), field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    basis = str(data.get("budget_basis") or "").strip()
    if basis and basis not in Requirement.BudgetBasis.values:
        errors["budget_basis"] = "Select whether the budget is for the whole contract or a year"
    cleaned["budget_basis"] = basis
    raw = data.get("contract_months")
    months = None
    if raw not in (None, "") and str(raw).strip():
        months = _parse_whole_number(raw)
        if months is None or not 1 <= months <= MAX_CONTRACT_MONTHS:
            errors["contract_months"] = (
                f"Enter the contract length in months, a whole number from 1 to "
                f"{MAX_CONTRACT_MONTHS}, like 24"
            )
    cleaned["contract_months"] = months
    if errors:
        raise ValidationError(errors)
    low, high = cleaned["budget_min"], cleaned["budget_max"]
    if low is not None and high is not None and low > high:
        raise ValidationError(
            {"budget_max": "The budget up to must be the same as or more than the budget from"}
        )
    return cleaned


def _clean_timescale(data: dict) -> dict:
    timescale = _text(data, "timescale")
    if timescale not in Requirement.Timescale.values:
        raise ValidationError({"timescale": "Select when you need it"})
    return {"timescale": timescale}


def _clean_location(data: dict) -> dict:
    location = " ".join(_text(data, "location").split())
    if len(location) > MAX_LOCATION:
        raise ValidationError(
            {"location": f"The location must be {MAX_LOCATION} characters or fewer"}
        )
    return {"location": location}


def _choice_list(raw, allowed: list[str]) -> list[str] | None:
    """The chosen values in the choices' own order, or None if any is not a choice."""
    values = [] if raw in (None, "") else ([raw] if isinstance(raw, str) else list(raw))
    values = [str(v) for v in values]
    if any(v not in allowed for v in values):
        return None
    return [v for v in allowed if v in values]


def _clean_security(data: dict) -> dict:
    errors, cleaned = {}, {}
    hosting = _choice_list(data.get("hosting_locations"), HostingLocation.values)
    if hosting is None:
        errors["hosting_locations"] = "Select hosting locations from the list"
    certifications = _choice_list(data.get("certifications"), Certification.values)
    if certifications is None:
        errors["certifications"] = "Select certifications from the list"
    if errors:
        raise ValidationError(errors)
    cleaned["hosting_locations"] = hosting
    cleaned["certifications"] = certifications
    return cleaned


def requirement_lot_choices():
    """Lots a buyer may prefer: every lot of every live framework, in framework order."""
    return (
        Lot.objects.filter(framework__in=Framework.objects.live())
        .select_related("framework")
        .order_by("framework__name", "framework_id", "number", "id")
    )


def _clean_preference(data: dict) -> dict:
    raw = _text(data, "lot")
    if raw == NO_PREFERENCE:
        return {"lot": None, "framework": None}
    lot = None
    if raw.isdigit():
        lot = requirement_lot_choices().filter(pk=int(raw)).first()
    if lot is None:
        if raw:
            raise ValidationError(
                {"lot": "That lot is not available; select a lot or No preference"}
            )
        raise ValidationError({"lot": "Select a framework and lot, or No preference"})
    return {"lot": lot, "framework": lot.framework}


_STEP_CLEANERS = {
    "title": _clean_title,
    "problem": _clean_problem,
    "users": _clean_users,
    "needs": _clean_needs,
    "budget": _clean_budget,
    "timescale": _clean_timescale,
    "location": _clean_location,
    "security": _clean_security,
    "preference": _clean_preference,
}


def requirement_step_answered(requirement: Requirement, step: str) -> bool:
    """Whether the step holds an answer (an optional step left blank does not)."""
    r = requirement
    return {
        "title": bool(r.title),
        "problem": bool(r.problem),
        "users": bool(r.users_description) or r.user_count is not None,
        "needs": bool(r.must_haves or r.nice_to_haves),
        "budget": r.budget_min is not None
        or r.budget_max is not None
        or r.contract_months is not None,
        "timescale": bool(r.timescale),
        "location": bool(r.location),
        "security": bool(r.hosting_locations or r.certifications),
        "preference": r.lot_id is not None,
    }[step]


def requirement_resume_step(requirement: Requirement) -> str:
    """Where "Continue" takes a draft: the first required question skipped so far, else the
    question after the furthest one answered; "check" once the last question is answered."""
    answered = [requirement_step_answered(requirement, step) for step in REQUIREMENT_STEPS]
    furthest = max(i for i, done in enumerate(answered) if done) if any(answered) else 0
    for i, step in enumerate(REQUIREMENT_STEPS[: furthest + 1]):
        if step in REQUIREMENT_REQUIRED.values() and not answered[i]:
            return step
    if furthest + 1 < len(REQUIREMENT_STEPS):
        return REQUIREMENT_STEPS[furthest + 1]
    return "check"


@transaction.atomic
def requirement_start(*, actor: User, title: str) -> Requirement:
    organisation = buyer_organisation(actor)
    cleaned = _clean_title({"title": title})
    requirement = Requirement.objects.create(
        organisation=organisation, created_by=actor, title=cleaned["title"]
    )
    audit_record(actor=actor, action="requirement.started", obj=requirement)
    return requirement


@transaction.atomic
def requirement_answer(*, actor: User, requirement: Requirement, step: str, data) -> Requirement:
    """Validate one step's answers and save just those fields; nothing is saved on error."""
    own_organisation(actor, requirement)
    if step not in _STEP_CLEANERS:
        raise ValidationError(f"There is no question called “{step}”.")
    locked = _locked_draft(requirement)
    cleaned = _STEP_CLEANERS[step](dict(data or {}))
    for field, value in cleaned.items():
        setattr(locked, field, value)
    locked.save(update_fields=[*cleaned, "updated_at"])
    audit_record(
        actor=actor,
        action="requirement.answered",
        obj=locked,
        detail={"step": step, "fields": list(REQUIREMENT_STEP_FIELDS[step])},
    )
    for field in (*cleaned, "updated_at"):
        setattr(requirement, field, getattr(locked, field))
    return locked


def requirement_missing(requirement: Requirement) -> dict[str, str]:
    """{field: message} for every answer the requirement still needs before submitting."""
    messages = {
        "title": "Enter a short name for your requirement",
        "problem": "Describe the problem or the outcome you want",
        "users_description": "Describe who will use it",
        "timescale": "Select when you need it",
    }
    errors = {f: m for f, m in messages.items() if not getattr(requirement, f)}
    r = requirement
    if r.budget_min is not None and r.budget_max is not None and r.budget_min > r.budget_max:
        errors["budget_max"] = "The budget up to must be the same as or more than the budget from"
    if r.lot_id is not None and not requirement_lot_choices().filter(pk=r.lot_id).exists():
        errors["lot"] = "The lot you chose is no longer available; select another or No preference"
    return errors


@transaction.atomic
def requirement_submit(*, actor: User, requirement: Requirement) -> Requirement:
    own_organisation(actor, requirement)
    locked = _locked_draft(requirement)
    errors = requirement_missing(locked)
    if errors:
        raise ValidationError(errors)
    Requirement.LIFECYCLE.apply(locked, "submit")
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_record(actor=actor, action="requirement.submitted", obj=locked)
    requirement.status, requirement.submitted_at = locked.status, locked.submitted_at
    return locked


@transaction.atomic
def requirement_delete(*, actor: User, requirement: Requirement) -> None:
    """Delete a draft; submitted requirements are kept."""
    own_organisation(actor, requirement)
    locked = Requirement.objects.select_for_update().get(pk=requirement.pk)
    if not locked.is_draft:
        raise ValidationError("Only drafts can be deleted.")
    audit_record(actor=actor, action="requirement.deleted", obj=locked)
    locked.delete()


@transaction.atomic
def requirement_copy(*, actor: User, requirement: Requirement) -> Requirement:
    """A new draft with the same answers (a lot no longer on a live framework is dropped)."""
    organisation = own_organisation(actor, requirement)
    lot = requirement.lot
    if lot is not None and not requirement_lot_choices().filter(pk=lot.pk).exists():
        lot = None
    title = f"Copy of {requirement.title}"
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1].rstrip() + "…"
    copy = Requirement.objects.create(
        organisation=organisation,
        created_by=actor,
        title=title,
        problem=requirement.problem,
        users_description=requirement.users_description,
        user_count=requirement.user_count,
        must_haves=list(requirement.must_haves),
        nice_to_haves=list(requirement.nice_to_haves),
        budget_min=requirement.budget_min,
        budget_max=requirement.budget_max,
        budget_basis=requirement.budget_basis,
        contract_months=requirement.contract_months,
        timescale=requirement.timescale,
        location=requirement.location,
        hosting_locations=list(requirement.hosting_locations),
        certifications=list(requirement.certifications),
        lot=lot,
        framework=lot.framework if lot is not None else None,
    )
    audit_record(
        actor=actor, action="requirement.copied", obj=copy, detail={"from": requirement.pk}
    )
    return copy


@transaction.atomic
def requirement_from_contract(*, actor: User, contract) -> Requirement:
    """ "Buy again": a new draft requirement pre-filled from a contract (its requirement's answers
    when it had one; otherwise the contract's title, lot, users and outcomes), with the
    contract's current value as the budget."""
    organisation = buyer_organisation(actor)
    if contract.organisation_id != organisation.pk:
        raise PermissionDenied("This contract belongs to another organisation.")
    source = contract.requirement
    if source is not None and source.organisation_id == organisation.pk:
        copy = requirement_copy(actor=actor, requirement=source)
    else:
        lot = contract.offer.lot
        if not requirement_lot_choices().filter(pk=lot.pk).exists():
            lot = None
        outcomes = [outcome.text for outcome in contract.outcomes.all()]
        users = contract.units if contract.revision.pricing_model == "per_user_month" else None
        copy = Requirement.objects.create(
            organisation=organisation,
            created_by=actor,
            title=contract.title[:MAX_TITLE],
            problem="\n".join(outcomes),
            user_count=int(users) if users else None,
            lot=lot,
            framework=lot.framework if lot is not None else None,
        )
    title = f"Buy again: {contract.title}"
    copy.title = title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1].rstrip() + "…"
    if copy.budget_max is None and (copy.budget_min is None or copy.budget_min <= contract.value):
        copy.budget_max = contract.value
    copy.save(update_fields=["title", "budget_max"])
    audit_record(
        actor=actor,
        action="requirement.bought_again",
        obj=copy,
        detail={"contract": contract.pk},
    )
    return copy
