"""What the reviews app holds on a person, for their "Your data" download (ndx.appkit
`personal_data` hook, registered in reviews/apps.py): the reviews they wrote."""

from __future__ import annotations

from .models import Review


def reviews_personal_data(user) -> dict:
    reviews = Review.objects.filter(author=user).select_related("offer", "supplier").order_by("pk")
    return {
        "reviews_written": [
            {
                "id": review.pk,
                "contract": review.contract_id,
                "offer": review.offer_id,
                "supplier": review.supplier.name,
                "title": review.title,
                "text": review.text,
                "rating": review.rating,
                "status": review.status,
                "written": review.created_at.isoformat(),
                "published": review.published_at.isoformat() if review.published_at else None,
            }
            for review in reviews
        ]
    }
