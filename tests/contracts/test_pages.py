"""Contract pages through the client: buy again, the savings command's cost avoidance line, the
staff register's CSV (flagged first), the timeline in plain words on the page."""

from datetime import timedelta
from io import StringIO

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core.management import call_command
from django.utils import timezone

from buying.models import Requirement
from contracts.models import Contract
from tests.accounts.factories import StaffFactory
from tests.contracts.helpers import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def test_buy_again_starts_a_requirement_from_the_contract(client, world):
    contract = world.award(start_in=0, outcomes="Fewer missed visits")
    client.force_login(world.buyer)
    response = client.post(f"/buying/contracts/{contract.pk}/buy-again/")
    requirement = Requirement.objects.get()
    assert response.status_code == 302 and str(requirement.pk) in response.url
    assert requirement.title == f"Buy again: {contract.title}"
    assert requirement.problem == "Fewer missed visits"
    assert requirement.user_count == 500 and requirement.budget_max == contract.value
    assert requirement.lot_id == contract.offer.lot_id
    client.force_login(world.other_buyer)
    assert client.post(f"/buying/contracts/{contract.pk}/buy-again/").status_code == 404


def test_report_savings_prints_saving_and_cost_avoidance(world):
    world.award(start_in=0, baseline_unit_price="28.00")
    out = StringIO()
    call_command("report_savings", stdout=out)
    line = next(x for x in out.getvalue().splitlines() if "cost avoidance" in x)
    assert line.startswith("National cost saving £30,000.00 and cost avoidance £18,000.00")
    assert "against the ambition of £1bn a year" in line


def test_staff_register_lists_flagged_first_and_downloads_csv(client, world):
    first = world.award(start_in=0)
    flagged = world.award(start_in=0)
    Contract.objects.filter(pk=flagged.pk).update(
        flagged_at=timezone.now(), flag_reason="Two consecutive Inadequate ratings"
    )
    staff = StaffFactory()
    TOTP.activate(staff, "JBSWY3DPEHPK3PXPTESTSECR")
    client.force_login(staff)
    response = client.get("/staff/contracts/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index(flagged.reference) < page.index(first.reference)
    csv = client.get("/staff/contracts/?format=csv&supplier=Northwind").content.decode()
    lines = csv.splitlines()
    assert lines[0].startswith("reference,title,buyer,supplier")
    assert lines[1].startswith(flagged.reference) and lines[1].endswith(",yes")
    ending = client.get("/staff/contracts/?format=csv&ending_soon=on").content.decode()
    assert len(ending.splitlines()) == 1  # both end in a year's time


def test_contract_page_shows_the_timeline_in_plain_words(client, world):
    world.buyer.full_name = "Priya Shah"
    world.buyer.save()
    contract = world.award(start_in=14)
    client.force_login(world.buyer)
    page = client.get(f"/buying/contracts/{contract.pk}/").content.decode()
    assert "Contract awarded by Priya Shah" in page and "Mobilising" in page
    assert f"until it starts on {contract.start_date:%-d %B %Y}" in page
    assert contract.start_date > timezone.localdate() + timedelta(days=1)
