"""Report dashboards (public and staff), their CSV downloads, and the OCDS open data feed."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Max, Min, Q, Sum
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from contracts.models import Contract
from ndx.accounts.decorators import member_required, staff_required
from ndx.outbox import BROKER_ERRORS, publish

from . import ocds
from .dashboard import (
    PUBLIC_SAVINGS_DIMENSIONS,
    PUBLIC_SME_DIMENSIONS,
    STAFF_SAVINGS_DIMENSIONS,
    STAFF_SME_DIMENSIONS,
    group_options,
    recent_snapshots,
    savings_context,
    sme_context,
)
from .exports import csv_text, savings_csv_rows, sme_csv_rows
from .models import ReportSnapshot, SpendRecord
from .organisation import organisation_figures
from .social_value import social_value_context
from .tasks import refresh_report_snapshots
from .time_to_contract import DIMENSIONS as TIME_DIMENSIONS
from .time_to_contract import time_csv_rows, time_to_contract_context


def _dashboard(request, *, staff: bool):
    sme_dimensions = STAFF_SME_DIMENSIONS if staff else PUBLIC_SME_DIMENSIONS
    by = request.GET.get("by", "fy")
    if by not in sme_dimensions:
        by = "fy"
    name = "reporting:staff_dashboard" if staff else "reporting:dashboard"
    csv_sme = "reporting:staff_sme_csv" if staff else "reporting:sme_csv"
    csv_savings = "reporting:staff_savings_csv" if staff else "reporting:savings_csv"
    savings_dimensions = STAFF_SAVINGS_DIMENSIONS if staff else PUBLIC_SAVINGS_DIMENSIONS
    context = {
        "staff": staff,
        "group_select": {
            "id": "by",
            "name": "by",
            "label": {"text": "Show the SME figures by", "classes": "govuk-label--s"},
            "items": [
                {"value": o.value, "text": o.label, "selected": o.current}
                for o in group_options(sme_dimensions, by, name, "by")
            ],
        },
        "sme": sme_context(ReportSnapshot.objects.current(ReportSnapshot.Kind.SME_SHARE), by),
        "savings": savings_context(
            ReportSnapshot.objects.current(ReportSnapshot.Kind.SAVINGS), savings_dimensions
        ),
        "sme_csv_url": f"{reverse(csv_sme)}?by={by}",
        "savings_csv_urls": [
            (d, f"{reverse(csv_savings)}?by={d}") for d in ["overall", *savings_dimensions]
        ],
        "time": time_to_contract_context(),
        "social_value": social_value_context(),
    }
    if staff:
        context["history"] = recent_snapshots()
        context["spend_sources"] = (
            SpendRecord.objects.order_by()
            .values("source")
            .annotate(
                rows=Count("id"),
                first=Min("month"),
                last=Max("month"),
                imported=Max("imported_at"),
                credit_notes=Count("id", filter=Q(amount__lt=0)),
            )
            .order_by("-imported")
        )
    template = "reporting/staff_dashboard.html" if staff else "reporting/dashboard.html"
    return render(request, template, context)


@require_GET
def dashboard(request):
    return _dashboard(request, staff=False)


@staff_required
@require_GET
def staff_dashboard(request):
    return _dashboard(request, staff=True)


@require_POST
@staff_required
def staff_recalculate(request):
    try:
        result = refresh_report_snapshots.delay(trigger="staff", actor_id=request.user.pk)
    except BROKER_ERRORS:
        publish(refresh_report_snapshots, trigger="staff", actor_id=request.user.pk)
        messages.success(
            request,
            "The task queue is unavailable just now; the recalculation will run as soon as it "
            "is back. The previous figures are still shown.",
        )
        return redirect("reporting:staff_dashboard")
    if result.ready():
        outcomes = result.get()
        failed = [k for k, v in outcomes.items() if v != "succeeded"]
        if failed:
            names = ", ".join(ReportSnapshot.Kind(k).label for k in failed)
            messages.error(
                request,
                f"Recalculating failed for: {names}. The previous figures are still shown; "
                "the error is in the list of recent runs.",
            )
        else:
            messages.success(request, "Reports recalculated")
    else:
        messages.success(
            request, "The reports are being recalculated. Refresh this page in a minute."
        )
    return redirect("reporting:staff_dashboard")


def _csv_response(kind: str, by: str, allowed: list[str]) -> HttpResponse:
    if by not in allowed:
        raise Http404("There is no such grouping")
    snapshot = ReportSnapshot.objects.current(kind)
    if snapshot is None:
        raise Http404("The report has not been computed yet")
    if kind == ReportSnapshot.Kind.SME_SHARE:
        rows = sme_csv_rows(list(snapshot.sme_rows.filter(dimension=by).order_by("position")))
        name = "sme-share"
    else:
        rows = savings_csv_rows(
            list(snapshot.savings_rows.filter(dimension=by).order_by("position"))
        )
        name = "savings"
    computed = timezone.localtime(snapshot.computed_at)
    response = HttpResponse(csv_text(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="ndx-{name}-by-{by}-{computed:%Y-%m-%d-%H%M}.csv"'
    )
    response["Last-Modified"] = computed.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return response


@require_GET
def time_csv(request):
    by = request.GET.get("by", "route")
    if by not in ("overall", *TIME_DIMENSIONS):
        raise Http404("There is no such grouping")
    response = HttpResponse(csv_text(time_csv_rows(by)), content_type="text/csv; charset=utf-8")
    today = timezone.localdate()
    response["Content-Disposition"] = (
        f'attachment; filename="ndx-time-to-contract-by-{by}-{today:%Y-%m-%d}.csv"'
    )
    return response


@require_GET
def sme_csv(request):
    allowed = ["overall", *PUBLIC_SME_DIMENSIONS]
    return _csv_response(ReportSnapshot.Kind.SME_SHARE, request.GET.get("by", "fy"), allowed)


@require_GET
def savings_csv(request):
    allowed = ["overall", *PUBLIC_SAVINGS_DIMENSIONS]
    return _csv_response(ReportSnapshot.Kind.SAVINGS, request.GET.get("by", "fy"), allowed)


@staff_required
@require_GET
def staff_sme_csv(request):
    allowed = ["overall", *STAFF_SME_DIMENSIONS]
    return _csv_response(ReportSnapshot.Kind.SME_SHARE, request.GET.get("by", "fy"), allowed)


@staff_required
@require_GET
def staff_savings_csv(request):
    allowed = ["overall", *STAFF_SAVINGS_DIMENSIONS]
    return _csv_response(ReportSnapshot.Kind.SAVINGS, request.GET.get("by", "fy"), allowed)


# --- open data -------------------------------------------------------------------------------


def _published_contracts():
    return (
        Contract.objects.select_related(
            "organisation",
            "supplier__supplier_profile",
            "offer__lot__framework",
            "revision",
        )
        .prefetch_related("variations", "performance_reports", "outcomes")
        .order_by("-awarded_at", "-id")
    )


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _ocds_json(data: dict) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def open_data(request):
    contracts = Contract.objects.aggregate(count=Count("id"), value=Sum("value"))
    example = _published_contracts().first()
    return render(
        request,
        "reporting/open_data.html",
        {
            "contracts": contracts,
            "ocid_prefix": ocds.OCID_PREFIX,
            "page_size": ocds.PAGE_SIZE,
            "licence_url": ocds.LICENCE_URL,
            "extension_url": ocds.PARTY_SCALE_EXTENSION,
            "example_ocid": ocds.ocid_for(example) if example else "",
        },
    )


@require_GET
def ocds_releases(request):
    """Newest first, PAGE_SIZE a page; `links.next` follows on from the last release shown
    (?before=<contract id>), so pages do not shift as new contracts are awarded."""
    contracts = _published_contracts()
    before = request.GET.get("before")
    if before is not None:
        if not (before.isascii() and before.isdigit() and len(before) <= 18):
            raise Http404("No such page")
        anchor = Contract.objects.filter(pk=int(before)).values("awarded_at", "pk").first()
        if anchor is None:
            raise Http404("No such page")
        contracts = contracts.filter(
            Q(awarded_at__lt=anchor["awarded_at"])
            | Q(awarded_at=anchor["awarded_at"], pk__lt=anchor["pk"])
        )
    page = list(contracts[: ocds.PAGE_SIZE + 1])
    if not page:
        # A release package must hold at least one release: an empty page is not a page.
        return JsonResponse(
            {"detail": "There are no contracts to publish here yet."},
            status=404,
            json_dumps_params={"indent": 1},
        )
    more = len(page) > ocds.PAGE_SIZE
    page = page[: ocds.PAGE_SIZE]
    base = _base_url(request)
    releases_url = f"{base}{reverse('reporting:ocds_releases')}"
    next_url = f"{releases_url}?before={page[-1].pk}" if more else None
    published = max(max(c.created_at, c.awarded_at) for c in page)
    package = ocds.release_package(
        page,
        uri=request.build_absolute_uri(),
        base_url=base,
        next_url=next_url,
        published=published,
    )
    return _ocds_json(package)


@require_GET
def ocds_record(request, ocid: str):
    reference = ocds.reference_from_ocid(ocid)
    if reference is None:
        raise Http404("No such ocid")
    contract = _published_contracts().filter(reference=reference).first()
    if contract is None:
        raise Http404("No such ocid")
    base = _base_url(request)
    package = ocds.record_package(
        contract,
        uri=request.build_absolute_uri(),
        base_url=base,
        releases_url=f"{base}{reverse('reporting:ocds_releases')}",
    )
    return _ocds_json(package)


@member_required(kind="buyer")
@require_GET
def organisation_reports(request):
    """The buyer organisation's own figures: spend, saving, SME share, time to contract."""
    overall, by_year = organisation_figures(request.user.organisation)
    return render(
        request,
        "reporting/organisation.html",
        {"organisation": request.user.organisation, "overall": overall, "by_year": by_year},
    )
