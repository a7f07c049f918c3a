"""Saved searches: a buyer organisation's named catalogue searches, and freezing one into
a shortlist."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from catalogue.search import search_offers
from ndx.accounts.models import User
from ndx.audit.services import audit_record

from ..models import (
    MAX_SHORTLIST_ITEMS,
    SavedSearch,
    Shortlist,
    ShortlistItem,
)
from .common import buyer_organisation, clean_name, own_organisation
from .shortlists import snapshot_item

MAX_QUERY_STRING = 2000


def clean_query_string(query_string: str) -> str:
    """Keep only search parameters, drop paging; refuse oversized strings."""
    query_string = (query_string or "").lstrip("?")
    if len(query_string) > MAX_QUERY_STRING:
        raise ValidationError({"query_string": "This search is too long to save"})
    pairs = [
        (k.replace("\x00", ""), v.replace("\x00", ""))
        for k, v in parse_qsl(query_string, keep_blank_values=False)
        if k != "page"
    ]
    return urlencode(pairs)


def describe_query(query_string: str) -> str:
    data = QueryDict(query_string)
    parts = []
    if data.get("q"):
        parts.append(f"“{data['q'][:100]}”")
    filters = [k for k in data if k not in ("q", "sort", "size", "page")]
    if filters:
        parts.append(f"{len(filters)} filter{'s' if len(filters) != 1 else ''}")
    return ", ".join(parts) or "All offers"


@transaction.atomic
def saved_search_create(*, actor: User, name: str, query_string: str) -> SavedSearch:
    organisation = buyer_organisation(actor)
    saved = SavedSearch.objects.create(
        organisation=organisation,
        created_by=actor,
        name=clean_name(name),
        query_string=clean_query_string(query_string),
    )
    audit_record(actor=actor, action="saved_search.created", obj=saved)
    return saved


@transaction.atomic
def saved_search_delete(*, actor: User, saved_search: SavedSearch) -> None:
    own_organisation(actor, saved_search)
    audit_record(actor=actor, action="saved_search.deleted", obj=saved_search)
    saved_search.delete()


@transaction.atomic
def saved_search_freeze(*, actor: User, saved_search: SavedSearch, name: str = "") -> Shortlist:
    """Run the saved search now and keep its first 30 results, exactly as they are."""
    organisation = own_organisation(actor, saved_search)
    outcome = search_offers(QueryDict(f"{saved_search.query_string}&size=50"))
    offers = [r["offer"] for r in outcome.results][:MAX_SHORTLIST_ITEMS]
    if not offers:
        raise ValidationError("This search has no results to freeze.")
    now = timezone.now()
    shortlist = Shortlist.objects.create(
        organisation=organisation,
        created_by=actor,
        name=clean_name(name or f"{saved_search.name} ({now:%d %b %Y %H:%M})"),
        saved_search=saved_search,
        query_string=saved_search.query_string,
        status=Shortlist.Status.FROZEN,
        frozen_at=now,
        frozen_by=actor,
    )
    ShortlistItem.objects.bulk_create(
        [snapshot_item(shortlist, offer, i) for i, offer in enumerate(offers, start=1)]
    )
    audit_record(
        actor=actor,
        action="shortlist.frozen",
        obj=shortlist,
        detail={
            "saved_search": saved_search.pk,
            "items": [
                [o.pk, o.published_revision_id, str(o.published_revision.price)] for o in offers
            ],
        },
    )
    return shortlist
