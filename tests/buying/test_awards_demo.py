"""The demo contracts: direct awards and further competitions for every demo buyer, savings on
the registers, an open invitation for the demo supplier; seeding twice changes nothing."""

import io

import pytest

from buying import demo as buying_demo
from buying.models import CompetitionInvitation, FurtherCompetition
from catalogue import demo as catalogue_demo
from contracts.models import Contract
from ndx.accounts import demo as accounts_demo
from ndx.accounts.models import User
from ndx.audit.models import AuditEntry
from suppliers import demo as suppliers_demo

pytestmark = pytest.mark.django_db


def seed():
    out, context = io.StringIO(), {}
    for section in (accounts_demo, catalogue_demo, suppliers_demo, buying_demo):
        context.update(section.seed(out, context) or {})
    return out.getvalue()


def counts():
    return (
        Contract.objects.count(),
        FurtherCompetition.objects.count(),
        CompetitionInvitation.objects.count(),
        AuditEntry.objects.count(),
    )


def test_demo_contracts_are_realistic_and_seeding_is_idempotent(mailoutbox):
    out = seed()
    first = counts()
    assert "buying: 8 contracts" in out
    for email in (buying_demo.LEEDS, buying_demo.MFT, buying_demo.DFE):
        organisation = User.objects.get(email=email).organisation
        contracts = Contract.objects.for_buyer(organisation)
        assert contracts.count() >= 2
        assert contracts.totals()["saving"] > 0
        for contract in contracts:
            assert contract.value == (contract.unit_price * contract.quantity).quantize(
                contract.value
            )
            assert contract.unit_price <= contract.national_price
            assert contract.time_to_award is not None and contract.time_to_award.days > 0
            assert contract.revision.offer_id == contract.offer_id
    routes = set(Contract.objects.values_list("route", flat=True))
    assert routes == {"direct_award", "further_competition"}
    assert Contract.objects.filter(value__gt=5_000_000).exists()
    for contract in Contract.objects.filter(value__gt=5_000_000):
        assert len(contract.kpis) >= 3
    northwind = User.objects.get(email="supplier.admin@northwind-digital.co.uk")
    assert Contract.objects.visible_to(northwind).exists()
    open_invitations = CompetitionInvitation.objects.for_supplier(northwind).filter(
        competition__status="open"
    )
    assert open_invitations.count() == 1
    assert not hasattr(open_invitations.get(), "response")
    assert FurtherCompetition.objects.filter(status="awarded").count() == 2
    assert mailoutbox == []  # demo data emails nobody
    seed()
    assert counts() == first
