"""Match results for a buyer's requirement, and the index status for staff."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from buying.models import Requirement, Shortlist
from ndx.accounts.decorators import member_required, staff_required

from . import services
from .engine import ENGINE_VERSION
from .models import IndexBuild, MatchRun

buyer_required = member_required(kind="buyer")


def _requirement(request, pk: int) -> Requirement:
    return get_object_or_404(Requirement.objects.visible_to(request.user), pk=pk)


def _visible_entries(run: MatchRun, params) -> tuple[list[dict], dict]:
    """Filter the frozen ranking for display; the ranking itself never changes."""
    entries = run.offers
    chosen = {
        "sme": params.get("sme") == "yes",
        "lot": params.get("lot", ""),
        "within_budget": params.get("within_budget") == "yes",
    }
    if chosen["sme"]:
        entries = [e for e in entries if e.get("sme")]
    if chosen["lot"]:
        entries = [e for e in entries if str(e.get("lot_id")) == chosen["lot"]]
    if chosen["within_budget"]:
        entries = [e for e in entries if e["explanation"].get("within_budget") is not False]
    return entries, chosen


@buyer_required
def results(request, pk: int):
    requirement = _requirement(request, pk)
    run = requirement.match_runs.first()
    if run is None and requirement.status == Requirement.Status.SUBMITTED:
        try:
            run = services.requirement_match(actor=request.user, requirement=requirement)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    entries, chosen = _visible_entries(run, request.GET) if run else ([], {})
    lots = []
    if run:
        seen = {}
        for entry in run.offers:
            seen.setdefault(str(entry["lot_id"]), entry["lot"])
        lots = sorted(seen.items(), key=lambda item: item[1])
    shortlist = (
        Shortlist.objects.visible_to(request.user)
        .filter(requirement=requirement, status=Shortlist.Status.OPEN)
        .first()
    )
    context = {
        "requirement": requirement,
        "run": run,
        "entries": entries,
        "near_misses": run.near_misses if run else [],
        "chosen": chosen,
        "lots": lots,
        "shortlist": shortlist,
        "shortlisted": set(shortlist.items.values_list("offer_id", flat=True))
        if shortlist
        else set(),
        "engine_version": ENGINE_VERSION,
    }
    return render(request, "matching/results.html", context)


@require_POST
@buyer_required
def rerun(request, pk: int):
    requirement = _requirement(request, pk)
    try:
        services.requirement_match(actor=request.user, requirement=requirement)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Matched again against the current catalogue")
    return redirect("matching:results", pk=requirement.pk)


@require_POST
@buyer_required
def shortlist_add(request, pk: int):
    from buying.services import shortlists as shortlist_services

    requirement = _requirement(request, pk)
    try:
        offer_id = int(request.POST.get("offer", ""))
    except ValueError:
        offer_id = 0
    try:
        item = shortlist_services.requirement_shortlist_add(
            actor=request.user, requirement=requirement, offer_id=offer_id
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Added {item.title} to the shortlist “{item.shortlist.name}”")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = f"/buying/requirements/{requirement.pk}/matches/"
    return redirect(target)


@staff_required
def index_status(request):
    services.index_builds_mark_interrupted()
    current = IndexBuild.objects.current().first()
    running = IndexBuild.objects.running().order_by("-created_at").first()
    failed = IndexBuild.objects.filter(status=IndexBuild.Status.FAILED).first()
    context = {
        "current": current,
        "running": running,
        "last_failed": failed,
        "recent": IndexBuild.objects.all()[:10],
        "pending_changes": services.pending_changes(),
        "engine_version": ENGINE_VERSION,
    }
    return render(request, "matching/index_status.html", context)


@require_POST
@staff_required
def index_rebuild(request):
    build = services.index_build_queue(actor=request.user)
    messages.success(request, f"Index build {build.pk} queued. The current index keeps serving.")
    return redirect("matching:index_status")
