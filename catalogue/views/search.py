"""Buyer discovery: the catalogue search page and the comparison of up to four offers."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ndx.ratelimit import rate_limited

from .. import compare as comparison
from ..search import PAGE_SIZES, SORTS
from ..search_page import SearchPage, compare_control, search_page

FILTER_KEYS = (
    "framework",
    "lot",
    "category",
    "phase",
    "cpv",
    "pricing",
    "price_min",
    "price_max",
    "sme",
    "vcse",
    "rating",
    "cert",
    "hosting",
)


def _url(params: list[tuple[str, str]], **changes) -> str:
    kept = [(k, v) for k, v in params if k not in changes]
    for key, value in changes.items():
        if value not in (None, ""):
            kept.append((key, str(value)))
    return "?" + urlencode(kept) if kept else "?"


def _pagination(page: SearchPage, params: list[tuple[str, str]]) -> dict | None:
    number, num_pages = page.number, page.num_pages
    if num_pages <= 1:
        return None
    numbers = sorted(
        {1, num_pages, *range(max(1, number - 2), number + 3)} & set(range(1, num_pages + 1))
    )
    items, previous = [], 0
    for n in numbers:
        if n - previous > 1:
            items.append({"ellipsis": True})
        items.append({"number": n, "href": _url(params, page=n), "current": n == number})
        previous = n
    params_out: dict = {"items": items, "landmarkLabel": "Search results pages"}
    if number > 1:
        params_out["previous"] = {"href": _url(params, page=number - 1)}
    if number < num_pages:
        params_out["next"] = {"href": _url(params, page=number + 1)}
    return params_out


def _selected_filters(page: SearchPage, params: list[tuple[str, str]]) -> list[dict]:
    chips = []
    for facet in page.facets:
        for option in facet.options:
            if option.selected:
                remaining = [
                    (k, v) for k, v in params if not (k == facet.name and v == option.value)
                ]
                chips.append(
                    {
                        "label": f"{facet.label}: {option.label}",
                        "href": _url([(k, v) for k, v in remaining if k != "page"]),
                    }
                )
    for key, label in (("price_min", "Minimum price"), ("price_max", "Maximum price")):
        for k, v in params:
            if k == key and v:
                chips.append(
                    {
                        "label": f"{label}: £{v}",
                        "href": _url([(a, b) for a, b in params if a not in (key, "page")]),
                    }
                )
    return chips


@rate_limited("search", methods=("GET",))
def search(request):
    """/catalogue/: search and browse published offers. Plain GET, works without JavaScript.
    The shared part of the page comes from catalogue.search_page (cached); this visitor's
    comparison buttons, CSRF token and saved-search form are added here, never cached."""
    page = search_page(request.GET)
    params = [(k, v) for k, values in request.GET.lists() for v in values if k != "page"]
    compare_ids = comparison.compare_ids(request.session)
    control = partial(
        compare_control,
        compare_ids=compare_ids,
        limit=comparison.LIMIT,
        action=reverse("catalogue:compare_add"),
        csrf=get_token(request),
        next_url=request.get_full_path(),
    )
    context = {
        "outcome": page,
        "q": page.query_text,
        "rows": [(row, control(row)) for row in page.rows],
        "sorts": SORTS,
        "page_sizes": PAGE_SIZES,
        "pagination": _pagination(page, params),
        "selected_filters": _selected_filters(page, params),
        "clear_url": _url([(k, v) for k, v in params if k not in FILTER_KEYS]),
        "price_min": request.GET.get("price_min", "")[:20],
        "price_max": request.GET.get("price_max", "")[:20],
        "compare_ids": compare_ids,
        "search_query_string": request.GET.urlencode(),
        "can_save": request.user.is_authenticated and request.user.is_buyer,
        "search_hidden_params": [(k, v) for k, v in params if k != "q"],
        "filter_hidden_params": [(k, v) for k, v in params if k in ("q", "sort", "size")],
        "sort_hidden_params": [(k, v) for k, v in params if k not in ("sort", "size")],
    }
    return render(request, "catalogue/search.html", context)


def _back(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return default
    return target


@require_POST
def compare_add(request):
    try:
        offer_id = int(request.POST.get("offer", ""))
    except ValueError:
        offer_id = 0
    try:
        offer = comparison.compare_add(
            session=request.session, user=request.user, offer_id=offer_id
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Added {offer} to your comparison")
    return redirect(_back(request, "catalogue:compare"))


@require_POST
def compare_remove(request):
    try:
        offer_id = int(request.POST.get("offer", ""))
    except ValueError:
        offer_id = 0
    comparison.compare_remove(session=request.session, offer_id=offer_id)
    messages.success(request, "Removed from your comparison")
    return redirect(_back(request, "catalogue:compare"))


def compare(request):
    offers = comparison.compare_offers(session=request.session, user=request.user)
    quantity, months, errors = comparison.estimate_inputs(request.GET)
    rows = comparison.comparison_rows(offers)
    if offers and quantity and months and not errors:
        rows.insert(0, comparison.estimate_row(offers, quantity, months))
    context = {
        "offers": offers,
        "rows": rows,
        "limit": comparison.LIMIT,
        "quantity": request.GET.get("quantity", "")[:20],
        "months": request.GET.get("months", "")[:20],
        "estimate_errors": errors,
    }
    return render(request, "catalogue/compare.html", context)
