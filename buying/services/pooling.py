"""Demand pooled across buyers. Staff invite the organisations of a cluster of similar
requirements (found by matching) to a pool led by one buyer; each buyer joins with its own
quantity (or declines); the lead runs one further competition for the combined quantity; its
award makes one call-off contract per joining buyer at the pooled price.

The pooled price is the winning bid, or the offer's volume tier price for the combined quantity
if that is lower (catalogue.volume_pricing)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from catalogue.volume_pricing import revision_unit_price
from contracts.models import Contract
from contracts.services import contract_create
from ndx.accounts.models import User
from ndx.audit.services import audit_record

from ..models import CompetitionResponse, DemandPool, FurtherCompetition, PoolMember, Requirement
from .awards import competition_award
from .common import buyer_organisation
from .criteria import contract_record_social_value
from .terms import award_quantity, contract_value, time_to_award

MIN_ORGANISATIONS = 3  # a cluster, and so a pool, needs requirements from this many buyers
MIN_JOINED = 2  # a pooled competition needs at least the lead and one other buyer


def _staff(actor: User) -> None:
    if not (actor and actor.is_authenticated and actor.is_staff):
        raise PermissionDenied("Only platform staff can do this.")


def _lead(actor: User, pool: DemandPool) -> None:
    if buyer_organisation(actor).pk != pool.lead_id:
        raise PermissionDenied("Only the lead buyer can do this.")


def pool_total(pool: DemandPool) -> Decimal:
    return sum(
        (m.quantity for m in pool.members.filter(status=PoolMember.Status.JOINED)), Decimal(0)
    )


@transaction.atomic
def pool_create(
    *, actor: User, requirements: list[Requirement], lead: Requirement, title: str = ""
) -> DemandPool:
    """A pool of these requirements' organisations, led by `lead`'s organisation."""
    _staff(actor)
    requirements = [r for r in requirements if r.status == Requirement.Status.SUBMITTED]
    organisations = {r.organisation_id for r in requirements}
    if len(organisations) < MIN_ORGANISATIONS:
        raise ValidationError(
            f"A pool needs submitted requirements from at least {MIN_ORGANISATIONS} buyer "
            "organisations."
        )
    if lead.pk not in {r.pk for r in requirements}:
        raise ValidationError({"lead": "Choose the lead buyer from the requirements in the pool"})
    if lead.lot_id is None:
        raise ValidationError({"lead": "The lead buyer's requirement must name a lot"})
    taken = PoolMember.objects.filter(
        requirement__in=requirements,
        pool__status__in=[DemandPool.Status.INVITING, DemandPool.Status.COMPETING],
    )
    if taken.exists():
        raise ValidationError("Some of these requirements are already in a pool.")
    pool = DemandPool.objects.create(
        # Not the lead's requirement title: every buyer in the pool sees the pool's title.
        title=(title or f"Pooled buying on {lead.lot.name}")[:150],
        lot=lead.lot,
        lead=lead.organisation,
        created_by=actor,
    )
    seen = set()
    for requirement in sorted(requirements, key=lambda r: r.pk != lead.pk):
        if requirement.organisation_id in seen:
            continue
        seen.add(requirement.organisation_id)
        PoolMember.objects.create(
            pool=pool, organisation=requirement.organisation, requirement=requirement
        )
    audit_record(
        actor=actor,
        action="pool.created",
        obj=pool,
        organisation=lead.organisation,
        detail={"requirements": sorted(r.pk for r in requirements), "lead": lead.pk},
    )
    return pool


def _own_member(actor: User, member: PoolMember) -> PoolMember:
    if buyer_organisation(actor).pk != member.organisation_id:
        raise PermissionDenied("This belongs to another organisation.")
    locked = PoolMember.objects.select_for_update().select_related("pool").get(pk=member.pk)
    if not locked.pool.is_inviting:
        raise ValidationError("The pool's competition has started, so this can no longer change.")
    return locked


@transaction.atomic
def pool_member_join(*, actor: User, member: PoolMember, quantity) -> PoolMember:
    """Join the pool with your own quantity (again, to change it)."""
    locked = _own_member(actor, member)
    amount = award_quantity(quantity)
    PoolMember.LIFECYCLE.apply(locked, "join")
    locked.quantity, locked.confirmed_at = amount, timezone.now()
    locked.save(update_fields=["status", "quantity", "confirmed_at"])
    audit_record(
        actor=actor, action="pool.joined", obj=locked.pool, detail={"quantity": str(amount)}
    )
    return locked


@transaction.atomic
def pool_member_decline(*, actor: User, member: PoolMember) -> PoolMember:
    locked = _own_member(actor, member)
    if locked.pool.lead_id == locked.organisation_id:
        raise ValidationError("The lead buyer cannot leave its own pool; staff can cancel it.")
    PoolMember.LIFECYCLE.apply(locked, "decline")
    locked.quantity, locked.confirmed_at = None, timezone.now()
    locked.save(update_fields=["status", "quantity", "confirmed_at"])
    audit_record(actor=actor, action="pool.declined", obj=locked.pool)
    return locked


@transaction.atomic
def pool_competition_start(
    *, actor: User, pool: DemandPool, competition: FurtherCompetition
) -> DemandPool:
    """Link the lead's draft further competition and set its quantity to the pool's total."""
    _lead(actor, pool)
    locked = DemandPool.objects.select_for_update().get(pk=pool.pk)
    DemandPool.LIFECYCLE.check(locked, "start_competition")
    if competition.organisation_id != locked.lead_id or not competition.LIFECYCLE.can(
        competition, "publish"
    ):
        raise ValidationError({"competition": "Choose one of your draft further competitions"})
    if competition.lot_id != locked.lot_id:
        raise ValidationError({"competition": f"The competition must be on {locked.lot}"})
    joined = list(locked.members.filter(status=PoolMember.Status.JOINED))
    if len(joined) < MIN_JOINED or locked.lead_id not in {m.organisation_id for m in joined}:
        raise ValidationError(
            f"At least {MIN_JOINED} buyers, the lead among them, must join before the "
            "competition starts."
        )
    competition.quantity = sum((m.quantity for m in joined), Decimal(0))
    competition.save(update_fields=["quantity"])
    locked.members.filter(status=PoolMember.Status.INVITED).update(
        status=PoolMember.Status.DECLINED
    )
    DemandPool.LIFECYCLE.apply(locked, "start_competition")
    locked.competition = competition
    locked.save(update_fields=["status", "competition"])
    audit_record(
        actor=actor,
        action="pool.competition_started",
        obj=locked,
        detail={"competition": competition.pk, "quantity": str(competition.quantity)},
    )
    return locked


@transaction.atomic
def pool_award(
    *,
    actor: User,
    pool: DemandPool,
    response: CompetitionResponse,
    rationale: str,
    kpis,
    unsuccessful_feedback: str = "",
    now: datetime | None = None,
) -> list[Contract]:
    """Award the pool's competition (as any further competition), then give each joining buyer
    its own call-off contract for its quantity at the pooled price."""
    now = now or timezone.now()
    _lead(actor, pool)
    locked = DemandPool.objects.select_for_update().get(pk=pool.pk)
    DemandPool.LIFECYCLE.check(locked, "award")
    award = competition_award(
        actor=actor,
        competition=locked.competition,
        response=response,
        rationale=rationale,
        kpis=kpis,
        unsuccessful_feedback=unsuccessful_feedback,
        now=now,
    )
    total = award.quantity
    tier_price = revision_unit_price(award.revision, total)
    price = min(p for p in (award.unit_price, tier_price) if p is not None)
    members = list(
        locked.members.filter(status=PoolMember.Status.JOINED).select_related("requirement")
    )
    contracts = []
    for member in members:
        quantity = member.quantity
        if member.organisation_id == locked.lead_id:
            # The competition's award is the lead's contract: its own share at the pooled price.
            Contract.objects.filter(pk=award.pk).update(
                quantity=quantity, unit_price=price, value=contract_value(price, quantity)
            )
            contract = Contract.objects.get(pk=award.pk)
        else:
            started = member.requirement.created_at if member.requirement else locked.created_at
            contract = contract_create(
                actor=actor,
                now=now,
                organisation=member.organisation,
                supplier=award.supplier,
                offer=award.offer,
                revision=award.revision,
                route=Contract.Route.FURTHER_COMPETITION,
                requirement=member.requirement,
                title=f"{award.title} (pooled)"[:200],
                quantity=quantity,
                unit_price=price,
                list_price=award.list_price,
                national_price=award.national_price,
                value=contract_value(price, quantity),
                start_date=award.start_date,
                end_date=award.end_date,
                kpis=award.kpis,
                justification=award.justification,
                time_to_award=time_to_award(started, now),
            )
        member.contract = contract
        member.save(update_fields=["contract"])
        contracts.append(contract)
    DemandPool.LIFECYCLE.apply(locked, "award")
    locked.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="pool.awarded",
        obj=locked,
        detail={
            "unit_price": str(price),
            "quantity": str(total),
            "contracts": [c.pk for c in contracts],
        },
    )
    return contracts


@transaction.atomic
def pool_cancel(*, actor: User, pool: DemandPool) -> DemandPool:
    _staff(actor)
    locked = DemandPool.objects.select_for_update().get(pk=pool.pk)
    DemandPool.LIFECYCLE.apply(locked, "cancel")
    locked.save(update_fields=["status"])
    audit_record(actor=actor, action="pool.cancelled", obj=locked)
    return locked


@transaction.atomic
def competition_award_any(*, actor: User, competition: FurtherCompetition, **terms) -> Contract:
    """Award a further competition: a pooled one through pool_award (a contract per buyer),
    any other as usual. Returns the awarding buyer's own contract."""
    pool = DemandPool.objects.filter(competition=competition).first()
    if pool is None:
        contracts = [competition_award(actor=actor, competition=competition, **terms)]
    else:
        contracts = pool_award(actor=actor, pool=pool, **terms)
    for contract in contracts:
        contract_record_social_value(contract=contract, competition=competition)
    if pool is None:
        return contracts[0]
    return next(c for c in contracts if c.organisation_id == pool.lead_id)
