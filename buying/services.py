"""Buyer workflows: saved searches, shortlists, freezing them as evidence, exporting, outcomes."""

from __future__ import annotations

import contextvars
import re
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from urllib.parse import parse_qsl, urlencode

import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from catalogue.models import Certification, Framework, HostingLocation, Lot, Offer
from catalogue.search import search_offers
from contracts.models import Contract
from contracts.services import contract_create
from ndx.accounts.models import Organisation, User
from ndx.audit.services import audit_record
from ndx.outbox import enqueue_on_commit

from .models import (
    MAX_SHORTLIST_ITEMS,
    ClarificationQuestion,
    CompetitionInvitation,
    CompetitionResponse,
    FurtherCompetition,
    Requirement,
    SavedSearch,
    Shortlist,
    ShortlistItem,
)

MAX_QUERY_STRING = 2000


def _buyer_org(actor: User) -> Organisation:
    organisation = actor.organisation if actor and actor.is_authenticated else None
    if organisation is None or organisation.kind != Organisation.Kind.BUYER:
        raise PermissionDenied("Only members of a buyer organisation can do this.")
    return organisation


def _own(actor: User, obj) -> Organisation:
    organisation = _buyer_org(actor)
    if obj.organisation_id != organisation.pk:
        raise PermissionDenied("This belongs to another organisation.")
    return organisation


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Enter a name"})
    if len(name) > 150:
        raise ValidationError({"name": "The name must be 150 characters or fewer"})
    return name


def clean_query_string(query_string: str) -> str:
    """Keep only search parameters, drop paging; refuse oversized strings."""
    query_string = (query_string or "").lstrip("?")
    if len(query_string) > MAX_QUERY_STRING:
        raise ValidationError({"query_string": "This search is too long to save"})
    pairs = [
        (k.replace("\x00", ""), v.replace("\x00", ""))
        for k, v in parse_qsl(query_string, keep_blank_values=False)
        if k != "page"
    ]
    return urlencode(pairs)


def describe_query(query_string: str) -> str:
    data = QueryDict(query_string)
    parts = []
    if data.get("q"):
        parts.append(f"“{data['q'][:100]}”")
    filters = [k for k in data if k not in ("q", "sort", "size", "page")]
    if filters:
        parts.append(f"{len(filters)} filter{'s' if len(filters) != 1 else ''}")
    return ", ".join(parts) or "All offers"


@transaction.atomic
def saved_search_create(*, actor: User, name: str, query_string: str) -> SavedSearch:
    organisation = _buyer_org(actor)
    saved = SavedSearch.objects.create(
        organisation=organisation,
        created_by=actor,
        name=_clean_name(name),
        query_string=clean_query_string(query_string),
    )
    audit_record(actor=actor, action="saved_search.created", obj=saved)
    return saved


@transaction.atomic
def saved_search_delete(*, actor: User, saved_search: SavedSearch) -> None:
    _own(actor, saved_search)
    audit_record(actor=actor, action="saved_search.deleted", obj=saved_search)
    saved_search.delete()


def _snapshot_item(shortlist: Shortlist, offer: Offer, position: int) -> ShortlistItem:
    revision = offer.published_revision
    profile = getattr(offer.supplier, "supplier_profile", None)
    return ShortlistItem(
        shortlist=shortlist,
        offer=offer,
        revision=revision,
        position=position,
        title=revision.title,
        supplier_name=offer.supplier.name,
        supplier_is_sme=profile.is_sme if profile else None,
        framework_reference=offer.lot.framework.reference,
        lot_name=offer.lot.name,
        pricing_model=revision.pricing_model,
        price=revision.price,
        list_price=revision.list_price,
        vat=revision.vat,
    )


@transaction.atomic
def saved_search_freeze(*, actor: User, saved_search: SavedSearch, name: str = "") -> Shortlist:
    """Run the saved search now and keep its first 30 results, exactly as they are."""
    organisation = _own(actor, saved_search)
    outcome = search_offers(QueryDict(f"{saved_search.query_string}&size=50"))
    offers = [r["offer"] for r in outcome.results][:MAX_SHORTLIST_ITEMS]
    if not offers:
        raise ValidationError("This search has no results to freeze.")
    now = timezone.now()
    shortlist = Shortlist.objects.create(
        organisation=organisation,
        created_by=actor,
        name=_clean_name(name or f"{saved_search.name} ({now:%d %b %Y %H:%M})"),
        saved_search=saved_search,
        query_string=saved_search.query_string,
        status=Shortlist.Status.FROZEN,
        frozen_at=now,
        frozen_by=actor,
    )
    ShortlistItem.objects.bulk_create(
        [_snapshot_item(shortlist, offer, i) for i, offer in enumerate(offers, start=1)]
    )
    audit_record(
        actor=actor,
        action="shortlist.frozen",
        obj=shortlist,
        detail={
            "saved_search": saved_search.pk,
            "items": [
                [o.pk, o.published_revision_id, str(o.published_revision.price)] for o in offers
            ],
        },
    )
    return shortlist


@transaction.atomic
def shortlist_create(*, actor: User, name: str) -> Shortlist:
    organisation = _buyer_org(actor)
    shortlist = Shortlist.objects.create(
        organisation=organisation, created_by=actor, name=_clean_name(name)
    )
    audit_record(actor=actor, action="shortlist.created", obj=shortlist)
    return shortlist


@transaction.atomic
def shortlist_add_offer(*, actor: User, shortlist: Shortlist, offer_id: int) -> ShortlistItem:
    _own(actor, shortlist)
    shortlist = Shortlist.objects.select_for_update().get(pk=shortlist.pk)
    if shortlist.is_frozen:
        raise ValidationError("This shortlist is frozen and cannot change.")
    offer = (
        Offer.objects.visible_to(actor)
        .buyable()
        .select_related("published_revision", "lot__framework", "supplier__supplier_profile")
        .filter(pk=offer_id)
        .first()
    )
    if offer is None:
        raise ValidationError("That offer is not available.")
    if shortlist.items.filter(offer=offer).exists():
        raise ValidationError(f"{offer} is already on this shortlist.")
    count = shortlist.items.count()
    if count >= MAX_SHORTLIST_ITEMS:
        raise ValidationError(f"A shortlist can hold at most {MAX_SHORTLIST_ITEMS} offers.")
    item = _snapshot_item(shortlist, offer, count + 1)
    item.save()
    audit_record(
        actor=actor, action="shortlist.offer_added", obj=shortlist, detail={"offer": offer.pk}
    )
    return item


@transaction.atomic
def requirement_shortlist_add(*, actor: User, requirement, offer_id: int) -> ShortlistItem:
    """Add a matched offer to the requirement's open shortlist, starting one if needed."""
    organisation = _own(actor, requirement)
    shortlist = (
        Shortlist.objects.select_for_update()
        .filter(organisation=organisation, requirement=requirement, status=Shortlist.Status.OPEN)
        .first()
    )
    if shortlist is None:
        shortlist = Shortlist.objects.create(
            organisation=organisation,
            created_by=actor,
            name=_clean_name(f"Shortlist for {requirement.title}"[:150]),
            requirement=requirement,
        )
        audit_record(actor=actor, action="shortlist.created", obj=shortlist)
    return shortlist_add_offer(actor=actor, shortlist=shortlist, offer_id=offer_id)


@transaction.atomic
def shortlist_remove_item(*, actor: User, item: ShortlistItem) -> None:
    _own(actor, item.shortlist)
    if item.shortlist.is_frozen:
        raise ValidationError("This shortlist is frozen and cannot change.")
    audit_record(
        actor=actor,
        action="shortlist.offer_removed",
        obj=item.shortlist,
        detail={"offer": item.offer_id},
    )
    item.delete()


@transaction.atomic
def shortlist_freeze(*, actor: User, shortlist: Shortlist) -> Shortlist:
    """Freeze an open shortlist: each item is pinned to the offer's published revision now."""
    _own(actor, shortlist)
    shortlist = Shortlist.objects.select_for_update().get(pk=shortlist.pk)
    if shortlist.is_frozen:
        raise ValidationError("This shortlist is already frozen.")
    items = list(shortlist.items.select_related("offer__published_revision"))
    if not items:
        raise ValidationError("Add at least one offer before freezing the shortlist.")
    visible = set(
        Offer.objects.buyable()
        .filter(pk__in=[i.offer_id for i in items])
        .values_list("pk", flat=True)
    )
    gone = [i.title for i in items if i.offer_id not in visible]
    if gone:
        raise ValidationError(
            f"Remove offers that are no longer available first: {', '.join(gone)}"
        )
    for item in items:
        revision = item.offer.published_revision
        item.revision = revision
        item.title, item.price, item.list_price = (
            revision.title,
            revision.price,
            revision.list_price,
        )
        item.pricing_model, item.vat = revision.pricing_model, revision.vat
        item.save()
    shortlist.status = Shortlist.Status.FROZEN
    shortlist.frozen_at = timezone.now()
    shortlist.frozen_by = actor
    shortlist.save()
    audit_record(
        actor=actor,
        action="shortlist.frozen",
        obj=shortlist,
        detail={"items": [[i.offer_id, i.revision_id, str(i.price)] for i in items]},
    )
    return shortlist


@transaction.atomic
def shortlist_record_outcome(
    *, actor: User, shortlist: Shortlist, outcome: str, note: str = ""
) -> Shortlist:
    _own(actor, shortlist)
    shortlist = Shortlist.objects.select_for_update().get(pk=shortlist.pk)
    if not shortlist.is_frozen:
        raise ValidationError("Freeze the shortlist before recording its outcome.")
    if shortlist.outcome:
        raise ValidationError("The outcome has already been recorded.")
    if outcome not in Shortlist.Outcome.values:
        raise ValidationError({"outcome": "Select the outcome"})
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationError({"note": "The note must be 2,000 characters or fewer"})
    shortlist.outcome = outcome
    shortlist.outcome_note = note
    shortlist.outcome_recorded_at = timezone.now()
    shortlist.outcome_recorded_by = actor
    shortlist.save()
    audit_record(
        actor=actor, action="shortlist.outcome_recorded", obj=shortlist, detail={"outcome": outcome}
    )
    return shortlist


EXPORT_HEADERS = [
    "position",
    "offer_id",
    "revision",
    "title",
    "supplier",
    "sme",
    "framework",
    "lot",
    "price",
    "list_price",
    "unit",
    "vat",
]


def shortlist_export(*, shortlist: Shortlist, fmt: str) -> bytes:
    """The frozen list as CSV or ODS, one row per offer, with the exact revision and price."""
    if fmt not in ("csv", "ods"):
        raise ValidationError("Choose CSV or ODS")
    data = tablib.Dataset(headers=EXPORT_HEADERS, title="Shortlist")
    for item in shortlist.items.select_related("revision"):
        data.append(
            [
                item.position,
                item.offer_id,
                item.revision.number,
                item.title,
                item.supplier_name,
                {True: "yes", False: "no", None: ""}[item.supplier_is_sme],
                item.framework_reference,
                item.lot_name,
                "" if item.price is None else f"{item.price:.2f}",
                "" if item.list_price is None else f"{item.list_price:.2f}",
                item.pricing_model,
                item.vat,
            ]
        )
    exported = data.export(fmt)
    return exported.encode("utf-8") if isinstance(exported, str) else exported


# --- requirements ---
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
    "budget": ("budget_min", "budget_max"),
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
        "budget": r.budget_min is not None or r.budget_max is not None,
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
    organisation = _buyer_org(actor)
    cleaned = _clean_title({"title": title})
    requirement = Requirement.objects.create(
        organisation=organisation, created_by=actor, title=cleaned["title"]
    )
    audit_record(actor=actor, action="requirement.started", obj=requirement)
    return requirement


@transaction.atomic
def requirement_answer(*, actor: User, requirement: Requirement, step: str, data) -> Requirement:
    """Validate one step's answers and save just those fields; nothing is saved on error."""
    _own(actor, requirement)
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
    _own(actor, requirement)
    locked = _locked_draft(requirement)
    errors = requirement_missing(locked)
    if errors:
        raise ValidationError(errors)
    locked.status = Requirement.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_record(actor=actor, action="requirement.submitted", obj=locked)
    requirement.status, requirement.submitted_at = locked.status, locked.submitted_at
    return locked


@transaction.atomic
def requirement_delete(*, actor: User, requirement: Requirement) -> None:
    """Delete a draft; submitted requirements are kept."""
    _own(actor, requirement)
    locked = Requirement.objects.select_for_update().get(pk=requirement.pk)
    if not locked.is_draft:
        raise ValidationError("Only drafts can be deleted.")
    audit_record(actor=actor, action="requirement.deleted", obj=locked)
    locked.delete()


@transaction.atomic
def requirement_copy(*, actor: User, requirement: Requirement) -> Requirement:
    """A new draft with the same answers (a lot no longer on a live framework is dropped)."""
    organisation = _own(actor, requirement)
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


# --- awards and contracts ---
# An award ends in a Contract at the exact offer revision a buyer chose. A direct award is made
# from a frozen shortlist item or a single offer, on a lot that allows it, at or below the
# national price. A further competition invites 3 or more shortlisted suppliers on one lot;
# they ask questions and respond before the deadline, the buyer scores every response and awards
# to the highest weighted total. Savings are (list price - awarded price) x quantity.
# Every service takes `now` (default: the current time) so deadlines can be tested.

MIN_INVITED_SUPPLIERS = 3
MIN_SOCIAL_VALUE_WEIGHT = 10
KPI_VALUE_THRESHOLD = Decimal("5000000")
MIN_KPIS_ABOVE_THRESHOLD = 3
MAX_KPIS = 20
MAX_KPI_LENGTH = 300
MAX_AWARD_TEXT = 5000
MAX_RESPONSE_TEXT = 10000
MAX_QUESTION = 2000
MAX_COMPETITION_TITLE = 150
MAX_UNIT_PRICE = Decimal("9999999999.99")
MAX_QUANTITY = Decimal("9999999999.99")
MAX_CONTRACT_VALUE = Decimal("9999999999999.99")
CRITERIA = (("quality", "quality"), ("price", "price"), ("social_value", "social value"))
_PENNY = Decimal("0.01")


def _money_text(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def _award_amount(raw, field: str, name: str, *, maximum: Decimal, example: str) -> Decimal:
    """A required amount (pounds, or a quantity), allowing commas and £."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValidationError({field: f"Enter the {name}"})
    if isinstance(raw, Decimal | int) and not isinstance(raw, bool):
        amount = Decimal(raw)
    else:
        text = str(raw).strip().replace(",", "").replace(" ", "").removeprefix("£")
        if not re.fullmatch(r"-?[0-9]*\.?[0-9]+", text):
            raise ValidationError({field: f"Enter the {name} as a number, like {example}"})
        amount = Decimal(text)
    if not amount.is_finite():
        raise ValidationError({field: f"Enter the {name} as a number, like {example}"})
    if amount < 0:
        raise ValidationError({field: f"The {name} must be 0 or more"})
    if amount > maximum:
        raise ValidationError({field: f"The {name} must be {maximum:,.0f} or less"})
    if amount != amount.quantize(_PENNY):
        raise ValidationError({field: f"The {name} must have no more than 2 decimal places"})
    return amount.quantize(_PENNY)


def _award_quantity(raw) -> Decimal:
    quantity = _award_amount(raw, "quantity", "quantity", maximum=MAX_QUANTITY, example="250")
    if quantity <= 0:
        raise ValidationError({"quantity": "The quantity must be more than 0"})
    return quantity


def _award_unit_price(raw) -> Decimal:
    return _award_amount(raw, "unit_price", "unit price", maximum=MAX_UNIT_PRICE, example="12.50")


def _award_text(raw, field: str, missing: str, *, limit: int = MAX_AWARD_TEXT) -> str:
    text = "" if raw is None else str(raw).replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError({field: missing})
    if len(text) > limit:
        raise ValidationError({field: f"This must be {limit:,} characters or fewer"})
    return text


def _award_date(raw, field: str, name: str) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if raw in (None, ""):
        raise ValidationError({field: f"Enter the {name}"})
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise ValidationError({field: f"The {name} must be a real date, like 27 3 2027"}) from None


def _award_term(start_raw, end_raw, today: date) -> tuple[date, date]:
    errors, term = {}, {}
    for field, name, raw in (
        ("start_date", "start date", start_raw),
        ("end_date", "end date", end_raw),
    ):
        try:
            term[field] = _award_date(raw, field, name)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    start, end = term["start_date"], term["end_date"]
    if start < today:
        raise ValidationError({"start_date": "The start date must be today or in the future"})
    if end <= start:
        raise ValidationError({"end_date": "The end date must be after the start date"})
    return start, end


def clean_kpis(raw) -> list[str]:
    """KPIs typed one a line (or given as a list): blank lines dropped, spaces tidied."""
    lines = raw if isinstance(raw, list | tuple) else str(raw or "").splitlines()
    kpis = [" ".join(str(line).split()) for line in lines if str(line).strip()]
    if len(kpis) > MAX_KPIS:
        raise ValidationError({"kpis": f"Enter {MAX_KPIS} KPIs or fewer"})
    too_long = [kpi for kpi in kpis if len(kpi) > MAX_KPI_LENGTH]
    if too_long:
        raise ValidationError({"kpis": f"Each KPI must be {MAX_KPI_LENGTH} characters or fewer"})
    return kpis


def _check_kpis(kpis: list[str], value: Decimal) -> None:
    if value > KPI_VALUE_THRESHOLD and len(kpis) < MIN_KPIS_ABOVE_THRESHOLD:
        raise ValidationError(
            {
                "kpis": f"Contracts worth more than {_money_text(KPI_VALUE_THRESHOLD)} need at "
                f"least {MIN_KPIS_ABOVE_THRESHOLD} KPIs, one a line (this one is worth "
                f"{_money_text(value)} and has {len(kpis)})"
            }
        )


def _contract_value(unit_price: Decimal, quantity: Decimal) -> Decimal:
    value = (unit_price * quantity).quantize(_PENNY, rounding=ROUND_HALF_UP)
    if value > MAX_CONTRACT_VALUE:
        raise ValidationError({"quantity": "The contract value (price × quantity) is too large"})
    return value


def _check_price(unit_price: Decimal, national_price: Decimal | None, field: str = "unit_price"):
    if national_price is not None and unit_price > national_price:
        raise ValidationError(
            {
                field: f"The price must be at or below the national price of "
                f"{_money_text(national_price)}"
            }
        )


def _still_buyable(offer: Offer, supplier_name: str) -> None:
    if not Offer.objects.buyable().filter(pk=offer.pk).exists():
        raise ValidationError(
            f"{supplier_name}'s offer can no longer be bought: it has been withdrawn or "
            "suspended, or the supplier is not in good standing on the framework."
        )


def _usable_shortlist(actor: User, shortlist: Shortlist) -> Organisation:
    organisation = _own(actor, shortlist)
    if not shortlist.is_frozen:
        raise ValidationError("Freeze the shortlist before awarding from it.")
    if shortlist.outcome and shortlist.outcome != Shortlist.Outcome.AWARDED:
        raise ValidationError(
            f"This shortlist's outcome is recorded as “{shortlist.get_outcome_display()}”, "
            "so nothing can be awarded from it."
        )
    return organisation


def _time_to_award(started: datetime | None, now: datetime) -> timedelta | None:
    if started is None:
        return None
    return max(now - started, timedelta(0))


def _shortlist_mark_awarded(actor: User, shortlist: Shortlist, contract: Contract, now) -> None:
    locked = Shortlist.objects.select_for_update().get(pk=shortlist.pk)
    if locked.outcome:
        return
    locked.outcome = Shortlist.Outcome.AWARDED
    locked.outcome_note = f"Contract {contract.reference} awarded to {contract.supplier}"
    locked.outcome_recorded_at = now
    locked.outcome_recorded_by = actor
    locked.save()
    audit_record(
        actor=actor,
        action="shortlist.outcome_recorded",
        obj=locked,
        detail={"outcome": locked.outcome, "contract": contract.pk},
    )


def _contract_create(*, actor: User, now: datetime, **fields) -> Contract:
    """The contract (contracts app), and the shortlist it came from marked as awarded."""
    contract = contract_create(actor=actor, now=now, **fields)
    if contract.shortlist_id:
        _shortlist_mark_awarded(actor, contract.shortlist, contract, now)
    return contract


def direct_award_terms(*, shortlist_item: ShortlistItem | None = None, offer: Offer | None = None):
    """What a direct award would be made at: the offer, its exact revision and prices."""
    if shortlist_item is not None:
        return {
            "offer": shortlist_item.offer,
            "revision": shortlist_item.revision,
            "national_price": shortlist_item.price,
            "list_price": shortlist_item.list_price,
            "lot": shortlist_item.offer.lot,
            "supplier": shortlist_item.offer.supplier,
            "shortlist": shortlist_item.shortlist,
            "requirement": shortlist_item.shortlist.requirement,
        }
    revision = offer.published_revision
    return {
        "offer": offer,
        "revision": revision,
        "national_price": revision.price if revision else None,
        "list_price": revision.list_price if revision else None,
        "lot": offer.lot,
        "supplier": offer.supplier,
        "shortlist": None,
        "requirement": None,
    }


@transaction.atomic
def direct_award_create(
    *,
    actor: User,
    shortlist_item: ShortlistItem | None = None,
    offer: Offer | None = None,
    requirement: Requirement | None = None,
    justification,
    quantity,
    unit_price,
    start_date,
    end_date,
    kpis,
    now: datetime | None = None,
) -> Contract:
    """Award a contract directly, from a frozen shortlist item or a single buyable offer."""
    now = now or timezone.now()
    organisation = _buyer_org(actor)
    if (shortlist_item is None) == (offer is None):
        raise ValidationError("Choose one offer to award.")
    if shortlist_item is not None:
        shortlist_item = ShortlistItem.objects.select_related(
            "shortlist__requirement", "offer__lot__framework", "offer__supplier", "revision"
        ).get(pk=shortlist_item.pk)
        _usable_shortlist(actor, shortlist_item.shortlist)
        terms = direct_award_terms(shortlist_item=shortlist_item)
        requirement = terms["requirement"]
        started = requirement.created_at if requirement else shortlist_item.shortlist.created_at
    else:
        offer = (
            Offer.objects.buyable()
            .select_related("published_revision", "lot__framework", "supplier")
            .filter(pk=offer.pk)
            .first()
        )
        if offer is None:
            raise ValidationError("That offer is not available to buy.")
        if requirement is not None and requirement.organisation_id != organisation.pk:
            raise PermissionDenied("This requirement belongs to another organisation.")
        terms = direct_award_terms(offer=offer)
        started = requirement.created_at if requirement else None
    lot, supplier = terms["lot"], terms["supplier"]
    if not lot.direct_award_allowed:
        raise ValidationError(
            f"{lot.framework.name}, {lot} does not allow direct award: run a further "
            "competition among at least 3 shortlisted suppliers instead."
        )
    _still_buyable(terms["offer"], supplier.name)
    if terms["national_price"] is None:
        raise ValidationError(
            "This offer has no national price, so it cannot be awarded directly. "
            "Run a further competition instead."
        )
    errors, cleaned = {}, {}
    cleaners = {
        "quantity": lambda: _award_quantity(quantity),
        "unit_price": lambda: _award_unit_price(unit_price),
        "term": lambda: _award_term(start_date, end_date, timezone.localdate(now)),
        "kpis": lambda: clean_kpis(kpis),
        "justification": lambda: _award_text(
            justification, "justification", "Enter why you are awarding this contract directly"
        ),
    }
    for key, clean in cleaners.items():
        try:
            cleaned[key] = clean()
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "unit_price" in cleaned:
        try:
            _check_price(cleaned["unit_price"], terms["national_price"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "quantity" in cleaned and "unit_price" in cleaned and "unit_price" not in errors:
        try:
            cleaned["value"] = _contract_value(cleaned["unit_price"], cleaned["quantity"])
            if "kpis" in cleaned:
                _check_kpis(cleaned["kpis"], cleaned["value"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    start, end = cleaned["term"]
    return _contract_create(
        actor=actor,
        now=now,
        organisation=organisation,
        supplier=supplier,
        offer=terms["offer"],
        revision=terms["revision"],
        route=Contract.Route.DIRECT_AWARD,
        requirement=requirement,
        shortlist=terms["shortlist"],
        title=terms["revision"].title[:200],
        quantity=cleaned["quantity"],
        unit_price=cleaned["unit_price"],
        list_price=terms["list_price"],
        national_price=terms["national_price"],
        value=cleaned["value"],
        start_date=start,
        end_date=end,
        kpis=cleaned["kpis"],
        justification=cleaned["justification"],
        time_to_award=_time_to_award(started, now),
    )


# --- further competitions ---


def _weight(raw, field: str, name: str) -> int:
    if raw is None or str(raw).strip() == "":
        raise ValidationError({field: f"Enter the weight for {name}"})
    text = str(raw).strip().removesuffix("%").strip()
    if not re.fullmatch(r"[0-9]+", text):
        raise ValidationError(
            {field: f"Enter the weight for {name} as a whole number of percent, like 30"}
        )
    value = int(text)
    if value > 100:
        raise ValidationError({field: f"The weight for {name} must be 100 or less"})
    return value


def _clean_weights(data: dict) -> dict:
    errors, weights = {}, {}
    for key, name in CRITERIA:
        field = f"weight_{key}"
        try:
            weights[field] = _weight(data.get(field), field, name)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if weights["weight_social_value"] < MIN_SOCIAL_VALUE_WEIGHT:
        raise ValidationError(
            {
                "weight_social_value": f"Social value must be weighted at least "
                f"{MIN_SOCIAL_VALUE_WEIGHT}% (you entered {weights['weight_social_value']}%)"
            }
        )
    total = sum(weights.values())
    if total != 100:
        raise ValidationError(
            {"weight_quality": f"The weights must add up to 100 (they add up to {total})"}
        )
    return weights


def _clean_deadline(raw, start: date | None, now: datetime) -> datetime:
    if raw in (None, ""):
        raise ValidationError({"deadline": "Enter the deadline for responses"})
    if not isinstance(raw, datetime):
        raise ValidationError({"deadline": "The deadline must be a real date and time"})
    deadline = raw if timezone.is_aware(raw) else timezone.make_aware(raw)
    if deadline <= now:
        raise ValidationError({"deadline": "The deadline must be in the future"})
    if start is not None and timezone.localtime(deadline).date() >= start:
        raise ValidationError({"deadline": "The deadline must be before the contract starts"})
    return deadline


def _clean_competition(data: dict, now: datetime) -> dict:
    """Every field of a competition's set-up, checked together so all errors show at once."""
    errors, cleaned = {}, {}

    def run(func):
        try:
            cleaned.update(func())
        except ValidationError as exc:
            errors.update(exc.message_dict)

    def title():
        value = " ".join(str(data.get("title") or "").split())
        if not value:
            raise ValidationError({"title": "Enter a title for the competition"})
        if len(value) > MAX_COMPETITION_TITLE:
            raise ValidationError(
                {"title": f"The title must be {MAX_COMPETITION_TITLE} characters or fewer"}
            )
        return {"title": value}

    run(title)
    run(
        lambda: {
            "description": _award_text(
                data.get("description"),
                "description",
                "Describe the requirement suppliers are responding to",
                limit=MAX_RESPONSE_TEXT,
            )
        }
    )
    run(lambda: {"quantity": _award_quantity(data.get("quantity"))})
    run(
        lambda: dict(
            zip(
                ("start_date", "end_date"),
                _award_term(data.get("start_date"), data.get("end_date"), timezone.localdate(now)),
                strict=True,
            )
        )
    )
    run(
        lambda: {
            "quality_criteria": _award_text(
                data.get("quality_criteria"),
                "quality_criteria",
                "Describe what suppliers' quality answers will be scored on",
            )
        }
    )
    run(
        lambda: {
            "social_value_criteria": _award_text(
                data.get("social_value_criteria"),
                "social_value_criteria",
                "Describe what suppliers' social value answers will be scored on",
            )
        }
    )
    run(lambda: _clean_weights(data))
    run(lambda: {"deadline": _clean_deadline(data.get("deadline"), cleaned.get("start_date"), now)})
    if errors:
        raise ValidationError(errors)
    return cleaned


def _invitable_items(shortlist: Shortlist, item_ids) -> list[ShortlistItem]:
    """The chosen items of the frozen shortlist: one offer per supplier, all on one lot, at
    least three suppliers, every offer still buyable."""
    try:
        ids = {int(i) for i in (item_ids or [])}
    except (TypeError, ValueError):
        raise ValidationError({"items": "Select suppliers from the shortlist"}) from None
    items = list(
        shortlist.items.filter(pk__in=ids).select_related(
            "offer__lot__framework", "offer__supplier", "revision"
        )
    )
    if len(items) != len(ids):
        raise ValidationError({"items": "Select suppliers from this shortlist"})
    if len(items) < MIN_INVITED_SUPPLIERS:
        raise ValidationError(
            {
                "items": f"Invite at least {MIN_INVITED_SUPPLIERS} suppliers "
                f"(you selected {len(items)})"
            }
        )
    suppliers = [item.offer.supplier_id for item in items]
    if len(set(suppliers)) != len(suppliers):
        raise ValidationError(
            {"items": "Select one offer from each supplier: some suppliers are selected twice"}
        )
    lots = {item.offer.lot_id for item in items}
    if len(lots) > 1:
        raise ValidationError(
            {"items": "Select offers from one lot only: a competition is run on a single lot"}
        )
    buyable = set(
        Offer.objects.buyable()
        .filter(pk__in=[item.offer_id for item in items])
        .values_list("pk", flat=True)
    )
    gone = [item.supplier_name for item in items if item.offer_id not in buyable]
    if gone:
        raise ValidationError(
            {"items": f"These suppliers' offers can no longer be bought: {', '.join(gone)}"}
        )
    return sorted(items, key=lambda item: item.position)


def _draft(actor: User, competition: FurtherCompetition) -> FurtherCompetition:
    _own(actor, competition)
    locked = FurtherCompetition.objects.select_for_update().get(pk=competition.pk)
    if locked.status != FurtherCompetition.Status.DRAFT:
        raise ValidationError("The invitations have been sent, so the competition cannot change.")
    return locked


@transaction.atomic
def competition_invite(
    *, actor: User, competition: FurtherCompetition, item_ids
) -> list[CompetitionInvitation]:
    """Choose who a draft competition invites: replaces any earlier choice."""
    locked = _draft(actor, competition)
    items = _invitable_items(locked.shortlist, item_ids)
    locked.invitations.all().delete()
    invitations = CompetitionInvitation.objects.bulk_create(
        [
            CompetitionInvitation(
                competition=locked,
                supplier=item.offer.supplier,
                shortlist_item=item,
                offer=item.offer,
                revision=item.revision,
                national_price=item.price,
                list_price=item.list_price,
            )
            for item in items
        ]
    )
    locked.lot = items[0].offer.lot
    locked.save(update_fields=["lot", "updated_at"])
    competition.lot = locked.lot
    audit_record(
        actor=actor,
        action="competition.invited",
        obj=locked,
        detail={"suppliers": [item.offer.supplier_id for item in items]},
    )
    return invitations


@transaction.atomic
def competition_create(
    *, actor: User, shortlist: Shortlist, data: dict, now: datetime | None = None
) -> FurtherCompetition:
    """A draft competition from a frozen shortlist. `data` holds the set-up fields and `items`
    (the shortlist items to invite). Nothing is sent until it is published."""
    now = now or timezone.now()
    organisation = _usable_shortlist(actor, shortlist)
    errors = {}
    try:
        cleaned = _clean_competition(data, now)
    except ValidationError as exc:
        cleaned = None
        errors.update(exc.message_dict)
    try:
        items = _invitable_items(shortlist, data.get("items"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    competition = FurtherCompetition.objects.create(
        organisation=organisation,
        created_by=actor,
        shortlist=shortlist,
        requirement=shortlist.requirement,
        lot=items[0].offer.lot,
        **cleaned,
    )
    audit_record(actor=actor, action="competition.created", obj=competition)
    competition_invite(actor=actor, competition=competition, item_ids=[i.pk for i in items])
    return competition


@transaction.atomic
def competition_update(
    *, actor: User, competition: FurtherCompetition, data: dict, now: datetime | None = None
) -> FurtherCompetition:
    now = now or timezone.now()
    locked = _draft(actor, competition)
    errors = {}
    try:
        cleaned = _clean_competition(data, now)
    except ValidationError as exc:
        cleaned = {}
        errors.update(exc.message_dict)
    try:
        _invitable_items(locked.shortlist, data.get("items"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    for field, value in cleaned.items():
        setattr(locked, field, value)
    locked.save()
    audit_record(actor=actor, action="competition.updated", obj=locked)
    competition_invite(actor=actor, competition=locked, item_ids=data.get("items"))
    return locked


@transaction.atomic
def competition_publish(
    *, actor: User, competition: FurtherCompetition, now: datetime | None = None
) -> FurtherCompetition:
    """Send the invitations: each invited supplier sees it on its dashboard and by email."""
    now = now or timezone.now()
    locked = _draft(actor, competition)
    invitations = list(locked.invitations.select_related("supplier", "offer"))
    if len(invitations) < MIN_INVITED_SUPPLIERS:
        raise ValidationError(f"Invite at least {MIN_INVITED_SUPPLIERS} suppliers first.")
    if locked.deadline <= now:
        raise ValidationError("The deadline has passed: change it before sending the invitations.")
    for invitation in invitations:
        _still_buyable(invitation.offer, invitation.supplier.name)
    locked.status = FurtherCompetition.Status.OPEN
    locked.published_at = now
    locked.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(
        actor=actor,
        action="competition.published",
        obj=locked,
        detail={"deadline": locked.deadline.isoformat(), "invited": len(invitations)},
    )
    _email_suppliers(locked, "invited")
    competition.status, competition.published_at = locked.status, locked.published_at
    return locked


@transaction.atomic
def competition_cancel(
    *, actor: User, competition: FurtherCompetition, reason: str
) -> FurtherCompetition:
    """Stop a competition before it is awarded; invited suppliers are told why."""
    _own(actor, competition)
    locked = FurtherCompetition.objects.select_for_update().get(pk=competition.pk)
    if locked.status in (FurtherCompetition.Status.AWARDED, FurtherCompetition.Status.CANCELLED):
        raise ValidationError(
            f"This competition has already been {locked.get_status_display().lower()}."
        )
    reason = _award_text(reason, "reason", "Enter why you are cancelling the competition")
    was_open = locked.status == FurtherCompetition.Status.OPEN
    locked.status = FurtherCompetition.Status.CANCELLED
    locked.cancelled_reason = reason
    locked.save(update_fields=["status", "cancelled_reason", "updated_at"])
    locked.invitations.update(
        outcome=CompetitionInvitation.Outcome.CANCELLED,
        feedback=f"The buyer cancelled this competition: {reason}",
    )
    audit_record(actor=actor, action="competition.cancelled", obj=locked, detail={"reason": reason})
    if was_open:
        _email_suppliers(locked, "outcome")
    competition.status = locked.status
    return locked


def _supplier_invitation(actor: User, invitation: CompetitionInvitation) -> CompetitionInvitation:
    if not CompetitionInvitation.objects.for_supplier(actor).filter(pk=invitation.pk).exists():
        raise PermissionDenied("This invitation is for another supplier.")
    return CompetitionInvitation.objects.select_related("competition").get(pk=invitation.pk)


def _deadline_text(deadline: datetime) -> str:
    return timezone.localtime(deadline).strftime("%-d %B %Y at %H:%M")


def _accepting(competition: FurtherCompetition, now: datetime, what: str) -> None:
    if competition.status != FurtherCompetition.Status.OPEN:
        raise ValidationError(
            f"This competition is {competition.get_status_display().lower()}: "
            f"{what} are no longer accepted."
        )
    if competition.is_past_deadline(now):
        raise ValidationError(
            f"The deadline was {_deadline_text(competition.deadline)}: "
            f"late {what} cannot be accepted."
        )


@transaction.atomic
def clarification_ask(
    *, actor: User, invitation: CompetitionInvitation, question: str, now: datetime | None = None
) -> ClarificationQuestion:
    now = now or timezone.now()
    invitation = _supplier_invitation(actor, invitation)
    competition = FurtherCompetition.objects.select_for_update().get(pk=invitation.competition_id)
    _accepting(competition, now, "questions")
    text = _award_text(question, "question", "Enter your question", limit=MAX_QUESTION)
    asked = ClarificationQuestion.objects.create(
        competition=competition, invitation=invitation, question=text, asked_by=actor, asked_at=now
    )
    audit_record(
        actor=actor,
        action="clarification.asked",
        obj=asked,
        detail={"competition": competition.pk},
    )
    return asked


@transaction.atomic
def clarification_answer(
    *,
    actor: User,
    question: ClarificationQuestion,
    answer: str,
    shared_question: str = "",
    now: datetime | None = None,
) -> ClarificationQuestion:
    """Answer a question. The question (reworded if need be, so it does not say who asked)
    and the answer are shown to every invited supplier, and they are emailed."""
    now = now or timezone.now()
    _own(actor, question.competition)
    locked = ClarificationQuestion.objects.select_for_update().get(pk=question.pk)
    if locked.is_answered:
        raise ValidationError("This question has already been answered.")
    if question.competition.status != FurtherCompetition.Status.OPEN:
        raise ValidationError("Questions can only be answered while the competition is open.")
    errors, cleaned = {}, {}
    try:
        cleaned["answer"] = _award_text(answer, "answer", "Enter your answer")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    shared = "" if shared_question is None else str(shared_question).strip()
    if len(shared) > MAX_QUESTION:
        errors["shared_question"] = f"The question must be {MAX_QUESTION:,} characters or fewer"
    if errors:
        raise ValidationError(errors)
    locked.shared_question = shared or locked.question
    locked.answer = cleaned["answer"]
    locked.answered_by = actor
    locked.answered_at = now
    locked.save()
    audit_record(
        actor=actor,
        action="clarification.answered",
        obj=locked,
        detail={"competition": locked.competition_id},
    )
    from .tasks import send_clarification_email

    invited = [] if _QUIET.get() else locked.competition.invitations.values_list("pk", flat=True)
    for pk in invited:
        enqueue_on_commit(send_clarification_email, locked.pk, pk)
    question.answer, question.answered_at = locked.answer, locked.answered_at
    return locked


@transaction.atomic
def response_submit(
    *,
    actor: User,
    invitation: CompetitionInvitation,
    unit_price,
    quality_response: str,
    social_value_response: str,
    now: datetime | None = None,
) -> CompetitionResponse:
    """Submit (or, before the deadline, replace) a supplier's sealed response."""
    now = now or timezone.now()
    invitation = _supplier_invitation(actor, invitation)
    competition = FurtherCompetition.objects.select_for_update().get(pk=invitation.competition_id)
    _accepting(competition, now, "responses")
    errors, cleaned = {}, {}
    for field, clean in (
        ("unit_price", lambda: _award_unit_price(unit_price)),
        (
            "quality_response",
            lambda: _award_text(
                quality_response,
                "quality_response",
                "Enter your response on quality",
                limit=MAX_RESPONSE_TEXT,
            ),
        ),
        (
            "social_value_response",
            lambda: _award_text(
                social_value_response,
                "social_value_response",
                "Enter your response on social value",
                limit=MAX_RESPONSE_TEXT,
            ),
        ),
    ):
        try:
            cleaned[field] = clean()
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "unit_price" in cleaned:
        try:
            _check_price(cleaned["unit_price"], invitation.national_price)
            _contract_value(cleaned["unit_price"], competition.quantity)
        except ValidationError as exc:
            errors["unit_price"] = exc.messages
    if errors:
        raise ValidationError(errors)
    response, created = CompetitionResponse.objects.update_or_create(
        invitation=invitation,
        defaults={**cleaned, "submitted_by": actor, "submitted_at": now},
    )
    audit_record(
        actor=actor,
        action="competition_response.submitted" if created else "competition_response.replaced",
        obj=response,
        detail={"competition": competition.pk, "unit_price": str(cleaned["unit_price"])},
    )
    return response


def weighted_score(competition: FurtherCompetition, scores: dict[str, int]) -> Decimal:
    """The weighted total out of 100: each criterion's score times its weight."""
    total = sum(Decimal(scores[key]) * competition.weights[key] for key, _ in CRITERIA)
    return (total / 100).quantize(_PENNY, rounding=ROUND_HALF_UP)


def price_score_suggestions(competition: FurtherCompetition) -> dict[int, int]:
    """A suggested price score per response: the lowest price scores 100, others in
    proportion (lowest / price x 100)."""
    responses = list(CompetitionResponse.objects.filter(invitation__competition=competition))
    if not responses:
        return {}
    lowest = min(r.unit_price for r in responses)
    suggestions = {}
    for response in responses:
        if response.unit_price == 0:
            suggestions[response.pk] = 100
        else:
            ratio = lowest / response.unit_price * 100
            suggestions[response.pk] = int(ratio.quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return suggestions


def _score(raw, field: str, name: str) -> int:
    if raw is None or str(raw).strip() == "":
        raise ValidationError({field: f"Enter a score for {name}"})
    text = str(raw).strip()
    if not re.fullmatch(r"[0-9]+", text):
        raise ValidationError({field: f"Enter the score for {name} as a whole number, like 70"})
    value = int(text)
    if value > 100:
        raise ValidationError({field: f"The score for {name} must be between 0 and 100"})
    return value


@transaction.atomic
def response_score(
    *,
    actor: User,
    response: CompetitionResponse,
    quality,
    price,
    social_value,
    now: datetime | None = None,
) -> CompetitionResponse:
    """Score one response 0 to 100 on each criterion; the weighted total follows."""
    now = now or timezone.now()
    competition = FurtherCompetition.objects.select_for_update().get(
        pk=CompetitionResponse.objects.values("invitation__competition").get(pk=response.pk)[
            "invitation__competition"
        ]
    )
    _own(actor, competition)
    if competition.status != FurtherCompetition.Status.OPEN:
        raise ValidationError(
            f"This competition is {competition.get_status_display().lower()}: "
            "its scores can no longer change."
        )
    if not competition.is_past_deadline(now):
        raise ValidationError(
            f"Responses are sealed until the deadline ({_deadline_text(competition.deadline)})."
        )
    errors, scores = {}, {}
    for key, name in CRITERIA:
        field = f"{key}_score"
        try:
            scores[key] = _score(
                {"quality": quality, "price": price, "social_value": social_value}[key], field, name
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    locked = CompetitionResponse.objects.select_for_update().get(pk=response.pk)
    locked.quality_score = scores["quality"]
    locked.price_score = scores["price"]
    locked.social_value_score = scores["social_value"]
    locked.weighted_score = weighted_score(competition, scores)
    locked.scored_by = actor
    locked.scored_at = now
    locked.save()
    audit_record(
        actor=actor,
        action="competition_response.scored",
        obj=locked,
        detail={"competition": competition.pk, **scores, "total": str(locked.weighted_score)},
    )
    return locked


def _scores_text(response: CompetitionResponse) -> str:
    return (
        f"{response.weighted_score} out of 100 (quality {response.quality_score}, "
        f"price {response.price_score}, social value {response.social_value_score})"
    )


def competition_ranking(competition: FurtherCompetition) -> list[CompetitionResponse]:
    """Scored responses, highest weighted total first (then lowest price)."""
    responses = CompetitionResponse.objects.filter(
        invitation__competition=competition, weighted_score__isnull=False
    ).select_related("invitation__supplier", "invitation__offer")
    return sorted(responses, key=lambda r: (-r.weighted_score, r.unit_price, r.pk))


def competition_award_rationale(competition: FurtherCompetition) -> str:
    """A first draft of the award rationale, written from the scores."""
    ranking = competition_ranking(competition)
    if not ranking:
        return ""
    w = competition.weights
    winner = ranking[0]
    lines = [
        f"Responses were scored on quality ({w['quality']}%), price ({w['price']}%) and "
        f"social value ({w['social_value']}%).",
        f"{winner.invitation.supplier.name} offered the most advantageous response, with a "
        f"weighted score of {_scores_text(winner)} at {_money_text(winner.unit_price)} a unit.",
    ]
    for response in ranking[1:]:
        lines.append(
            f"{response.invitation.supplier.name} scored {_scores_text(response)} at "
            f"{_money_text(response.unit_price)} a unit."
        )
    return "\n".join(lines)


def _unsuccessful_feedback(
    invitation: CompetitionInvitation, winner: CompetitionResponse, extra: str
) -> str:
    response = getattr(invitation, "response", None)
    if response is None:
        text = "You did not submit a response before the deadline."
    else:
        text = (
            f"Your response scored {_scores_text(response)}. The successful response, from "
            f"{winner.invitation.supplier.name}, scored {_scores_text(winner)}."
        )
    return f"{text}\n\n{extra}" if extra else text


@transaction.atomic
def competition_award(
    *,
    actor: User,
    competition: FurtherCompetition,
    response: CompetitionResponse,
    rationale: str,
    kpis,
    unsuccessful_feedback: str = "",
    now: datetime | None = None,
) -> Contract:
    """Award the contract to the highest-scoring response; tell every other supplier why."""
    now = now or timezone.now()
    _own(actor, competition)
    locked = FurtherCompetition.objects.select_for_update().get(pk=competition.pk)
    if locked.status != FurtherCompetition.Status.OPEN:
        raise ValidationError(
            f"This competition is {locked.get_status_display().lower()}, so it cannot be awarded."
        )
    if not locked.is_past_deadline(now):
        raise ValidationError(
            f"You can award once the deadline has passed ({_deadline_text(locked.deadline)})."
        )
    responses = list(
        CompetitionResponse.objects.filter(invitation__competition=locked).select_related(
            "invitation__supplier", "invitation__offer", "invitation__revision"
        )
    )
    if not responses:
        raise ValidationError("No supplier responded, so there is nothing to award.")
    unscored = [r for r in responses if not r.is_scored]
    if unscored:
        raise ValidationError(
            f"Score every response before awarding ({len(unscored)} still to score)."
        )
    chosen = next((r for r in responses if r.pk == getattr(response, "pk", None)), None)
    if chosen is None:
        raise ValidationError({"response": "Select the supplier to award the contract to"})
    best = max(r.weighted_score for r in responses)
    if chosen.weighted_score != best:
        raise ValidationError(
            {
                "response": f"Award to the highest-scoring response (weighted score {best}); "
                f"{chosen.invitation.supplier.name} scored {chosen.weighted_score}"
            }
        )
    invitation = chosen.invitation
    errors, cleaned = {}, {}
    for field, clean in (
        (
            "rationale",
            lambda: _award_text(rationale, "rationale", "Enter the rationale for the award"),
        ),
        ("kpis", lambda: clean_kpis(kpis)),
    ):
        try:
            cleaned[field] = clean()
        except ValidationError as exc:
            errors.update(exc.message_dict)
    extra = "" if unsuccessful_feedback is None else str(unsuccessful_feedback).strip()
    if len(extra) > MAX_AWARD_TEXT:
        errors["unsuccessful_feedback"] = f"This must be {MAX_AWARD_TEXT:,} characters or fewer"
    value = _contract_value(chosen.unit_price, locked.quantity)
    if "kpis" in cleaned:
        try:
            _check_kpis(cleaned["kpis"], value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    _check_price(chosen.unit_price, invitation.national_price, "response")
    _still_buyable(invitation.offer, invitation.supplier.name)
    requirement = locked.requirement
    started = requirement.created_at if requirement else locked.shortlist.created_at
    contract = _contract_create(
        actor=actor,
        now=now,
        organisation=locked.organisation,
        supplier=invitation.supplier,
        offer=invitation.offer,
        revision=invitation.revision,
        route=Contract.Route.FURTHER_COMPETITION,
        requirement=requirement,
        shortlist=locked.shortlist,
        title=locked.title[:200],
        quantity=locked.quantity,
        unit_price=chosen.unit_price,
        list_price=invitation.list_price,
        national_price=invitation.national_price,
        value=value,
        start_date=locked.start_date,
        end_date=locked.end_date,
        kpis=cleaned["kpis"],
        justification=cleaned["rationale"],
        time_to_award=_time_to_award(started, now),
    )
    locked.status = FurtherCompetition.Status.AWARDED
    locked.rationale = cleaned["rationale"]
    locked.unsuccessful_feedback = extra
    locked.contract = contract
    locked.awarded_at = now
    locked.save()
    for other in locked.invitations.select_related("supplier").prefetch_related("response"):
        if other.pk == invitation.pk:
            other.outcome = CompetitionInvitation.Outcome.SUCCESSFUL
            other.feedback = (
                f"Your response was successful, with a weighted score of {_scores_text(chosen)}."
            )
        else:
            other.outcome = CompetitionInvitation.Outcome.UNSUCCESSFUL
            other.feedback = _unsuccessful_feedback(other, chosen, extra)
        other.save(update_fields=["outcome", "feedback"])
    audit_record(
        actor=actor,
        action="competition.awarded",
        obj=locked,
        detail={
            "contract": contract.pk,
            "supplier": invitation.supplier_id,
            "score": str(chosen.weighted_score),
        },
    )
    _email_suppliers(locked, "outcome")
    competition.status, competition.contract = locked.status, contract
    return contract


# --- award emails (sent by buying.tasks after the transaction commits) ---


def _supplier_recipients(organisation: Organisation) -> list[str]:
    admins = list(
        organisation.memberships.filter(role="admin").values_list("user__email", flat=True)
    )
    return admins or list(organisation.memberships.values_list("user__email", flat=True))


def _send(subject: str, template: str, context: dict, recipients: list[str]) -> None:
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    if not recipients:
        return
    context = {**context, "site_url": getattr(settings, "SITE_URL", "").rstrip("/")}
    send_mail(subject, render_to_string(template, context), None, recipients)


def competition_email_send(*, invitation_id: int, kind: str) -> None:
    """Email one invited supplier: its invitation ("invited") or the outcome ("outcome")."""
    invitation = CompetitionInvitation.objects.select_related(
        "supplier", "competition__organisation"
    ).get(pk=invitation_id)
    competition = invitation.competition
    context = {
        "competition": competition,
        "invitation": invitation,
        "deadline": _deadline_text(competition.deadline),
    }
    if kind == "invited":
        if competition.status != FurtherCompetition.Status.OPEN:
            return
        subject = f"Invitation to a further competition: {competition.title}"
        template = "buying/awards/email/invitation.txt"
    else:
        subjects = {
            CompetitionInvitation.Outcome.SUCCESSFUL: "Your response was successful",
            CompetitionInvitation.Outcome.UNSUCCESSFUL: "Your response was not successful",
            CompetitionInvitation.Outcome.CANCELLED: "Competition cancelled",
        }
        if invitation.outcome not in subjects:
            return
        subject = f"{subjects[invitation.outcome]}: {competition.title}"
        template = "buying/awards/email/outcome.txt"
    _send(subject, template, context, _supplier_recipients(invitation.supplier))


def clarification_email_send(*, question_id: int, invitation_id: int) -> None:
    question = ClarificationQuestion.objects.select_related("competition").get(pk=question_id)
    invitation = CompetitionInvitation.objects.select_related("supplier").get(pk=invitation_id)
    _send(
        f"A clarification has been published: {question.competition.title}",
        "buying/awards/email/clarification.txt",
        {"competition": question.competition, "invitation": invitation, "question": question},
        _supplier_recipients(invitation.supplier),
    )


_QUIET = contextvars.ContextVar("buying_awards_quiet", default=False)


@contextmanager
def award_emails_off():
    """Queue no award emails inside this block (for demo data, which nobody should receive)."""
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


def _email_suppliers(competition: FurtherCompetition, kind: str) -> None:
    from .tasks import send_competition_email

    if _QUIET.get():
        return
    for pk in competition.invitations.values_list("pk", flat=True):
        enqueue_on_commit(send_competition_email, pk, kind)
