"""Questions a buyer answers once: the requirement asks the contract length and whether the
budget is a total or a year; the matches, the comparison's estimate and the award use them."""

import pytest
from django.test import Client

from buying.models import Requirement
from buying.services import requirements as requirement_services
from catalogue.pricing import estimate_for_revision
from tests.security.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_the_budget_step_asks_the_basis_and_the_contract_length(world):
    buyer = world.users["buyer_a_member"]
    draft = world.requirement_draft
    requirement_services.requirement_answer(
        actor=buyer,
        requirement=draft,
        step="budget",
        data={"budget_max": "50000", "budget_basis": "year", "contract_months": "24"},
    )
    draft.refresh_from_db()
    assert draft.budget_basis == Requirement.BudgetBasis.YEAR and draft.contract_months == 24
    with pytest.raises(Exception) as refused:
        requirement_services.requirement_answer(
            actor=buyer, requirement=draft, step="budget", data={"contract_months": "0"}
        )
    assert "contract length in months" in str(refused.value)
    page = sign_in(Client(), world, "buyer_a_member").get(
        f"/buying/requirements/{draft.pk}/budget/"
    )
    html = page.content.decode()
    assert "For each year" in html and "How long will the contract last" in html
    check = sign_in(Client(), world, "buyer_a_member").get(
        f"/buying/requirements/{draft.pk}/check/"
    )
    assert "a year, over 24 months" in check.content.decode()


def test_the_award_starts_from_the_requirements_answers(world):
    requirement = world.requirement
    Requirement.objects.filter(pk=requirement.pk).update(user_count=250, contract_months=24)
    page = sign_in(Client(), world, "buyer_a_member").get(
        f"/buying/offers/{world.offer.pk}/award/?requirement={requirement.pk}"
    )
    assert page.status_code == 200
    estimate = estimate_for_revision(world.offer.published_revision, quantity=250, months=24)
    assert page.context["form"].initial["quantity"] == f"{estimate.award_quantity:f}"
    assert page.context["form"].initial["requirement"] == str(requirement.pk)
    # Another organisation's requirement is ignored.
    other = sign_in(Client(), world, "buyer_b_member").get(
        f"/buying/offers/{world.offer.pk}/award/?requirement={requirement.pk}"
    )
    assert "quantity" not in other.context["form"].initial


def test_the_matches_link_to_the_comparison_with_the_answers(world):
    Requirement.objects.filter(pk=world.requirement.pk).update(user_count=250, contract_months=24)
    html = (
        sign_in(Client(), world, "buyer_a_member")
        .get(f"/buying/requirements/{world.requirement.pk}/matches/")
        .content.decode()
    )
    assert "/catalogue/compare/?quantity=250&amp;months=24" in html
