"""Contract changes under section 74 of the Procurement Act 2023. The buyer proposes a change
to the quantity or unit price (so the value), the end date or the scope, with a reason and the
legal ground, which this service checks:

- a below-threshold modification: the value up or down by at most 10% of the award value, all
  changes added up (goods and services), and no material change of scope;
- a change that is not substantial: the term changed by at most 10% of the maximum term (the
  awarded term plus the extension allowed), no material change of scope, and no change of value;
- a permitted modification of Schedule 8 (provided for in the contract, unforeseeable
  circumstances, additional goods or services): each change at most 50% of the award value.

A change of more than 10% of the award value records a contract change notice when it is
proposed and cannot take effect until 8 working days after it. The supplier accepts or rejects;
an accepted change makes a new contract version (versions are never overwritten)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ndx.accounts.models import User
from ndx.audit.services import audit_record

from ..dates import add_months, working_days_after
from ..models import Contract, ContractVariation, ContractVersion
from ..value import value_of
from .award import check_headroom
from .common import buyer_of, money, optional_text, required_text, supplier_of
from .outbox import email_queue

Ground = ContractVariation.Ground
BELOW_THRESHOLD_SHARE = Decimal("0.10")
TERM_SHARE = Decimal("0.10")
SCHEDULE_8_SHARE = Decimal("0.50")
NOTICE_SHARE = Decimal("0.10")
STANDSTILL_WORKING_DAYS = 8
SCHEDULE_8 = {Ground.PROVIDED_FOR, Ground.UNFORESEEABLE, Ground.ADDITIONAL}


def accepted_value_change(contract: Contract) -> Decimal:
    """The value changes of the accepted variations, added up (from the award value)."""
    return contract.value - contract.value_at_award


def max_term_days(contract: Contract) -> int:
    original_end = contract.original_end_date or contract.end_date
    latest = add_months(original_end, contract.max_extension_months)
    return (latest - contract.start_date).days


def check_ground(
    contract: Contract,
    *,
    ground: str,
    value_change: Decimal,
    term_change_days: int,
    material_scope_change: bool,
) -> None:
    """Refuse, naming the rule, a change that its ground does not allow."""
    award = contract.value_at_award
    if ground not in Ground.values:
        raise ValidationError({"ground": "Choose the legal ground for the change"})
    if ground == Ground.BELOW_THRESHOLD:
        total = accepted_value_change(contract) + value_change
        limit = (award * BELOW_THRESHOLD_SHARE).quantize(Decimal("0.01"))
        if material_scope_change:
            raise ValidationError(
                {
                    "ground": "A below-threshold modification cannot change the scope materially: "
                    "use a permitted modification under Schedule 8."
                }
            )
        if abs(total) > limit:
            raise ValidationError(
                {
                    "ground": f"A below-threshold modification may change the value by at most "
                    f"10% of the award value ({money(limit)}), all changes added up; with this one "
                    f"the changes add up to {money(abs(total))}."
                }
            )
    elif ground == Ground.NOT_SUBSTANTIAL:
        if material_scope_change:
            raise ValidationError(
                {
                    "ground": "A change that materially changes the scope is substantial, so it "
                    "is not allowed on this ground."
                }
            )
        if value_change:
            raise ValidationError(
                {
                    "ground": "A change on the ground that it is not substantial cannot change the "
                    "value: use the below-threshold ground or a permitted modification."
                }
            )
        limit_days = int(max_term_days(contract) * TERM_SHARE)
        if abs(term_change_days) > limit_days:
            raise ValidationError(
                {
                    "ground": f"A change that is not substantial may change the term by at most "
                    f"10% of the maximum term ({limit_days} days); this one changes it by "
                    f"{abs(term_change_days)} days."
                }
            )
    else:
        limit = (award * SCHEDULE_8_SHARE).quantize(Decimal("0.01"))
        if abs(value_change) > limit:
            raise ValidationError(
                {
                    "ground": f"A permitted modification under Schedule 8 may change the value by "
                    f"at most 50% of the award value ({money(limit)}); this one changes it by "
                    f"{money(abs(value_change))}."
                }
            )


def _amount(raw, field: str, name: str) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        amount = Decimal(str(raw).replace(",", "").replace("£", "").strip())
    except ArithmeticError:
        raise ValidationError({field: f"Enter the {name} as a number, like 12.50"}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field: f"The {name} must be more than 0"})
    if amount != amount.quantize(Decimal("0.01")) or amount >= Decimal("10000000000"):
        raise ValidationError({field: f"Enter the {name} with no more than 2 decimal places"})
    return amount


@transaction.atomic
def contract_variation_propose(
    *,
    actor: User,
    contract: Contract,
    ground,
    reason,
    new_quantity=None,
    new_unit_price=None,
    new_end_date: date | None = None,
    scope_change="",
    material_scope_change: bool = False,
    now: datetime | None = None,
) -> ContractVariation:
    buyer_of(actor, contract)
    now = now or timezone.now()
    today = timezone.localdate(now)
    contract = (
        Contract.objects.select_for_update()
        .select_related("offer__lot__framework")
        .get(pk=contract.pk)
    )
    if not contract.is_open:
        raise ValidationError(
            f"This contract is {contract.get_status_display().lower()}, so it cannot be changed."
        )
    if contract.variations.filter(status=ContractVariation.Status.PROPOSED).exists():
        raise ValidationError(
            "A change is already waiting for the supplier: withdraw it or wait for the "
            "supplier's answer before proposing another."
        )
    errors: dict = {}
    cleaned: dict = {}
    for field, name, raw in (
        ("new_quantity", "new quantity", new_quantity),
        ("new_unit_price", "new unit price", new_unit_price),
    ):
        try:
            cleaned[field] = _amount(raw, field, name)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        cleaned["reason"] = required_text(reason, "reason", "Enter the reason for the change")
        cleaned["scope_change"] = optional_text(scope_change, "scope_change")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if new_end_date is not None and new_end_date <= max(contract.start_date, today):
        errors["new_end_date"] = "The new end date must be in the future and after the start date"
    if errors:
        raise ValidationError(errors)
    quantity = cleaned["new_quantity"] or contract.quantity
    unit_price = cleaned["new_unit_price"] or contract.unit_price
    end_date = new_end_date or contract.end_date
    if (
        quantity == contract.quantity
        and unit_price == contract.unit_price
        and end_date == contract.end_date
        and not cleaned["scope_change"]
    ):
        raise ValidationError(
            "Enter at least one change: the quantity, unit price, end date or scope."
        )
    if contract.national_price is not None and unit_price > contract.national_price:
        raise ValidationError(
            {
                "new_unit_price": f"The unit price cannot go above the offer's national price of "
                f"{money(contract.national_price)}: a change may not make the contract dearer than "
                "the framework allows."
            }
        )
    new_value = value_of(unit_price, quantity)
    value_change = new_value - contract.value
    check_ground(
        contract,
        ground=str(ground or ""),
        value_change=value_change,
        term_change_days=(end_date - contract.end_date).days,
        material_scope_change=bool(material_scope_change),
    )
    if value_change > 0:
        check_headroom(contract.offer.lot.framework, value_change, today=today, what="This change")
    number = (contract.variations.aggregate(n=Max("number"))["n"] or 0) + 1
    variation = ContractVariation(
        contract=contract,
        number=number,
        ground=ground,
        new_value=new_value if new_value != contract.value else None,
        new_quantity=quantity if quantity != contract.quantity else None,
        new_unit_price=unit_price if unit_price != contract.unit_price else None,
        new_end_date=end_date if end_date != contract.end_date else None,
        scope_change=cleaned["scope_change"],
        material_scope_change=bool(material_scope_change),
        reason=cleaned["reason"],
        proposed_by=actor,
        proposed_at=now,
    )
    if abs(value_change) > contract.value_at_award * NOTICE_SHARE:
        variation.change_notice_at = now
        variation.standstill_ends_on = working_days_after(today, STANDSTILL_WORKING_DAYS)
    variation.save()
    audit_record(
        actor=actor,
        action="contract.variation_proposed",
        obj=contract,
        detail={
            "number": number,
            "ground": variation.ground,
            "value": str(new_value),
            "at": now.isoformat(),
        },
    )
    if variation.change_notice_at:
        audit_record(
            actor=actor,
            action="contract.change_notice",
            obj=contract,
            detail={
                "number": number,
                "standstill_ends_on": variation.standstill_ends_on.isoformat(),
                "at": now.isoformat(),
            },
        )
    email_queue("contracts.tasks.send_variation_email", variation.pk, "proposed")
    return variation


def _locked_variation(variation: ContractVariation) -> ContractVariation:
    return (
        ContractVariation.objects.select_for_update()
        .select_related("contract")
        .get(pk=variation.pk)
    )


@transaction.atomic
def contract_variation_accept(
    *, actor: User, variation: ContractVariation, comment="", now: datetime | None = None
) -> ContractVersion:
    """The supplier accepts: the change takes effect as a new contract version."""
    supplier_of(actor, variation.contract)
    now = now or timezone.now()
    locked = _locked_variation(variation)
    ContractVariation.LIFECYCLE.check(
        locked,
        "accept",
        message=f"This change is {locked.get_status_display().lower()}, so it cannot be accepted.",
    )
    if locked.standstill_ends_on and timezone.localdate(now) < locked.standstill_ends_on:
        raise ValidationError(
            f"This change is more than 10% of the award value, so it cannot take effect until "
            f"8 working days after its contract change notice: from "
            f"{locked.standstill_ends_on:%-d %B %Y}."
        )
    contract = Contract.objects.select_for_update().get(pk=locked.contract_id)
    if not contract.is_open:
        raise ValidationError(f"This contract is {contract.get_status_display().lower()}.")
    ContractVariation.LIFECYCLE.apply(locked, "accept")
    locked.responded_by, locked.responded_at = actor, now
    locked.supplier_comment = optional_text(comment, "comment")
    locked.save()
    if locked.new_quantity is not None:
        contract.quantity = locked.new_quantity
    if locked.new_unit_price is not None:
        contract.unit_price = locked.new_unit_price
    if locked.new_end_date is not None:
        contract.end_date = locked.new_end_date
    if locked.scope_change:
        contract.scope = (contract.scope + "\n\n" if contract.scope else "") + locked.scope_change
    contract.value = value_of(contract.unit_price, contract.quantity)
    contract.save(update_fields=["quantity", "unit_price", "end_date", "scope", "value"])
    number = (contract.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ContractVersion.objects.create(
        contract=contract,
        number=number,
        variation=locked,
        value=contract.value,
        quantity=contract.quantity,
        unit_price=contract.unit_price,
        end_date=contract.end_date,
        scope=contract.scope,
        created_at=now,
    )
    audit_record(
        actor=actor,
        action="contract.variation_accepted",
        obj=contract,
        organisation=contract.organisation,
        detail={
            "number": locked.number,
            "version": number,
            "value": str(contract.value),
            "at": now.isoformat(),
        },
    )
    email_queue("contracts.tasks.send_variation_email", locked.pk, "accepted")
    return version


@transaction.atomic
def contract_variation_reject(
    *, actor: User, variation: ContractVariation, comment, now: datetime | None = None
) -> ContractVariation:
    supplier_of(actor, variation.contract)
    locked = _locked_variation(variation)
    ContractVariation.LIFECYCLE.check(
        locked,
        "reject",
        message=f"This change is {locked.get_status_display().lower()}, so it cannot be rejected.",
    )
    text = required_text(comment, "comment", "Enter why you are rejecting the change")
    ContractVariation.LIFECYCLE.apply(locked, "reject")
    locked.responded_by, locked.responded_at = actor, now or timezone.now()
    locked.supplier_comment = text
    locked.save()
    audit_record(
        actor=actor,
        action="contract.variation_rejected",
        obj=locked.contract,
        organisation=locked.contract.organisation,
        detail={"number": locked.number},
    )
    email_queue("contracts.tasks.send_variation_email", locked.pk, "rejected")
    return locked


@transaction.atomic
def contract_variation_withdraw(*, actor: User, variation: ContractVariation) -> ContractVariation:
    buyer_of(actor, variation.contract)
    locked = _locked_variation(variation)
    ContractVariation.LIFECYCLE.apply(
        locked,
        "withdraw",
        message=f"This change is {locked.get_status_display().lower()}, so it cannot be withdrawn.",
    )
    locked.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="contract.variation_withdrawn",
        obj=locked.contract,
        detail={"number": locked.number},
    )
    return locked
