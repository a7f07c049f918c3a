"""Contract registers and contract pages, for the buyer organisation and for the supplier.

Each page fetches through an organisation-scoped queryset (another organisation gets 404)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from ndx.accounts.decorators import member_required
from ndx.audit.models import AuditEntry

from .models import Contract

buyer_required = member_required(kind="buyer")
supplier_required = member_required(kind="supplier")


def _register(request, *, supplier: bool):
    organisation = request.user.organisation
    contracts = Contract.objects.visible_to(request.user)
    contracts = (
        contracts.for_supplier(organisation) if supplier else contracts.for_buyer(organisation)
    )
    return render(
        request,
        "contracts/contracts.html",
        {
            "organisation": organisation,
            "contracts": contracts.with_saving().select_related("organisation", "supplier"),
            "totals": contracts.totals(),
            "supplier_view": supplier,
        },
    )


@buyer_required
def contracts(request):
    return _register(request, supplier=False)


@supplier_required
def supplier_contracts(request):
    return _register(request, supplier=True)


def _contract(request, pk: int, *, supplier: bool):
    contract = get_object_or_404(
        Contract.objects.visible_to(request.user).select_related(
            "organisation", "supplier", "offer", "revision", "requirement", "shortlist"
        ),
        pk=pk,
    )
    # The further competition that awarded it, if any (buying's reverse one-to-one accessor).
    competition = getattr(contract, "competition", None)
    return render(
        request,
        "contracts/contract.html",
        {
            "contract": contract,
            "competition": competition,
            "supplier_view": supplier,
            "audit": AuditEntry.objects.for_object(contract).select_related("actor")[:20],
        },
    )


@buyer_required
def contract_detail(request, pk: int):
    return _contract(request, pk, supplier=False)


@supplier_required
def supplier_contract(request, pk: int):
    return _contract(request, pk, supplier=True)
