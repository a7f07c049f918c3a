"""Contracts as Open Contracting Data Standard 1.1.5 releases and records.

- ocid: OCID_PREFIX + "-" + the contract's reference, e.g. ocds-ndx001-NDX-C-000123. One
  contracting process per NDX contract (a call-off from a framework). The prefix "ocds-ndx001"
  has the form of prefixes the Open Contracting Partnership issues (ocds- and 6 characters);
  NDX would register its own before publishing for real and change OCID_PREFIX to it.
- One release per contract, tagged award and contract (plus contractTermination once it has
  ended), dated when it was awarded; its id is the ocid followed by the contract's status, so a
  contract that ends gets a new release.
- Parties: the buyer (roles buyer) and the supplier (roles supplier), with the SME flag in
  parties[].details.scale ("sme" or "large") from the partyScale extension when known.
- Items: what was bought, with the offer revision's CPV codes (scheme CPV; the first as the
  classification, the rest as additional classifications), quantity and unit price.
- Values in GBP; dates as ISO 8601 date-times in UK time.
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from urllib.parse import quote

from django.utils import timezone

from catalogue.cpv import CPV_DIVISIONS

from .social_value import award_criteria_details

OCDS_VERSION = "1.1"
OCID_PREFIX = "ocds-ndx001"
PARTY_SCALE_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_partyDetails_scale_extension/master/extension.json"
)
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
PUBLISHER_NAME = "National Digital Exchange"
PAGE_SIZE = 100

ROUTE_METHODS = {
    "direct_award": ("direct", "Call-off from a framework agreement by direct award"),
    "further_competition": (
        "selective",
        "Call-off from a framework agreement by further competition",
    ),
}
CONTRACT_STATUSES = {
    "mobilising": "pending",
    "active": "active",
    "ended": "terminated",
    "terminated": "terminated",
}
MILESTONE_STATUSES = {"achieved": "met", "partly": "partiallyMet", "not_achieved": "notMet"}


def ocid_for(contract) -> str:
    return f"{OCID_PREFIX}-{contract.reference}"


def reference_from_ocid(ocid: str) -> str | None:
    prefix = f"{OCID_PREFIX}-"
    return ocid[len(prefix) :] if ocid.startswith(prefix) and len(ocid) > len(prefix) else None


def record_path(contract) -> str:
    """The path of the contract's record (the ocid made safe for a URL)."""
    return f"/open-data/ocds/records/{quote(ocid_for(contract), safe='')}.json"


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def _money(value: Decimal | None) -> dict | None:
    return None if value is None else {"amount": _number(value), "currency": "GBP"}


def _datetime(value) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def _day(value, end: bool = False) -> str:
    moment = datetime.combine(value, time(23, 59, 59) if end else time(0, 0, 0))
    return timezone.make_aware(moment).isoformat(timespec="seconds")


def _without_empty(data):
    """Drop keys whose value is None, an empty string, list or object (OCDS omits them)."""
    if isinstance(data, dict):
        cleaned = {k: _without_empty(v) for k, v in data.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(data, list):
        return [_without_empty(v) for v in data]
    return data


def party_id(organisation) -> str:
    return f"NDX-ORG-{organisation.pk}"


def _party(organisation, role: str) -> dict:
    party = {"id": party_id(organisation), "name": organisation.name, "roles": [role]}
    profile = getattr(organisation, "supplier_profile", None) if role == "supplier" else None
    if profile is not None:
        if profile.companies_house_number:
            party["identifier"] = {
                "scheme": "GB-COH",
                "id": profile.companies_house_number,
                "legalName": profile.legal_name,
            }
        party["address"] = {
            "streetAddress": ", ".join(
                p for p in (profile.address_line_1, profile.address_line_2) if p
            ),
            "locality": profile.town,
            "postalCode": profile.postcode,
            "countryName": "United Kingdom" if profile.postcode else "",
        }
        # Only the website: a contact's name, email and phone may be a person's own details.
        party["contactPoint"] = {"url": profile.website}
        if profile.is_sme is not None:
            party["details"] = {"scale": "sme" if profile.is_sme else "large"}
    return party


def _classification(code: str) -> dict:
    return {
        "scheme": "CPV",
        "id": code,
        "description": CPV_DIVISIONS.get(code[:2], ""),
    }


def _items(contract) -> list[dict]:
    revision = contract.revision
    codes = list(revision.cpv_codes or [])
    item = {
        "id": "1",
        "description": revision.title,
        "quantity": _number(contract.quantity),
        "unit": {
            "name": revision.get_pricing_model_display(),
            "value": _money(contract.unit_price),
        },
    }
    if codes:
        item["classification"] = _classification(codes[0])
        item["additionalClassifications"] = [_classification(c) for c in codes[1:]]
    return [item]


def _award_criteria(contract) -> dict:
    """Further competitions are awarded on rated criteria: the weights and the social value
    scores by model criteria theme go into awardCriteriaDetails."""
    if contract.social_value_weight is None:
        return {}
    return {
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": award_criteria_details(contract),
    }


def release_for(contract) -> dict:
    """One OCDS release for a contract (with select_related organisation, supplier profile,
    offer lot framework and revision)."""
    ocid = ocid_for(contract)
    status = CONTRACT_STATUSES.get(contract.status, "active")
    amendments = _amendments(contract)
    tags = ["award", "contract"]
    if amendments:
        tags.append("contractAmendment")
    if status == "terminated":
        tags.append("contractTermination")
    method, method_details = ROUTE_METHODS.get(contract.route, ("", ""))
    framework = contract.offer.lot.framework
    buyer = contract.organisation
    supplier = contract.supplier
    award_id = f"{contract.reference}-award"
    period = {"startDate": _day(contract.start_date), "endDate": _day(contract.end_date, True)}
    items = _items(contract)
    release = {
        "ocid": ocid,
        "id": f"{ocid}-{contract.status}" + (f"-amendment-{len(amendments)}" if amendments else ""),
        "date": _datetime(contract.awarded_at),
        "tag": tags,
        "initiationType": "tender",
        "language": "en",
        "parties": [_party(buyer, "buyer"), _party(supplier, "supplier")],
        "buyer": {"id": party_id(buyer), "name": buyer.name},
        "tender": {
            "id": f"{contract.reference}-tender",
            "title": contract.title,
            "status": "complete",
            "procurementMethod": method,
            "procurementMethodDetails": (
                f"{method_details}: {framework.name} ({framework.reference}), "
                f"{contract.offer.lot.name}"
                if method_details
                else ""
            ),
            **_award_criteria(contract),
        },
        "awards": [
            {
                "id": award_id,
                "title": contract.title,
                "status": "active",
                "date": _datetime(contract.awarded_at),
                "value": _money(contract.value),
                "suppliers": [{"id": party_id(supplier), "name": supplier.name}],
                "items": items,
                "contractPeriod": period,
            }
        ],
        "contracts": [
            {
                "id": contract.reference,
                "awardID": award_id,
                "title": contract.title,
                "status": status,
                "period": period,
                "value": _money(contract.value),
                "items": items,
                "amendments": amendments,
                "implementation": {
                    "milestones": _milestones(contract),
                    "documents": _progress_reports(contract),
                },
            }
        ],
    }
    return _without_empty(release)


# --- the contract's life after award (contracts app: variations, reports, outcomes) ----------


def _amendments(contract) -> list[dict]:
    """Each accepted variation, as the contract now stands after it."""
    return [
        {
            "id": f"{contract.reference}-amendment-{v.number}",
            "date": _datetime(v.responded_at or v.proposed_at),
            "rationale": f"{v.get_ground_display()}: {v.reason}",
            "description": _variation_text(v),
        }
        for v in contract.variations.all()
        if v.status == "accepted"
    ]


def _variation_text(variation) -> str:
    parts = []
    if variation.new_value is not None:
        parts.append(f"Value changed to £{variation.new_value:,.2f}")
    if variation.new_end_date is not None:
        parts.append(f"End date changed to {variation.new_end_date:%-d %B %Y}")
    if variation.scope_change:
        parts.append(f"Scope: {variation.scope_change}")
    return ". ".join(parts)


def _milestones(contract) -> list[dict]:
    """The outcomes the contract was bought for (benefits realisation)."""
    return [
        {
            "id": f"{contract.reference}-outcome-{outcome.pk}",
            "title": outcome.text,
            "type": "delivery",
            "status": MILESTONE_STATUSES.get(outcome.assessment, "scheduled"),
            "description": outcome.evidence,
            "dateMet": _datetime(outcome.assessed_at)
            if outcome.assessment == "achieved" and outcome.assessed_at
            else None,
        }
        for outcome in contract.outcomes.all()
    ]


def _progress_reports(contract) -> list[dict]:
    """Performance reports, as contract performance documents."""
    return [
        {
            "id": f"{contract.reference}-performance-{report.pk}",
            "documentType": "physicalProgressReport",
            "title": f"Performance report, {report.period_start:%-d %B %Y} to "
            f"{report.period_end:%-d %B %Y}",
            "description": f"Overall rating: {report.get_overall_rating_display()}",
            "datePublished": _datetime(report.filed_at),
            "format": "text/html",
            "language": "en",
        }
        for report in contract.performance_reports.all()
    ]


def _publisher(base_url: str) -> dict:
    return {"name": PUBLISHER_NAME, "uri": f"{base_url}/"}


def release_package(
    contracts, *, uri: str, base_url: str, next_url: str | None, published: datetime
) -> dict:
    releases = [release_for(c) for c in contracts]
    return package_of(releases, uri=uri, base_url=base_url, next_url=next_url, published=published)


def package_of(
    releases: list[dict], *, uri: str, base_url: str, next_url: str | None, published: datetime
) -> dict:
    """A release package around releases made here or elsewhere (reporting/ocds_market.py:
    engagements as planning releases, further competitions as tender releases)."""
    package = {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": [PARTY_SCALE_EXTENSION],
        "publishedDate": _datetime(published),
        "publisher": _publisher(base_url),
        "license": LICENCE_URL,
        "publicationPolicy": f"{base_url}/open-data/",
        "releases": releases,
    }
    if next_url:
        package["links"] = {"next": next_url}
    return package


def record_package(contract, *, uri: str, base_url: str, releases_url: str) -> dict:
    release = release_for(contract)
    compiled = dict(release, id=f"{release['ocid']}-compiled", tag=["compiled"])
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": [PARTY_SCALE_EXTENSION],
        "publishedDate": release["date"],
        "publisher": _publisher(base_url),
        "license": LICENCE_URL,
        "publicationPolicy": f"{base_url}/open-data/",
        "packages": [releases_url],
        "records": [
            {
                "ocid": release["ocid"],
                "releases": [release],
                "compiledRelease": compiled,
            }
        ],
    }
