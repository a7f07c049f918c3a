"""On the demo data, a new buyer's need for adult social care case management shows every adult
social care offer (in the list, or with the hard need it fails) and no office suite, fleet or
storage offer; the page passes axe."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from buying.models import Requirement
from catalogue.models import Offer
from matching import runtime
from matching.demo import BUYER
from ndx.accounts.models import User

from .fixtures import assert_no_axe_violations
from .helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEED = "cloud-hosted case management for adult social care, 500 users, budget up to £150,000"
UNRELATED = ("Productivity", "Transport and logistics", "Object storage")


@pytest.fixture(autouse=True)
def index_dir(settings, tmp_path):
    settings.MATCHING_INDEX_DIR = tmp_path / "matching"
    settings.MATCHING_REFRESH_SECONDS = 0
    runtime.reset()
    yield
    runtime.reset()


def _titles_in(offers, category):
    return {
        o.published_revision.title for o in offers if category in o.published_revision.categories
    }


def test_every_adult_social_care_offer_is_shown_and_nothing_unrelated(page, live_server):
    call_command("seed_demo", stdout=StringIO())
    buyer = User.objects.get(email=BUYER)
    requirement = Requirement.objects.create(
        organisation=buyer.organisation,
        created_by=buyer,
        title="Social care case management",
        problem=NEED,
        user_count=500,
        budget_max=Decimal("150000"),
        status=Requirement.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    offers = list(Offer.objects.buyable().select_related("published_revision"))
    social_care = _titles_in(offers, "Adult social care")
    unrelated = set().union(*(_titles_in(offers, c) for c in UNRELATED))
    assert len(social_care) >= 5 and unrelated

    sign_in(page, live_server, buyer)
    page.goto(f"{live_server.url}/buying/requirements/{requirement.pk}/matches/")
    listed = page.locator(".ndx-result h3 a").all_inner_texts()
    missed = page.locator(".ndx-near-miss h3 a").all_inner_texts()
    assert social_care <= set(listed) | set(missed)
    assert not unrelated & (set(listed) | set(missed))
    # each offer that fails a hard need says which, in plain words
    for item in page.locator(".ndx-near-miss").all():
        title = item.locator("h3 a").inner_text()
        reasons = item.locator(".ndx-reasons").inner_text()
        if title in social_care:
            assert "over your budget" in reasons or "you need" in reasons or "Does not" in reasons
    # counts agree with the lists
    heading = page.locator("#fit-heading").inner_text()
    assert heading.startswith(f"{len(listed)} offer")
    if missed:
        assert page.locator("#miss-heading").inner_text().startswith(f"{len(missed)} related")
    # explanations: the buyer's words marked in the offer's own text, meaning in words
    first = page.locator(".ndx-result").first
    assert "Your words appear in" in first.locator(".govuk-details__text").inner_text()
    revision = next(o for o in offers if o.published_revision.title == listed[0]).published_revision
    own_text = "\n".join(
        [revision.title, revision.summary, revision.description, *revision.features]
        + [*revision.benefits, *revision.categories]
    )
    marks = first.locator(".ndx-highlight mark").all_inner_texts()
    assert marks and all(m in own_text for m in marks)
    assert "a year" in first.inner_text() or "one-off" in first.inner_text()
    assert_no_axe_violations(page)
