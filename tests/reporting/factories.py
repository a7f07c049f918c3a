"""Contracts for reporting tests, made directly (the award workflow is tested in buying)."""

from datetime import date, datetime
from decimal import Decimal
from itertools import count

from django.utils import timezone

from contracts.models import Contract
from tests.accounts.factories import BuyerOrganisationFactory, SupplierOrganisationFactory
from tests.catalogue.factories import LotFactory, make_offer
from tests.suppliers.factories import SupplierProfileFactory

_numbers = count(1)


def make_contract(
    *,
    buyer=None,
    supplier=None,
    lot=None,
    awarded_at: datetime | None = None,
    quantity="10",
    unit_price="100.00",
    list_price="120.00",
    value=None,
    route=Contract.Route.DIRECT_AWARD,
    status=Contract.Status.ACTIVE,
    cpv_codes=("72000000",),
    **fields,
) -> Contract:
    buyer = buyer or BuyerOrganisationFactory()
    if supplier is None:
        supplier = SupplierProfileFactory().organisation
    lot = lot or LotFactory()
    offer = make_offer(supplier, lot, cpv_codes=list(cpv_codes))
    quantity, unit_price = Decimal(quantity), Decimal(unit_price)
    number = next(_numbers)
    return Contract.objects.create(
        reference=fields.pop("reference", f"NDX-C-{number:06d}"),
        organisation=buyer,
        supplier=supplier,
        offer=offer,
        revision=offer.published_revision,
        route=route,
        title=fields.pop("title", f"Case management {number}"),
        quantity=quantity,
        unit_price=unit_price,
        list_price=None if list_price is None else Decimal(list_price),
        value=Decimal(value) if value is not None else quantity * unit_price,
        start_date=fields.pop("start_date", date(2025, 4, 1)),
        end_date=fields.pop("end_date", date(2026, 3, 31)),
        awarded_at=awarded_at or timezone.now(),
        status=status,
        **fields,
    )


def bare_supplier():
    """A supplier organisation with no profile at all."""
    return SupplierOrganisationFactory()
