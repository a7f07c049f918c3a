"""Pre-market engagement: publish, questions published to all, responses, close, mark useful,
conclude with a summary or turn into a pre-filled requirement; the forward plan and its CSV."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from market.models import Engagement, PipelineEntry
from market.services import engagements, pipeline
from ndx.lifecycle import TransitionRefused
from tests.accounts.factories import BuyerOrganisationFactory, member
from tests.auth import Client

from .helpers import buyer, join, publish

pytestmark = pytest.mark.django_db

LIFE = Engagement.LIFECYCLE


@pytest.mark.parametrize("state", sorted(LIFE.states()))
@pytest.mark.parametrize("name", sorted(LIFE.moves))
def test_every_engagement_move_is_allowed_or_refused_as_declared(state, name):
    engagement = Engagement(status=state)
    declared = state in LIFE.moves[name].sources
    assert LIFE.can(engagement, name) is declared
    if declared:
        assert LIFE.apply(engagement, name) == LIFE.moves[name].to
    else:
        with pytest.raises(TransitionRefused):
            LIFE.apply(engagement, name)
        assert engagement.status == state


def test_publish_checks_the_answers():
    owner = buyer()
    with pytest.raises(ValidationError) as exc:
        publish(owner, problem="", closes_on=timezone.localdate(), budget_min="90", budget_max="5")
    errors = exc.value.message_dict
    assert errors["problem"] == ["Describe the problem (not a solution)"]
    assert errors["closes_on"] == ["The closing date must be in the future"]
    assert "budget_max" in errors
    assert not Engagement.objects.exists()


def test_suppliers_cannot_publish():
    supplier = join("Casework Ltd").contact
    with pytest.raises(PermissionDenied):
        publish(supplier)


def test_the_whole_engagement(django_capture_on_commit_callbacks):
    owner = buyer()
    supplier = join("Casework Ltd").contact
    engagement = publish(owner)
    question = engagements.engagement_ask(
        actor=supplier, engagement=engagement, question="Is there an API?"
    )
    page = Client().get(reverse("market:engagement", args=[engagement.pk])).content.decode()
    assert "Is there an API?" not in page  # published once answered
    engagements.engagement_answer(actor=owner, question=question, answer="Yes, a REST API.")
    page = Client().get(reverse("market:engagement", args=[engagement.pk])).content.decode()
    assert "Is there an API?" in page and "Yes, a REST API." in page
    response = engagements.engagement_respond(
        actor=supplier,
        engagement=engagement,
        data={"approach": "Configure our product.", "is_sme": True, "is_vcse": False},
    )
    with pytest.raises(ValidationError, match="already responded"):
        engagements.engagement_respond(
            actor=supplier,
            engagement=engagement,
            data={"approach": "Again.", "is_sme": True, "is_vcse": False},
        )
    with pytest.raises(ValidationError, match="after the engagement closes"):
        engagements.engagement_mark_useful(actor=owner, response=response, useful=True)
    with pytest.raises(TransitionRefused, match="Close the engagement"):
        engagements.engagement_convert(actor=owner, engagement=engagement)
    engagement = engagements.engagement_close(actor=owner, engagement=engagement)
    with pytest.raises(ValidationError, match="closed"):
        engagements.engagement_respond(
            actor=supplier,
            engagement=engagement,
            data={"approach": "Late.", "is_sme": True, "is_vcse": False},
        )
    engagements.engagement_mark_useful(actor=owner, response=response, useful=True)
    requirement = engagements.engagement_convert(actor=owner, engagement=engagement)
    engagement.refresh_from_db()
    assert engagement.status == "converted" and engagement.requirement == requirement
    assert requirement.title == "Housing case management"
    assert "spreadsheets" in requirement.problem and "Casework Ltd" in requirement.problem
    assert requirement.budget_min == Decimal("40000") and requirement.budget_max == Decimal("90000")
    assert requirement.organisation == owner.organisation


def test_another_buyer_cannot_manage_it():
    engagement = publish(buyer())
    other = member(BuyerOrganisationFactory(name="York Council"))
    with pytest.raises(PermissionDenied):
        engagements.engagement_close(actor=other, engagement=engagement)


def test_conclude_publishes_the_summary():
    owner = buyer()
    engagement = engagements.engagement_close(actor=owner, engagement=publish(owner))
    engagements.engagement_conclude(
        actor=owner, engagement=engagement, summary="The market can do this off the shelf."
    )
    page = Client().get(reverse("market:engagement", args=[engagement.pk])).content.decode()
    assert "The market can do this off the shelf." in page


def test_engagements_past_closing_are_closed_by_the_beat_task():
    owner = buyer()
    engagement = publish(owner)
    Engagement.objects.filter(pk=engagement.pk).update(
        closes_on=timezone.localdate() - timedelta(days=1)
    )
    assert engagements.engagements_close_due() == 1
    assert engagements.engagements_close_due() == 0
    engagement.refresh_from_db()
    assert engagement.status == "closed"


def test_the_list_filters_by_sector_region_and_closing():
    owner = buyer()
    publish(owner, title="Housing case management")
    publish(owner, title="Road gritting sensors", cpv_division="34", region="london")
    client = Client()
    page = client.get(reverse("market:engagements") + "?sector=34").content.decode()
    assert "Road gritting sensors" in page and "Housing case management" not in page
    page = client.get(reverse("market:engagements") + "?region=yorkshire").content.decode()
    assert "Housing case management" in page and "Road gritting sensors" not in page
    page = client.get(reverse("market:engagements") + "?closing=closed").content.decode()
    assert "Housing case management" not in page


def _entry(owner, **overrides):
    data = {
        "title": "Replace the library system",
        "description": "Library management for 30 branches.",
        "cpv_division": "48",
        "estimated_value": Decimal("250000"),
        "expected_start": timezone.localdate() + timedelta(days=120),
        "route": "further_competition",
        "region": "",
        "lot": None,
    }
    data.update(overrides)
    return pipeline.pipeline_entry_add(actor=owner, data=data)


def test_the_forward_plan_is_public_with_csv_and_starts_a_requirement():
    owner = buyer()
    entry = _entry(owner)
    _entry(owner, title='=HYPERLINK("x")', cpv_division="72")
    with pytest.raises(ValidationError) as exc:
        _entry(owner, expected_start=timezone.localdate() + timedelta(days=700))
    assert exc.value.message_dict["expected_start"] == [
        "The expected start must be in the next 18 months"
    ]
    client = Client()
    assert "Replace the library system" in client.get(reverse("market:pipeline")).content.decode()
    csv = client.get(reverse("market:pipeline_csv") + "?division=72").content.decode()
    assert "Replace the library system" not in csv
    assert "'=HYPERLINK" in csv  # formula cells neutralised
    requirement = pipeline.pipeline_entry_to_requirement(actor=owner, entry=entry)
    assert requirement.title == entry.title and "30 branches" in requirement.problem
    with pytest.raises(ValidationError, match="already been started"):
        pipeline.pipeline_entry_to_requirement(
            actor=owner, entry=PipelineEntry.objects.get(pk=entry.pk)
        )


def test_a_forward_plan_entry_becomes_an_engagement():
    owner = buyer()
    entry = _entry(owner)
    engagement = engagements.engagement_publish(
        actor=owner,
        data={
            **pipeline.engagement_initial_from(entry),
            "outcomes": "Branches share one catalogue.",
            "closes_on": timezone.localdate() + timedelta(days=10),
        },
        pipeline_entry=entry,
    )
    entry.refresh_from_db()
    assert entry.engagement == engagement and entry.is_started
