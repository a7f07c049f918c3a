"""Notifications for the catalogue's decisions (ndx.notifications): a supplier's offer
approved or rejected. The key names the version, so each decision is notified once."""

from __future__ import annotations

from django.urls import reverse

from ndx.notifications.services import notification_send_to_organisation

from ..models import Offer, OfferRevision


def offer_decided_notify(offer: Offer, revision: OfferRevision, *, approved: bool) -> None:
    if approved:
        title = f"{revision.title} is approved and published"
        body = "Buyers can now find it and buy it."
    else:
        title = f"{revision.title} was not approved"
        body = revision.rejection_reason
    notification_send_to_organisation(
        organisation=offer.supplier,
        kind="catalogue.offer_decided",
        title=title,
        body=body,
        url=reverse("catalogue:supplier_offer", args=[offer.pk]),
        key=f"offer-decided-{revision.pk}",
        obj=offer,
    )
