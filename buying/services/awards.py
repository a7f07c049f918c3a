"""Awards: a direct award (from a frozen shortlist item or a single offer) and the award of a
further competition. Both end in a contract (contracts.services.contract_create) at the exact
offer revision chosen, and mark the shortlist as awarded."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from catalogue.models import Offer
from contracts.dates import months_between
from contracts.models import Contract
from contracts.services import contract_create
from contracts.services.award import check_framework_open
from contracts.value import estimate_warning, requirement_estimate
from ndx.accounts.models import User
from ndx.audit.services import audit_record

from ..models import (
    CompetitionInvitation,
    CompetitionResponse,
    FurtherCompetition,
    Requirement,
    Shortlist,
    ShortlistItem,
)
from .common import buyer_organisation, deadline_text, own_organisation
from .emails import competition_emails_queue
from .terms import (
    MAX_AWARD_TEXT,
    award_baseline,
    award_extension,
    award_quantity,
    award_term,
    award_text,
    award_unit_price,
    award_units,
    check_kpis,
    check_price,
    clean_kpis,
    clean_outcomes,
    contract_value,
    money_text,
    quantity_from_units,
    still_buyable,
    time_to_award,
    usable_shortlist,
    value_working,
)


def _shortlist_mark_awarded(actor: User, shortlist: Shortlist, contract: Contract, now) -> None:
    locked = Shortlist.objects.select_for_update().get(pk=shortlist.pk)
    if not Shortlist.OUTCOME_LIFECYCLE.can(locked, "award"):
        return  # an earlier award (or the buyer) recorded the outcome already
    Shortlist.OUTCOME_LIFECYCLE.apply(locked, "award")
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
    units=None,
    max_extension_months=0,
    baseline_unit_price=None,
    outcomes=None,
    now: datetime | None = None,
) -> Contract:
    """Award a contract directly, from a frozen shortlist item or a single buyable offer.

    Give `units` (users, licences, days or units, as the offer's pricing model counts them) and
    the quantity is worked out from the pricing model and the term (users x months for a
    per-user-per-month price); `quantity` is for callers that already know it."""
    now = now or timezone.now()
    organisation = buyer_organisation(actor)
    if (shortlist_item is None) == (offer is None):
        raise ValidationError("Choose one offer to award.")
    if shortlist_item is not None:
        shortlist_item = ShortlistItem.objects.select_related(
            "shortlist__requirement", "offer__lot__framework", "offer__supplier", "revision"
        ).get(pk=shortlist_item.pk)
        usable_shortlist(actor, shortlist_item.shortlist)
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
    check_framework_open(lot.framework, timezone.localdate(now))
    still_buyable(terms["offer"], supplier.name)
    if terms["national_price"] is None:
        raise ValidationError(
            "This offer has no national price, so it cannot be awarded directly. "
            "Run a further competition instead."
        )
    errors, cleaned = {}, {}
    cleaners = {
        "quantity": lambda: award_quantity(quantity) if units in (None, "") else None,
        "units": lambda: award_units(units, terms["revision"].pricing_model),
        "max_extension_months": lambda: award_extension(max_extension_months),
        "baseline_unit_price": lambda: award_baseline(baseline_unit_price),
        "unit_price": lambda: award_unit_price(unit_price),
        "term": lambda: award_term(start_date, end_date, timezone.localdate(now)),
        "kpis": lambda: clean_kpis(kpis),
        "justification": lambda: award_text(
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
            check_price(cleaned["unit_price"], terms["national_price"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if cleaned.get("quantity") is None:
        cleaned.pop("quantity", None)
    if cleaned.get("units") is not None and "term" in cleaned:
        cleaned["quantity"] = quantity_from_units(
            terms["revision"].pricing_model, cleaned["units"], *cleaned["term"]
        )
    if "quantity" in cleaned and "unit_price" in cleaned and "unit_price" not in errors:
        try:
            cleaned["value"] = contract_value(cleaned["unit_price"], cleaned["quantity"])
            if "kpis" in cleaned:
                check_kpis(cleaned["kpis"], cleaned["value"])
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
        time_to_award=time_to_award(started, now),
        units=cleaned["units"],
        term_months=months_between(start, end),
        max_extension_months=cleaned["max_extension_months"],
        baseline_unit_price=cleaned["baseline_unit_price"],
        outcomes=clean_outcomes(outcomes),
    )


def direct_award_estimate(
    *, terms: dict, units, quantity, unit_price, start_date, end_date, requirement=None
) -> dict:
    """What the award would be worth, before it is made (the "Calculate" step): the quantity
    and value from the pricing model, and a warning when the value is more than 25% away from
    the requirement's budget. Raises ValidationError (by field) when it cannot be worked out."""
    errors, cleaned = {}, {}
    revision = terms["revision"]
    for key, clean in (
        ("unit_price", lambda: award_unit_price(unit_price)),
        ("units", lambda: award_units(units, revision.pricing_model)),
        ("term", lambda: award_term(start_date, end_date, date.min)),
    ):
        try:
            cleaned[key] = clean()
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if cleaned.get("units") is None and "units" in cleaned and not errors:
        try:
            cleaned["quantity"] = award_quantity(quantity)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    start, end = cleaned["term"]
    months = months_between(start, end)
    if cleaned.get("units") is not None:
        cleaned["quantity"] = quantity_from_units(
            revision.pricing_model, cleaned["units"], start, end
        )
    value = contract_value(cleaned["unit_price"], cleaned["quantity"])
    requirement = requirement or terms.get("requirement")
    estimate, what = requirement_estimate(requirement, months)
    return {
        "quantity": cleaned["quantity"],
        "units": cleaned.get("units"),
        "months": months,
        "unit_price": cleaned["unit_price"],
        "value": value,
        "warning": estimate_warning(value, estimate, what),
        "working": value_working(
            revision, cleaned.get("units"), months, cleaned["unit_price"], value
        ),
    }


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
        f"weighted score of {_scores_text(winner)} at {money_text(winner.unit_price)} a unit.",
    ]
    for response in ranking[1:]:
        lines.append(
            f"{response.invitation.supplier.name} scored {_scores_text(response)} at "
            f"{money_text(response.unit_price)} a unit."
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
    own_organisation(actor, competition)
    locked = FurtherCompetition.objects.select_for_update().get(pk=competition.pk)
    FurtherCompetition.LIFECYCLE.check(
        locked,
        "award",
        message=f"This competition is {locked.get_status_display().lower()}, so it cannot be "
        "awarded.",
    )
    if not locked.is_past_deadline(now):
        raise ValidationError(
            f"You can award once the deadline has passed ({deadline_text(locked.deadline)})."
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
            lambda: award_text(rationale, "rationale", "Enter the rationale for the award"),
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
    value = contract_value(chosen.unit_price, locked.quantity)
    if "kpis" in cleaned:
        try:
            check_kpis(cleaned["kpis"], value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    check_price(chosen.unit_price, invitation.national_price, "response")
    check_framework_open(invitation.offer.lot.framework, timezone.localdate(now))
    still_buyable(invitation.offer, invitation.supplier.name)
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
        time_to_award=time_to_award(started, now),
    )
    FurtherCompetition.LIFECYCLE.apply(locked, "award")
    locked.rationale = cleaned["rationale"]
    locked.unsuccessful_feedback = extra
    locked.contract = contract
    locked.awarded_at = now
    locked.save()
    for other in locked.invitations.select_related("supplier").prefetch_related("response"):
        if other.pk == invitation.pk:
            CompetitionInvitation.LIFECYCLE.apply(other, "succeed")
            other.feedback = (
                f"Your response was successful, with a weighted score of {_scores_text(chosen)}."
            )
        else:
            CompetitionInvitation.LIFECYCLE.apply(other, "fail")
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
    competition_emails_queue(locked, "outcome")
    competition.status, competition.contract = locked.status, contract
    return contract
