"""Demo market: 32 more buyer organisations (8 councils, 8 NHS trusts, 8 schools and 8
departments), each awarding two contracts over the last two years through the direct award
service, spread across the lots' suppliers, so the reports show several periods and shares a
reader would believe. Runs after buying's demo (30) and before reviews' (50), which reviews
the contracts that have started.

The content is data (market.json): the organisations and the kinds of award; the code only
spreads them over time and suppliers and calls the services. Keyed on each organisation and
requirement title, so running it twice changes nothing. No emails are sent."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from allauth.account.models import EmailAddress
from django.utils import timezone

from buying.demo import DirectAward, _add_months, _buyable, _pence, _requirement, _shortlist
from buying.models import Requirement
from buying.services import awards as award_services
from buying.services import emails as award_emails
from catalogue.models import Lot
from contracts.models import Contract
from ndx.accounts.demo import DEMO_PASSWORD
from ndx.accounts.models import Membership, Organisation, User

DATA = json.loads((Path(__file__).parent / "market.json").read_text(encoding="utf-8"))


def _buyer(row: dict) -> User:
    organisation, _ = Organisation.objects.get_or_create(
        name=row["name"], kind=Organisation.Kind.BUYER, defaults={"buyer_type": row["buyer_type"]}
    )
    user, created = User.objects.get_or_create(
        email=row["email"], defaults={"full_name": f"{row['full_name']}, {row['name']}"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.get_or_create(
        user=user, email=row["email"], defaults={"verified": True, "primary": True}
    )
    Membership.objects.get_or_create(
        user=user, defaults={"organisation": organisation, "role": Membership.Role.ADMIN}
    )
    return User.objects.select_related("membership__organisation").get(pk=user.pk)


def _award(spec: DirectAward, buyer: User, lot: Lot, turn: int, now) -> bool:
    offers = list(_buyable(lot))
    if not offers:
        return False
    offer = offers[turn % len(offers)]  # spread the awards over the lot's suppliers
    awarded = now - timedelta(days=spec.awarded_days_ago)
    created = awarded - timedelta(days=spec.requirement_days)
    requirement = _requirement(buyer, spec.title, spec.problem, lot, created)
    others = [o for o in offers if o.supplier_id != offer.supplier_id][turn % 7 :][:2]
    shortlist = _shortlist(buyer, requirement, [offer, *others], awarded - timedelta(days=5))
    item = shortlist.items.get(offer=offer)
    start = timezone.localdate(awarded) + timedelta(days=14)
    unit_price = _pence(item.price * (1 - spec.discount))
    quantity = max(Decimal("1"), (spec.budget / unit_price).quantize(Decimal("1")))
    award_services.direct_award_create(
        actor=buyer,
        shortlist_item=item,
        justification=spec.justification,
        quantity=quantity,
        unit_price=unit_price,
        start_date=start,
        end_date=_add_months(start, spec.months) - timedelta(days=1),
        kpis=spec.kpis,
        now=awarded,
    )
    return True


def seed(out, context: dict) -> dict:
    now = timezone.now()
    lots = {
        (lot.framework.reference, lot.slug): lot for lot in Lot.objects.select_related("framework")
    }
    kinds = DATA["awards"]
    per, spread = DATA["awards_per_organisation"], DATA["days_spread"]
    total = len(DATA["organisations"]) * per
    created = 0
    with award_emails.award_emails_off():
        for index, row in enumerate(DATA["organisations"]):
            buyer = _buyer(row)
            for j in range(per):
                turn = index * per + j
                kind = kinds[turn % len(kinds)]
                if Requirement.objects.filter(
                    organisation=buyer.organisation, title=kind["title"], contracts__isnull=False
                ).exists():
                    continue
                lot = lots.get(tuple(kind["lot"]))
                if lot is None:
                    continue
                spec = DirectAward(
                    buyer=buyer.email,
                    title=kind["title"],
                    problem=kind["problem"],
                    lot=tuple(kind["lot"]),
                    keyword="",
                    supplier=None,
                    budget=Decimal(kind["budget"]) * (1 + Decimal(turn % 5) / 4),
                    discount=Decimal(kind["discount"]),
                    months=kind["months"],
                    # Evenly over the last two years, newest first, none in the last fortnight.
                    awarded_days_ago=15 + (spread * (total - 1 - turn)) // total,
                    requirement_days=20 + (turn * 7) % 50,
                    kpis=kind["kpis"],
                    justification=kind["justification"],
                )
                created += _award(spec, buyer, lot, turn, now)
    out.write(
        f"demo market: {Contract.objects.count()} contracts in all ({created} new) from "
        f"{Organisation.objects.filter(kind='buyer', contracts__isnull=False).distinct().count()}"
        " buyer organisations\n"
    )
    return {}


def describe() -> list[str]:
    return [
        "Demo market:",
        "  32 more buyer organisations (councils, NHS trusts, schools, departments) with two",
        "  contracts each over the last two years; each has a user, buyer@<organisation>.<domain>",
    ]
