"""Engagements as OCDS planning releases and further competitions as tender releases: valid
against OCDS 1.1.5, and never naming the invited suppliers or their responses."""

from __future__ import annotations

import json

import pytest

from market.services import engagements
from reporting import ocds_market
from tests.market.helpers import buyer, join, publish

from .test_ocds import assert_valid, validators  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def test_engagements_are_planning_releases_and_validate(client, validators):  # noqa: F811
    owner = buyer()
    open_one = publish(owner)
    closed = engagements.engagement_close(
        actor=owner, engagement=publish(owner, title="Road sensors", budget_min="", region="")
    )
    bare = publish(owner, title="No budget", budget_min="", budget_max="", constraints="")
    response = client.get("/open-data/ocds/market-releases.json")
    assert response.status_code == 200
    package = response.json()
    assert_valid(validators["release"], package)
    releases = {r["ocid"]: r for r in package["releases"]}
    release = releases[ocds_market.engagement_ocid(open_one)]
    assert release["tag"] == ["planning"]
    assert release["tender"]["status"] == "planning"
    assert release["planning"]["rationale"] == open_one.problem
    assert release["planning"]["budget"]["amount"] == {"amount": 90000, "currency": "GBP"}
    assert release["tender"]["items"][0]["classification"]["id"] == "72000000"
    assert releases[ocds_market.engagement_ocid(closed)]["id"].endswith("-closed")
    assert "budget" not in releases[ocds_market.engagement_ocid(bare)]["planning"]


def test_responses_are_not_published(client, validators):  # noqa: F811
    owner = buyer()
    engagement = publish(owner)
    supplier = join("Secret Ideas Ltd").contact
    engagements.engagement_respond(
        actor=supplier,
        engagement=engagement,
        data={"approach": "A confidential approach.", "is_sme": True, "is_vcse": False},
    )
    body = client.get("/open-data/ocds/market-releases.json").content.decode()
    assert "Secret Ideas Ltd" not in body and "confidential approach" not in body


def test_open_competitions_are_tender_releases_without_the_invited_suppliers(client, validators):  # noqa: F811
    from tests.security.conftest import build_world

    world = build_world()
    response = client.get("/open-data/ocds/market-releases.json")
    assert response.status_code == 200
    package = response.json()
    assert_valid(validators["release"], package)
    tenders = {r["ocid"]: r for r in package["releases"] if r["tag"] == ["tender"]}
    release = tenders[ocds_market.competition_ocid(world.competition_open)]
    assert release["tender"]["status"] == "active"
    assert release["tender"]["tenderPeriod"]["endDate"]
    assert ocds_market.competition_ocid(world.competition_draft) not in tenders
    assert [p["roles"] for p in release["parties"]] == [["buyer"]]
    assert "tenderers" not in release["tender"]
    text = json.dumps(package)
    for supplier in (world.supplier_a, world.supplier_b, world.supplier_c):
        assert supplier.name not in text


def test_nothing_to_publish_is_not_found(client):
    assert client.get("/open-data/ocds/market-releases.json").status_code == 404
