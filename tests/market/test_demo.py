"""The market demo: 100+ directory members with varied consent, open and closed engagements
with responses, forward plans, and alerts already sent, shown on a demo supplier's dashboard."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from market.models import Alert, DirectoryMember, Engagement, PipelineEntry
from ndx.accounts.models import User
from tests.auth import Client

pytestmark = pytest.mark.django_db


def test_seed_demo_fills_the_market_and_sends_alerts(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "market: " in out
    members = DirectoryMember.objects.all()
    assert members.count() >= 100
    assert members.filter(consent_contact=True, withdrawn_at__isnull=True).count() >= 50
    assert members.filter(withdrawn_at__isnull=False).exists()
    assert members.filter(consented_at__isnull=True).exists()
    assert {m.frequency for m in members.filter(consent_contact=True)} == {
        "immediate",
        "daily",
        "weekly",
    }
    statuses = set(Engagement.objects.values_list("status", flat=True))
    assert "open" in statuses and {"closed", "concluded"} <= statuses
    assert Engagement.objects.filter(status="concluded", responses__isnull=False).exists()
    assert PipelineEntry.objects.count() >= 5
    sent = Alert.objects.filter(notified_at__isnull=False)
    assert sent.count() >= 50
    assert not sent.filter(
        member__withdrawn_at__isnull=False, notified_at__gt=models_withdrawn()
    ).exists()
    supplier = User.objects.get(email="supplier@northwind-digital.co.uk")
    client = Client()
    client.force_login(supplier)
    page = client.get("/suppliers/").content.decode()
    assert "Opportunities that match you" in page and "Why you:" in page
    first = (Alert.objects.count(), Engagement.objects.count(), members.count())
    call_command("seed_demo")
    assert (Alert.objects.count(), Engagement.objects.count(), members.count()) == first


def models_withdrawn():
    from django.db.models import F

    return F("member__withdrawn_at")
