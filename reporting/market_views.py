"""The market's open data: engagements (planning) and further competitions (tender)."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from . import ocds, ocds_market


@require_GET
def ocds_market_releases(request):
    releases, published = ocds_market.market_releases()
    if not releases:
        return JsonResponse(
            {"detail": "There are no engagements or competitions to publish here yet."},
            status=404,
            json_dumps_params={"indent": 1},
        )
    base = request.build_absolute_uri("/").rstrip("/")
    package = ocds.package_of(
        releases,
        uri=request.build_absolute_uri(),
        base_url=base,
        next_url=None,
        published=published,
    )
    response = JsonResponse(package, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Access-Control-Allow-Origin"] = "*"
    return response
