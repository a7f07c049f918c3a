"""Buyers follow a saved search; new or changed offers that match it come as a daily digest.
Also: a buyer keeps a requirement private (no alerts to suppliers for it)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from buying.models import Requirement, SavedSearch
from catalogue.search import search_offers
from ndx.accounts.models import User
from ndx.audit.services import audit_record
from ndx.notifications.services import notification_send

from ..models import FollowedSearch, PrivateRequirement
from .common import buyer_of

MAX_LISTED = 20


@transaction.atomic
def search_follow(*, actor: User, saved_search: SavedSearch, follow: bool) -> FollowedSearch | None:
    buyer_of(actor, saved_search)
    if not follow:
        FollowedSearch.objects.filter(saved_search=saved_search, user=actor).delete()
        audit_record(actor=actor, action="search.unfollowed", obj=saved_search)
        return None
    followed, _ = FollowedSearch.objects.get_or_create(saved_search=saved_search, user=actor)
    audit_record(actor=actor, action="search.followed", obj=saved_search)
    return followed


def _changed_offers(followed: FollowedSearch) -> list:
    outcome = search_offers(QueryDict(f"{followed.saved_search.query_string}&size=50"))
    offers = []
    for result in outcome.results:
        offer = result["offer"]
        revision = offer.published_revision
        if (
            revision is not None
            and revision.published_at
            and revision.published_at > followed.since
        ):
            offers.append(offer)
    return offers


def followed_searches_digest(*, now=None) -> int:
    """Daily (beat): one notification per followed search with new or changed matching offers.
    Keyed by search and day, and `since` moves on in the same transaction: never sent twice."""
    now = now or timezone.now()
    sent = 0
    for pk in FollowedSearch.objects.filter(user__is_active=True).values_list("pk", flat=True):
        with transaction.atomic():
            followed = (
                FollowedSearch.objects.select_for_update()
                .select_related("saved_search", "user")
                .get(pk=pk)
            )
            offers = _changed_offers(followed)
            followed.since = now
            followed.save(update_fields=["since"])
            if not offers:
                continue
            lines = [f"- {o.published_revision.title}" for o in offers[:MAX_LISTED]]
            if len(offers) > MAX_LISTED:
                lines.append(f"and {len(offers) - MAX_LISTED} more")
            noun = "offer" if len(offers) == 1 else "offers"
            notification_send(
                recipient=followed.user,
                kind="market.followed_search",
                title=f"{len(offers)} new or changed {noun} for “{followed.saved_search.name}”"[
                    :200
                ],
                body="\n".join(lines),
                url=reverse("buying:saved_search", args=[followed.saved_search_id]),
                key=f"market-follow-{followed.pk}-{now:%Y-%m-%d}",
                obj=followed.saved_search,
            )
            sent += 1
    return sent


@transaction.atomic
def requirement_privacy_set(*, actor: User, requirement: Requirement, private: bool) -> bool:
    """Keep a requirement out of suppliers' alerts (or let it go out). Returns the new state."""
    buyer_of(actor, requirement)
    if private:
        if (
            requirement.status == "submitted"
            and not PrivateRequirement.objects.filter(requirement=requirement).exists()
            and _already_sent(requirement)
        ):
            raise ValidationError("Alerts for this requirement have already been sent.")
        PrivateRequirement.objects.get_or_create(
            requirement=requirement, defaults={"set_by": actor}
        )
    else:
        PrivateRequirement.objects.filter(requirement=requirement).delete()
    audit_record(
        actor=actor,
        action="requirement.alert_privacy",
        obj=requirement,
        detail={"private": private},
    )
    return private


def _already_sent(requirement: Requirement) -> bool:
    from ..models import AlertSource

    return AlertSource.objects.filter(key=f"requirement-{requirement.pk}").exists()
