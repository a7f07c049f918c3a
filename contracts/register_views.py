"""Registers across contracts: the staff contract register (/staff/contracts/, filters, CSV,
flagged contracts first), a buyer organisation's relationship page for each supplier it buys
from, and a supplier's own performance across its buyers."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F, OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ndx import exports
from ndx.accounts.decorators import member_required, staff_required
from ndx.accounts.models import Organisation

from .forms import RegisterFilterForm
from .models import Contract, ContractVariation, PerformanceReport

buyer_required = member_required(kind="buyer")
supplier_required = member_required(kind="supplier")


def with_latest_rating(contracts):
    latest = PerformanceReport.objects.filter(contract=OuterRef("pk")).order_by(
        "-period_end", "-id"
    )
    return contracts.annotate(latest_rating=Subquery(latest.values("overall_rating")[:1]))


def filtered_register(params):
    form = RegisterFilterForm(params or None)
    contracts = with_latest_rating(
        Contract.objects.select_related("organisation", "supplier", "offer__lot__framework")
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            contracts = contracts.filter(status=data["status"])
        if data["rating"]:
            contracts = contracts.filter(latest_rating=data["rating"])
        if data["lot"]:
            contracts = contracts.filter(offer__lot__name__icontains=data["lot"])
        if data["supplier"]:
            contracts = contracts.filter(supplier__name__icontains=data["supplier"])
        if data["buyer"]:
            contracts = contracts.filter(organisation__name__icontains=data["buyer"])
        if data["ending_soon"]:
            today = timezone.localdate()
            contracts = contracts.filter(
                status__in=[Contract.Status.MOBILISING, Contract.Status.ACTIVE],
                end_date__gte=today,
                end_date__lte=today + timedelta(days=90),
            )
    contracts = contracts.order_by(F("flagged_at").desc(nulls_last=True), "end_date", "pk")
    return form, contracts


CSV_HEADER = [
    "reference",
    "title",
    "buyer",
    "supplier",
    "framework",
    "lot",
    "status",
    "start_date",
    "end_date",
    "award_value",
    "current_value",
    "latest_rating",
    "flagged",
]


def register_csv(contracts) -> str:
    """The register as CSV, through the one safe writer (ndx/exports.py)."""
    rows = [
        (
            c.reference,
            c.title,
            c.organisation.name,
            c.supplier.name,
            c.offer.lot.framework.name,
            c.offer.lot.name,
            c.status,
            c.start_date,
            c.end_date,
            c.value_at_award,
            c.value,
            c.latest_rating or "",
            "yes" if c.flagged_at else "no",
        )
        for c in contracts
    ]
    return exports.csv_text(rows, headers=CSV_HEADER, lineterminator="\n")


@staff_required
def staff_register(request):
    form, contracts = filtered_register(request.GET)
    if request.GET.get("format") == "csv":
        response = HttpResponse(register_csv(contracts), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="contracts.csv"'
        return response
    query = request.GET.copy()
    query["format"] = "csv"
    return render(
        request,
        "contracts/staff_register.html",
        {
            "form": form,
            "contracts": contracts[:500],
            "count": contracts.count(),
            "csv_query": query.urlencode(),
        },
    )


def _ratings_over_time(contracts):
    return (
        PerformanceReport.objects.filter(contract__in=contracts)
        .select_related("contract")
        .order_by("period_end", "id")
    )


@buyer_required
def supplier_relationship(request, supplier_pk: int):
    """One page per supplier the buyer organisation buys from."""
    contracts = Contract.objects.held_by(request.user).filter(supplier_id=supplier_pk)
    if not contracts.exists():
        raise Http404("No contracts with this supplier")
    supplier = Organisation.objects.get(pk=supplier_pk)
    return render(
        request,
        "contracts/relationship.html",
        {
            "supplier": supplier,
            "contracts": with_latest_rating(contracts),
            "totals": contracts.totals(),
            "reports": _ratings_over_time(contracts),
            "open_variations": ContractVariation.objects.filter(
                contract__in=contracts, status=ContractVariation.Status.PROPOSED
            ).select_related("contract"),
            # Reviews live in a higher app: read through the reverse relation, not an import.
            "reviews": [r for c in contracts.prefetch_related("reviews") for r in c.reviews.all()],
        },
    )


@supplier_required
def supplier_performance(request):
    """A supplier's own performance across its buyers."""
    contracts = Contract.objects.for_supplier(request.user.organisation)
    return render(
        request,
        "contracts/supplier_performance.html",
        {
            "contracts": with_latest_rating(contracts.select_related("organisation")),
            "totals": contracts.totals(),
            "reports": _ratings_over_time(contracts).select_related("contract__organisation"),
        },
    )
