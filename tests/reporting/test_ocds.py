"""The OCDS feed: a release package paged with links.next, newest first, and one record per
ocid, valid against the official OCDS 1.1.5 schema (with the partyScale extension applied)."""

import copy
import json
import re
from datetime import datetime, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from reporting import ocds
from tests.accounts.factories import BuyerOrganisationFactory
from tests.catalogue.factories import LotFactory
from tests.suppliers.factories import SupplierProfileFactory

from .factories import bare_supplier, make_contract
from .helpers import OCDS_SCHEMA

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
BASE = "https://standard.open-contracting.org/schema/1__1__5/"
# RFC 3339 date-times (jsonschema checks the format only with optional packages installed).
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _schema(name: str) -> dict:
    path = OCDS_SCHEMA / name
    if not path.exists():
        pytest.skip(f"needs the OCDS 1.1.5 schema at {OCDS_SCHEMA}")
    return json.loads(path.read_text())


def _checker() -> FormatChecker:
    checker = FormatChecker()

    @checker.checks("date-time")
    def is_date_time(value):
        return not isinstance(value, str) or bool(DATE_TIME.match(value))

    @checker.checks("uri")
    def is_uri(value):
        if not isinstance(value, str):
            return True
        parts = urlparse(value)
        return bool(parts.scheme and parts.netloc) and " " not in value

    return checker


@pytest.fixture(scope="module")
def validators():
    release = _schema("release-schema.json")
    # The partyScale extension, applied as its release-schema.json patch says.
    release = copy.deepcopy(release)
    details = release["definitions"]["Organization"]["properties"]["details"]
    details["properties"] = {
        "scale": {"type": ["string", "null"], "enum": ["micro", "sme", "large", "", None]}
    }
    resources = [
        (BASE + "release-schema.json", release),
        (
            BASE + "versioned-release-validation-schema.json",
            _schema("versioned-release-validation-schema.json"),
        ),
    ]
    registry = Registry().with_resources(
        (uri, Resource.from_contents(contents, default_specification=DRAFT4))
        for uri, contents in resources
    )
    checker = _checker()
    return {
        name: Draft4Validator(
            _schema(f"{name}-package-schema.json"), registry=registry, format_checker=checker
        )
        for name in ("release", "record")
    }


def assert_valid(validator, data):
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def full_contract():
    supplier = SupplierProfileFactory(
        legal_name="Bright Idea Limited",
        companies_house_number="01234567",
        address_line_2="Floor 2",
        website="https://brightidea.example.com",
        contact_phone="0113 496 0000",
        is_vcse=True,
    ).organisation
    return make_contract(
        buyer=BuyerOrganisationFactory(name="York Council"),
        supplier=supplier,
        lot=LotFactory(
            name="Cloud software", framework__name="G-Cloud 14", framework__reference="RM1557.14"
        ),
        cpv_codes=("72000000", "48000000-8", "72212000"),
        quantity="12.5",
        unit_price="99.99",
        list_price="120.00",
        national_price="110.00",
        justification="Best value",
        kpis=["99.9% availability"],
        route="further_competition",
    )


def empty_contract():
    """Every optional field empty: no supplier profile, no CPV codes, no list price."""
    return make_contract(
        supplier=bare_supplier(),
        cpv_codes=(),
        list_price=None,
        status="terminated",
    )


def test_releases_validate_for_full_and_empty_contracts(client, validators):
    full = full_contract()
    empty = empty_contract()
    response = client.get("/open-data/ocds/releases.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    package = response.json()
    assert_valid(validators["release"], package)
    assert package["version"] == "1.1"
    assert package["license"] == (
        "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    )
    assert package["extensions"] == [ocds.PARTY_SCALE_EXTENSION]
    assert "links" not in package
    by_ocid = {r["ocid"]: r for r in package["releases"]}
    assert set(by_ocid) == {f"ocds-ndx001-{full.reference}", f"ocds-ndx001-{empty.reference}"}

    release = by_ocid[f"ocds-ndx001-{full.reference}"]
    assert release["tag"] == ["award", "contract"]
    parties = {p["roles"][0]: p for p in release["parties"]}
    assert parties["buyer"]["name"] == "York Council"
    assert release["buyer"] == {"id": parties["buyer"]["id"], "name": "York Council"}
    supplier = parties["supplier"]
    assert supplier["details"] == {"scale": "sme"}
    assert supplier["identifier"] == {
        "scheme": "GB-COH",
        "id": "01234567",
        "legalName": "Bright Idea Limited",
    }
    assert supplier["address"]["streetAddress"] == "1 High Street, Floor 2"
    assert supplier["contactPoint"] == {"url": "https://brightidea.example.com"}
    award = release["awards"][0]
    assert award["value"] == {"amount": 1249.88, "currency": "GBP"}
    assert award["suppliers"] == [{"id": supplier["id"], "name": supplier["name"]}]
    item = award["items"][0]
    assert item["classification"]["scheme"] == "CPV"
    assert item["classification"]["id"] == "72000000"
    assert [c["id"] for c in item["additionalClassifications"]] == ["48000000-8", "72212000"]
    assert item["quantity"] == 12.5
    assert item["unit"]["value"] == {"amount": 99.99, "currency": "GBP"}
    contract = release["contracts"][0]
    assert contract["awardID"] == award["id"]
    assert contract["status"] == "active"
    assert contract["period"]["startDate"].startswith("2025-04-01T00:00:00")
    assert contract["period"]["endDate"].startswith("2026-03-31T23:59:59")
    assert release["tender"]["procurementMethod"] == "selective"
    assert "G-Cloud 14 (RM1557.14)" in release["tender"]["procurementMethodDetails"]

    bare = by_ocid[f"ocds-ndx001-{empty.reference}"]
    assert bare["tag"] == ["award", "contract", "contractTermination"]
    assert bare["contracts"][0]["status"] == "terminated"
    bare_supplier_party = next(p for p in bare["parties"] if p["roles"] == ["supplier"])
    assert set(bare_supplier_party) == {"id", "name", "roles"}
    assert "classification" not in bare["awards"][0]["items"][0]
    assert bare["tender"]["procurementMethod"] == "direct"


def test_records_validate_for_full_and_empty_contracts(client, validators):
    for contract in (full_contract(), empty_contract()):
        ocid = f"ocds-ndx001-{contract.reference}"
        response = client.get(f"/open-data/ocds/records/{ocid}.json")
        assert response.status_code == 200
        package = response.json()
        assert_valid(validators["record"], package)
        record = package["records"][0]
        assert record["ocid"] == ocid
        assert [r["ocid"] for r in record["releases"]] == [ocid]
        assert record["compiledRelease"]["tag"] == ["compiled"]
        assert package["packages"] == ["http://testserver/open-data/ocds/releases.json"]


def test_the_feed_is_newest_first_and_paged_with_links_next(client, validators, monkeypatch):
    monkeypatch.setattr(ocds, "PAGE_SIZE", 2)
    start = datetime(2025, 5, 1, 9, 0, tzinfo=LONDON)
    contracts = [make_contract(awarded_at=start + timedelta(days=i)) for i in range(4)]
    # Two awarded at the same moment still page in a stable order.
    contracts.append(make_contract(awarded_at=start + timedelta(days=3)))
    url = "/open-data/ocds/releases.json"
    seen = []
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        package = response.json()
        assert_valid(validators["release"], package)
        assert len(package["releases"]) <= 2
        seen += [r["ocid"] for r in package["releases"]]
        url = package.get("links", {}).get("next")
        if url:
            assert url.startswith("http://testserver/open-data/ocds/releases.json?before=")
        pages += 1
    assert pages == 3
    expected = sorted(contracts, key=lambda c: (c.awarded_at, c.pk), reverse=True)
    assert seen == [ocds.ocid_for(c) for c in expected]


def test_an_empty_feed_and_unknown_records_are_not_found(client):
    response = client.get("/open-data/ocds/releases.json")
    assert response.status_code == 404
    assert response.json() == {"detail": "There are no contracts to publish here yet."}
    contract = make_contract()
    for url in [
        "/open-data/ocds/records/ocds-ndx001-NOPE.json",
        f"/open-data/ocds/records/ocds-other1-{contract.reference}.json",
        "/open-data/ocds/releases.json?before=abc",
        "/open-data/ocds/releases.json?before=999999",
    ]:
        assert client.get(url).status_code == 404, url


def test_contracts_with_unknown_sme_status_have_no_scale(client, validators):
    unknown = SupplierProfileFactory(size="", is_sme=None).organisation
    large = SupplierProfileFactory(size="large", is_sme=False).organisation
    make_contract(supplier=unknown)
    make_contract(supplier=large)
    package = client.get("/open-data/ocds/releases.json").json()
    assert_valid(validators["release"], package)
    scales = {
        p["name"]: p.get("details", {}).get("scale")
        for r in package["releases"]
        for p in r["parties"]
        if p["roles"] == ["supplier"]
    }
    assert scales == {unknown.name: None, large.name: "large"}


def test_the_open_data_page_explains_the_data_and_its_licence(client):
    contract = make_contract()
    response = client.get("/open-data/")
    assert response.status_code == 200
    assert "reporting/open_data.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert "Open Government Licence v3.0" in content
    assert "ocds-ndx001" in content
    assert "/open-data/ocds/releases.json" in content
    assert f"/open-data/ocds/records/ocds-ndx001-{contract.reference}.json" in content
    assert 'href="/open-data/"' in client.get("/").content.decode()  # the footer links to it


def test_the_schema_check_finds_mistakes(client, validators):
    make_contract()
    package = client.get("/open-data/ocds/releases.json").json()
    broken = copy.deepcopy(package)
    release = broken["releases"][0]
    del release["ocid"]
    release["contracts"][0]["status"] = "finished"
    release["parties"][1]["details"] = {"scale": "tiny"}
    release["date"] = "2025-05-01"
    broken["uri"] = "not a uri"
    errors = {e.message for e in validators["release"].iter_errors(broken)}
    assert len(errors) == 5, errors


def test_the_contracts_life_is_in_the_feed_and_validates(client, validators):
    """Amendments (contractAmendment), termination, milestones from outcomes and performance
    reports as physicalProgressReport documents."""
    from django.utils import timezone

    from contracts.models import (
        ContractKpi,
        ContractOutcome,
        ContractVariation,
        PerformanceReport,
    )

    contract = make_contract(status="terminated", national_price="120.00")
    now = timezone.now()
    ContractVariation.objects.create(
        contract=contract,
        number=1,
        ground="below_threshold",
        status="accepted",
        new_value=1050,
        reason="More users",
        proposed_at=now,
        responded_at=now,
    )
    ContractVariation.objects.create(
        contract=contract,
        number=2,
        ground="additional",
        status="rejected",
        new_value=2000,
        reason="Payroll",
        proposed_at=now,
    )
    ContractKpi.objects.create(contract=contract, name="Availability")
    PerformanceReport.objects.create(
        contract=contract,
        period_start=contract.start_date,
        period_end=contract.start_date + timedelta(days=90),
        overall_rating="inadequate",
        filed_at=now,
    )
    for assessment in ("achieved", "partly", "not_achieved", ""):
        ContractOutcome.objects.create(
            contract=contract,
            text=f"Outcome {assessment}",
            assessment=assessment,
            evidence="Survey" if assessment else "",
            assessed_at=now if assessment else None,
        )
    package = client.get("/open-data/ocds/releases.json").json()
    assert_valid(validators["release"], package)
    release = package["releases"][0]
    assert release["tag"] == ["award", "contract", "contractAmendment", "contractTermination"]
    awarded = release["contracts"][0]
    assert awarded["status"] == "terminated"
    assert [a["id"] for a in awarded["amendments"]] == [f"{contract.reference}-amendment-1"]
    assert awarded["amendments"][0]["rationale"].startswith("Below-threshold modification")
    documents = awarded["implementation"]["documents"]
    assert [d["documentType"] for d in documents] == ["physicalProgressReport"]
    statuses = [m["status"] for m in awarded["implementation"]["milestones"]]
    assert statuses == ["met", "partiallyMet", "notMet", "scheduled"]


def test_the_demo_feed_validates_with_an_amendment_a_termination_and_a_report(client, validators):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    releases, url = [], "/open-data/ocds/releases.json"
    while url:
        package = client.get(url).json()
        assert_valid(validators["release"], package)
        releases += package["releases"]
        url = package.get("links", {}).get("next", "").removeprefix("http://testserver")
    contracts = [r["contracts"][0] for r in releases]
    assert any(c.get("amendments") for c in contracts)
    assert any("contractAmendment" in r["tag"] for r in releases)
    assert any(
        c["status"] == "terminated" and "contractTermination" in r["tag"]
        for r, c in zip(releases, contracts, strict=True)
    )
    documents = [d for c in contracts for d in c.get("implementation", {}).get("documents", [])]
    assert documents and {d["documentType"] for d in documents} == {"physicalProgressReport"}
    statuses = {
        m["status"] for c in contracts for m in c.get("implementation", {}).get("milestones", [])
    }
    assert {"met", "partiallyMet"} <= statuses
