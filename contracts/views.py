"""Contract registers and contract pages, for the buyer organisation and for the supplier.

Each page fetches through an organisation-scoped queryset (another organisation gets 404). The
pages that change a contract are in manage_views.py (buyer) and supplier_views.py; the staff
register and the relationship pages in register_views.py."""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import get_object_or_404, render

from ndx.accounts.decorators import member_required

from .charts import kpi_chart
from .models import Contract
from .services.lifecycle import contract_timeline
from .services.performance import kpi_history, reports_due

buyer_required = member_required(kind="buyer")
supplier_required = member_required(kind="supplier")


def _register(request, *, supplier: bool):
    organisation = request.user.organisation
    contracts = Contract.objects.visible_to(request.user)
    contracts = (
        contracts.for_supplier(organisation) if supplier else contracts.for_buyer(organisation)
    )
    context = {
        "organisation": organisation,
        "contracts": contracts.with_saving().select_related("organisation", "supplier"),
        "totals": contracts.totals(),
        "avoidance": sum(
            (c.cost_avoidance for c in contracts.exclude(baseline_unit_price=None)), Decimal("0")
        ),
        "supplier_view": supplier,
    }
    return render(request, "contracts/contracts.html", context)


@buyer_required
def contracts(request):
    return _register(request, supplier=False)


@supplier_required
def supplier_contracts(request):
    return _register(request, supplier=True)


def contract_context(contract: Contract, *, supplier: bool) -> dict:
    history = kpi_history(contract)
    for i, row in enumerate(history):
        row["chart"] = kpi_chart(f"kpi-chart-{i}", row["kpi"].name, row["results"])
    return {
        "contract": contract,
        # The further competition that awarded it, if any (buying's reverse one-to-one accessor).
        "competition": getattr(contract, "competition", None),
        "supplier_view": supplier,
        "timeline": contract_timeline(contract),
        "versions": contract.versions.select_related("variation"),
        "variations": contract.variations.all(),
        "kpi_history": history,
        "reports": contract.performance_reports.select_related("filed_by"),
        "due": reports_due(contract),
        "outcomes": contract.outcomes.all(),
    }


def _contract(request, pk: int, *, supplier: bool):
    contract = get_object_or_404(
        Contract.objects.visible_to(request.user).select_related(
            "organisation",
            "supplier",
            "offer__lot__framework",
            "revision",
            "requirement",
            "shortlist",
        ),
        pk=pk,
    )
    return render(request, "contracts/contract.html", contract_context(contract, supplier=supplier))


@buyer_required
def contract_detail(request, pk: int):
    return _contract(request, pk, supplier=False)


@supplier_required
def supplier_contract(request, pk: int):
    return _contract(request, pk, supplier=True)
