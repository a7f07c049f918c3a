"""Buyers' saved searches and shortlists. Only the buyer's own organisation sees them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ndx.accounts.decorators import member_required
from ndx.accounts.forms import apply_validation_error
from ndx.audit.models import AuditEntry

from .forms import OutcomeForm, SavedSearchForm, ShortlistForm
from .models import SavedSearch, Shortlist, ShortlistItem
from .services import saved_searches as saved_search_services
from .services import shortlists as shortlist_services

buyer_required = member_required(kind="buyer")


@buyer_required
def saved_searches(request):
    context = {
        "saved_searches": [
            (s, saved_search_services.describe_query(s.query_string))
            for s in SavedSearch.objects.visible_to(request.user)
        ],
        "shortlists": Shortlist.objects.visible_to(request.user).prefetch_related("items"),
        "form": ShortlistForm(),
    }
    return render(request, "buying/saved_searches.html", context)


@buyer_required
def saved_search_create(request):
    """From the search page: POST the query string; then name the search and save it."""
    if request.method == "POST" and "name" in request.POST:
        form = SavedSearchForm(request.POST)
        if form.is_valid():
            try:
                saved = saved_search_services.saved_search_create(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    query_string=form.cleaned_data["query_string"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, f"Saved your search “{saved.name}”")
                return redirect("buying:saved_search", pk=saved.pk)
    else:
        query_string = request.POST.get("query_string") or request.GET.get("query_string", "")
        form = SavedSearchForm(initial={"query_string": query_string[:2000]})
    query_string = form["query_string"].value() or ""
    return render(
        request,
        "buying/saved_search_form.html",
        {
            "form": form,
            "description": saved_search_services.describe_query(query_string),
            "qs": query_string,
        },
    )


@buyer_required
def saved_search_detail(request, pk: int):
    saved = get_object_or_404(SavedSearch.objects.visible_to(request.user), pk=pk)
    return render(
        request,
        "buying/saved_search.html",
        {
            "saved": saved,
            "description": saved_search_services.describe_query(saved.query_string),
            "shortlists": saved.shortlists.all(),
        },
    )


@require_POST
@buyer_required
def saved_search_freeze(request, pk: int):
    saved = get_object_or_404(SavedSearch.objects.visible_to(request.user), pk=pk)
    try:
        shortlist = saved_search_services.saved_search_freeze(
            actor=request.user, saved_search=saved
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("buying:saved_search", pk=saved.pk)
    messages.success(request, f"Froze {shortlist.items.count()} results as “{shortlist.name}”")
    return redirect("buying:shortlist", pk=shortlist.pk)


@require_POST
@buyer_required
def saved_search_delete(request, pk: int):
    saved = get_object_or_404(SavedSearch.objects.visible_to(request.user), pk=pk)
    saved_search_services.saved_search_delete(actor=request.user, saved_search=saved)
    messages.success(request, f"Deleted the saved search “{saved.name}”")
    return redirect("buying:saved_searches")


@require_POST
@buyer_required
def shortlist_create(request):
    form = ShortlistForm(request.POST)
    if form.is_valid():
        try:
            shortlist = shortlist_services.shortlist_create(
                actor=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"Created the shortlist “{shortlist.name}”")
            return redirect("buying:shortlist", pk=shortlist.pk)
    context = {
        "saved_searches": [
            (s, saved_search_services.describe_query(s.query_string))
            for s in SavedSearch.objects.visible_to(request.user)
        ],
        "shortlists": Shortlist.objects.visible_to(request.user),
        "form": form,
    }
    return render(request, "buying/saved_searches.html", context, status=400)


def _shortlist(request, pk: int) -> Shortlist:
    return get_object_or_404(Shortlist.objects.visible_to(request.user), pk=pk)


@buyer_required
def shortlist_detail(request, pk: int):
    shortlist = _shortlist(request, pk)
    return render(
        request,
        "buying/shortlist.html",
        {
            "shortlist": shortlist,
            "items": shortlist.items.select_related("revision"),
            "form": OutcomeForm(),
            "audit": AuditEntry.objects.for_object(shortlist).select_related("actor")[:20],
        },
    )


@require_POST
@buyer_required
def shortlist_add(request, pk: int):
    shortlist = _shortlist(request, pk)
    try:
        offer_id = int(request.POST.get("offer", ""))
    except ValueError:
        offer_id = 0
    try:
        item = shortlist_services.shortlist_add_offer(
            actor=request.user, shortlist=shortlist, offer_id=offer_id
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Added {item.title} to “{shortlist.name}”")
    return redirect("buying:shortlist", pk=shortlist.pk)


@require_POST
@buyer_required
def shortlist_remove(request, pk: int, item_pk: int):
    shortlist = _shortlist(request, pk)
    item = get_object_or_404(ShortlistItem, pk=item_pk, shortlist=shortlist)
    try:
        shortlist_services.shortlist_remove_item(actor=request.user, item=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Removed {item.title}")
    return redirect("buying:shortlist", pk=shortlist.pk)


@require_POST
@buyer_required
def shortlist_freeze(request, pk: int):
    shortlist = _shortlist(request, pk)
    try:
        shortlist_services.shortlist_freeze(actor=request.user, shortlist=shortlist)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Shortlist frozen: its offers and prices are now fixed")
    return redirect("buying:shortlist", pk=shortlist.pk)


@buyer_required
def shortlist_outcome(request, pk: int):
    shortlist = _shortlist(request, pk)
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            shortlist_services.shortlist_record_outcome(
                actor=request.user,
                shortlist=shortlist,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Outcome recorded")
            return redirect("buying:shortlist", pk=shortlist.pk)
    return render(
        request,
        "buying/shortlist.html",
        {
            "shortlist": shortlist,
            "items": shortlist.items.select_related("revision"),
            "form": form,
            "audit": AuditEntry.objects.for_object(shortlist).select_related("actor")[:20],
        },
        status=400 if request.method == "POST" else 200,
    )


@buyer_required
def shortlist_export(request, pk: int, fmt: str):
    shortlist = _shortlist(request, pk)
    if not shortlist.is_frozen:
        messages.error(request, "Freeze the shortlist before exporting it.")
        return redirect("buying:shortlist", pk=shortlist.pk)
    content = shortlist_services.shortlist_export(shortlist=shortlist, fmt=fmt)
    content_type = {
        "csv": "text/csv; charset=utf-8",
        "ods": "application/vnd.oasis.opendocument.spreadsheet",
    }[fmt]
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="shortlist-{shortlist.pk}.{fmt}"'
    return response
