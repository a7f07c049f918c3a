"""Demand pooled across buyers: staff pool three requirements, each buyer confirms its own
quantity, the lead's further competition ends in one contract per buyer at one price; and no
buyer sees another buyer's requirement through a cluster or a pool."""

from decimal import Decimal

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from buying.models import DemandPool, FurtherCompetition, PoolMember, Requirement
from buying.services import pooling
from catalogue.volume_pricing import revision_tiers_set
from contracts.models import Contract
from tests.accounts.factories import BuyerOrganisationFactory, StaffFactory, member
from tests.auth import Client
from tests.catalogue.factories import make_offer

from .award_helpers import CompetitionSetup

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("valid_html")]


def _requirement(buyer, lot, title, users):
    return Requirement.objects.create(
        organisation=buyer.organisation,
        created_by=buyer,
        status=Requirement.Status.SUBMITTED,
        title=title,
        problem="Housing repairs are booked by phone; we need online booking and scheduling.",
        users_description="Repairs staff",
        user_count=users,
        lot=lot,
        framework=lot.framework,
    )


@pytest.fixture
def world():
    setup = CompetitionSetup()
    staff = StaffFactory()
    TOTP.activate(staff, "JBSWY3DPEHPK3PXP")
    others = [member(BuyerOrganisationFactory(name=n)) for n in ("Kirklees", "Sheffield")]
    buyers = [setup.buyer, *others]
    requirements = [
        _requirement(b, setup.lot, f"Housing repairs {i}", 100 * (i + 1))
        for i, b in enumerate(buyers)
    ]
    return setup, staff, buyers, requirements


def _pool(world):
    setup, staff, buyers, requirements = world
    return pooling.pool_create(actor=staff, requirements=requirements, lead=requirements[0])


def test_three_requirements_end_in_three_contracts_at_one_price(world):
    setup, staff, buyers, requirements = world
    # The winning offer has a volume tier below its bid for the combined quantity.
    revision_tiers_set(
        actor=None,
        revision=setup.offers[0].published_revision,
        tiers=[(500, Decimal("9.20"))],
        published_ok=True,
    )
    pool = _pool(world)
    assert pool.members.count() == 3 and pool.lead == buyers[0].organisation
    for buyer, quantity in zip(buyers, ["100", "250", "300"], strict=True):
        client = Client()
        client.force_login(buyer)
        response = client.post(reverse("buying:pool_join", args=[pool.pk]), {"quantity": quantity})
        assert response.status_code == 302
    assert pooling.pool_total(pool) == Decimal("650")
    competition = setup.create()
    lead = Client()
    lead.force_login(buyers[0])
    response = lead.post(
        reverse("buying:pool_start", args=[pool.pk]), {"competition": competition.pk}
    )
    assert response.status_code == 302
    competition.refresh_from_db()
    assert competition.quantity == Decimal("650")
    from buying.services import competitions as competition_services

    competition = competition_services.competition_publish(
        actor=setup.buyer, competition=competition
    )
    responses = [
        setup.respond(competition, 0, price="9.50"),
        setup.respond(competition, 1, price="8.90"),
        setup.respond(competition, 2, price="10.00"),
    ]
    setup.close(competition)
    setup.score(responses[0], quality=80, price=100, social_value=70)
    setup.score(responses[1], quality=60, price=90, social_value=60)
    setup.score(responses[2], quality=50, price=85, social_value=50)
    page = lead.get(reverse("buying:competition_award", args=[competition.pk]))
    assert page.status_code == 200
    response = lead.post(
        reverse("buying:competition_award", args=[competition.pk]),
        {
            "response": str(responses[0].pk),
            "rationale": "Best value for the three councils.",
            "kpis": "Repairs booked online",
            "unsuccessful_feedback": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    contracts = list(Contract.objects.order_by("organisation__name"))
    assert len(contracts) == 3
    assert {c.organisation for c in contracts} == {b.organisation for b in buyers}
    assert {c.unit_price for c in contracts} == {Decimal("9.20")}  # the tier beats the bid
    assert {c.organisation_id: c.quantity for c in contracts} == {
        buyers[0].organisation.pk: Decimal("100"),
        buyers[1].organisation.pk: Decimal("250"),
        buyers[2].organisation.pk: Decimal("300"),
    }
    assert all(c.value == c.quantity * Decimal("9.20") for c in contracts)
    pool.refresh_from_db()
    assert pool.status == DemandPool.Status.AWARDED
    competition.refresh_from_db()
    assert competition.status == FurtherCompetition.Status.AWARDED


def test_a_pool_needs_three_organisations(world):
    setup, staff, buyers, requirements = world
    with pytest.raises(ValidationError, match="at least 3 buyer organisations"):
        pooling.pool_create(actor=staff, requirements=requirements[:2], lead=requirements[0])
    with pytest.raises(PermissionDenied):
        pooling.pool_create(actor=buyers[0], requirements=requirements, lead=requirements[0])


def test_the_competition_needs_the_lead_and_another_buyer(world):
    setup, staff, buyers, requirements = world
    pool = _pool(world)
    competition = setup.create()
    with pytest.raises(ValidationError, match="At least 2 buyers"):
        pooling.pool_competition_start(actor=buyers[0], pool=pool, competition=competition)
    member_row = pool.members.get(organisation=buyers[1].organisation)
    with pytest.raises(PermissionDenied):
        pooling.pool_member_join(actor=buyers[0], member=member_row, quantity="5")


def test_a_buyer_cannot_see_another_buyers_requirement_through_a_cluster_or_pool(world):
    setup, staff, buyers, requirements = world
    pool = _pool(world)
    outsider = member(BuyerOrganisationFactory(name="Wakefield"))
    for user in [buyers[1], outsider]:
        client = Client()
        client.force_login(user)
        assert client.get(reverse("matching:clusters")).status_code == 403
    client = Client()
    client.force_login(buyers[1])
    page = client.get(reverse("buying:pool", args=[pool.pk])).content.decode()
    assert requirements[1].title in page  # its own
    assert requirements[0].title not in page and requirements[2].title not in page
    for other in (requirements[0], requirements[2]):
        detail = client.get(reverse("buying:requirement_detail", args=[other.pk]))
        assert detail.status_code == 404
    client.force_login(outsider)
    assert client.get(reverse("buying:pool", args=[pool.pk])).status_code == 404
    assert PoolMember.objects.filter(organisation=outsider.organisation).count() == 0


def test_staff_see_a_cluster_and_invite_it(world, settings, tmp_path):
    from matching import runtime
    from matching import services as matching_services

    settings.MATCHING_INDEX_DIR = tmp_path / "matching"
    settings.MATCHING_REFRESH_SECONDS = 0
    runtime.reset()
    setup, staff, buyers, requirements = world
    for index, (title, summary) in enumerate(
        [
            ("Housing repairs booking", "Tenants book housing repairs online."),
            ("Repairs operative scheduling", "Schedule repairs operatives and text reminders."),
            ("Library management", "Lend books and run branch libraries."),
            ("Payroll for schools", "Pay teachers and support staff."),
        ]
    ):
        make_offer(
            setup.offers[index].supplier,
            setup.lot,
            title=title,
            summary=summary,
            description=summary,
            features=[title],
        )
    for requirement in requirements:
        requirement.must_haves = ["Online repair booking", "Scheduling of repairs operatives"]
        requirement.save()
    matching_services.index_rebuild_now()
    client = Client()
    client.force_login(staff)
    page = client.get(reverse("matching:clusters")).content.decode()
    assert "3 organisations" in page
    key = "-".join(str(r.pk) for r in sorted(requirements, key=lambda r: r.pk))
    response = client.post(
        reverse("matching:pool_create"), {"requirements": key, "lead": requirements[0].pk}
    )
    assert response.status_code == 302
    assert DemandPool.objects.get().members.count() == 3
    runtime.reset()
