"""Demo data for the buying playbook: the guidance pages, contracts that other buyers made (so
that several offers show what others paid), and one cluster of similar requirements from three
councils, ready to pool.

The content is data in this folder: buyers.json (buyer organisations that have no demo login),
price_spreads.json (which offers, at what fraction of the national price) and cluster.json. The
contracts are made by `contracts.services.contract_create`, as an award would. Seeding is keyed
on each (offer, buyer) and each requirement's title, so running it twice changes nothing.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.utils import timezone

from buying.models import CompetitionResponse, FurtherCompetition, Requirement
from buying.services.criteria import contract_record_social_value, themes_text
from catalogue.models import Lot, Offer, VolumeTier
from catalogue.volume_pricing import revision_tiers_set
from contracts.models import Contract
from contracts.prices import offer_price_spread
from contracts.services import contract_create
from ndx.accounts.models import Organisation

from ..content import install_missing
from ..models import GuidancePage, GuidanceVersion

DATA = Path(__file__).parent


def _load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


BUYERS = _load("buyers.json")["buyers"]
SPREADS = _load("price_spreads.json")["offers"]
CLUSTER = _load("cluster.json")
TIERS = _load("volume_tiers.json")["offers"]
SOCIAL_VALUE = _load("social_value.json")["competitions"]


def _buyers() -> list[Organisation]:
    organisations = []
    for row in BUYERS:
        organisation, _ = Organisation.objects.get_or_create(
            name=row["name"],
            kind=Organisation.Kind.BUYER,
            defaults={"buyer_type": row["buyer_type"]},
        )
        organisations.append(organisation)
    return organisations


def _lot(reference_slug: list[str]) -> Lot | None:
    reference, slug = reference_slug
    return Lot.objects.filter(framework__reference=reference, slug=slug).first()


def _offer(spec: dict) -> Offer | None:
    lot = _lot(spec["lot"])
    if lot is None:
        return None
    offers = (
        Offer.objects.buyable()
        .filter(lot=lot, published_revision__price__isnull=False)
        .filter(published_revision__title__icontains=spec["keyword"])
        .select_related("published_revision", "supplier")
        .order_by("external_id", "pk")
    )
    if spec["supplier"]:
        offers = offers.filter(supplier__name=spec["supplier"])
    return offers.first()


def _pence(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _seed_spreads(buyers: list[Organisation], now) -> tuple[int, list[str]]:
    created, shown = 0, []
    for number, spec in enumerate(SPREADS):
        offer = _offer(spec)
        if offer is None:
            continue
        revision = offer.published_revision
        quantity = Decimal(spec["quantity"])
        for index, (buyer, fraction) in enumerate(zip(buyers, spec["prices"], strict=False)):
            if Contract.objects.filter(offer=offer, organisation=buyer).exists():
                continue
            unit_price = _pence(revision.price * Decimal(fraction))
            awarded = now - timedelta(days=20 + 37 * index + 11 * number)
            start = awarded.date() + timedelta(days=14)
            contract_create(
                actor=None,
                now=awarded,
                organisation=buyer,
                supplier=offer.supplier,
                offer=offer,
                revision=revision,
                route=Contract.Route.DIRECT_AWARD,
                title=f"{revision.title} for {buyer.name}",
                quantity=quantity,
                unit_price=unit_price,
                list_price=revision.list_price,
                national_price=revision.price,
                value=_pence(quantity * unit_price),
                start_date=start,
                end_date=start + timedelta(days=730),
                kpis=["99.5% availability each month"],
                justification="Direct award at or below the national price (demo data).",
                time_to_award=timedelta(days=6 + 5 * index, hours=3 * number),
            )
            created += 1
        if offer_price_spread(offer).shown:
            shown.append(revision.title)
    return created, shown


def _seed_cluster(now) -> int:
    lot = _lot(CLUSTER["lot"])
    created = 0
    for row in CLUSTER["requirements"]:
        buyer = Organisation.objects.get(name=row["buyer"], kind=Organisation.Kind.BUYER)
        if Requirement.objects.filter(organisation=buyer, title=row["title"]).exists():
            continue
        moment = now - timedelta(days=row["days_ago"])
        requirement = Requirement.objects.create(
            organisation=buyer,
            status=Requirement.Status.SUBMITTED,
            title=row["title"],
            problem=row["problem"],
            users_description="Housing officers, repairs operatives and tenants",
            user_count=row["user_count"],
            budget_max=Decimal(row["budget_max"]),
            must_haves=row["must_haves"],
            timescale=Requirement.Timescale.THREE_MONTHS,
            framework=lot.framework if lot else None,
            lot=lot,
        )
        Requirement.objects.filter(pk=requirement.pk).update(
            created_at=moment, updated_at=moment, submitted_at=moment + timedelta(hours=1)
        )
        created += 1
    return created


def _seed_tiers() -> int:
    created = 0
    for spec in TIERS:
        lot = _lot(spec["lot"])
        offers = Offer.objects.buyable().filter(
            lot=lot,
            published_revision__price__isnull=False,
            published_revision__title__icontains=spec["keyword"],
        )
        for offer in offers.select_related("published_revision"):
            revision = offer.published_revision
            if VolumeTier.objects.filter(revision=revision).exists():
                continue
            tiers = [(start, _pence(revision.price * Decimal(f))) for start, f in spec["tiers"]]
            revision_tiers_set(actor=None, revision=revision, tiers=tiers, published_ok=True)
            created += 1
    return created


def _seed_social_value() -> int:
    """The demo competitions were made by buying's demo section before themes existed there:
    give them their model criteria, the responses their theme scores, and the awarded
    contracts their social value (as the award would have)."""
    done = 0
    for spec in SOCIAL_VALUE:
        for competition in FurtherCompetition.objects.filter(title=spec["title"]):
            if competition.social_value_themes:
                continue
            competition.social_value_themes = spec["themes"]
            competition.social_value_criteria = themes_text(spec["themes"])
            competition.save(update_fields=["social_value_themes", "social_value_criteria"])
            responses = CompetitionResponse.objects.filter(
                invitation__competition=competition
            ).order_by("unit_price", "pk")
            for response, scores in zip(responses, spec["scores"], strict=False):
                response.social_value_theme_scores = dict(zip(spec["themes"], scores, strict=True))
                response.save(update_fields=["social_value_theme_scores"])
            if competition.contract_id:
                contract_record_social_value(contract=competition.contract, competition=competition)
            done += 1
    return done


def seed(out, context: dict) -> dict:
    now = timezone.now()
    pages = install_missing(GuidancePage, GuidanceVersion)
    buyers = _buyers()
    contracts, shown = _seed_spreads(buyers, now)
    requirements = _seed_cluster(now)
    tiered = _seed_tiers()
    social = _seed_social_value()
    out.write(
        f"guidance: {GuidancePage.objects.count()} playbook pages ({pages} new), {contracts} "
        f"contracts by other buyers, price spreads on {len(shown)} offers, "
        f"{requirements} new requirements in the pooling cluster, volume tiers on {tiered} "
        f"more offers, model social value criteria on {social} more competitions\n"
    )
    return {}


def describe() -> list[str]:
    return [
        "Buying playbook:",
        "  guidance pages at /guidance/ (staff edit them at /staff/guidance/)",
        "  offers such as Records management show what other buyers paid",
        "  three councils' housing repairs requirements form one cluster ready to pool",
    ]
