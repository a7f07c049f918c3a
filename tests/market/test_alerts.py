"""Alerts: the matcher ranks consenting members against each new need once; members get an
explained alert at once, or in a daily or weekly digest, never twice; competitions go to their
invited suppliers only; private requirements go to nobody; followed searches send digests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from market.models import Alert, AlertSource, DirectoryMember
from market.services import alerts, follows
from matching.ranking_api import Candidate, Need, rank_candidates, text_terms
from ndx.notifications.models import Notification

from .helpers import buyer, join, publish

pytestmark = pytest.mark.django_db


def test_rank_candidates_scores_and_explains():
    need = Need("Case management for housing caseworkers", frozenset(["72"]), "yorkshire")
    close = Candidate(
        "close",
        frozenset(text_terms("housing case management software")),
        frozenset(["72"]),
        frozenset(["yorkshire"]),
    )
    far = Candidate(
        "far", frozenset(text_terms("road gritting and salt lorries")), frozenset(["34"])
    )
    ranked = rank_candidates(need, [close, far], threshold=0.2)
    assert [r.key for r in ranked] == ["close"]
    why = ranked[0].explanation(
        cpv_names={"72": "IT services"}, region_names={"yorkshire": "Yorkshire"}
    )
    assert "“case management”" in why or "“housing”" in why
    assert "CPV division 72 (IT services)" in why and "Yorkshire" in why


def test_an_engagement_alerts_matching_consenting_members_with_an_explanation(
    django_capture_on_commit_callbacks,
):
    owner = buyer()
    match = join("Casework Ltd")
    join(
        "Gritting Ltd",
        description="Winter road gritting and salt spreading lorries.",
        cpv_divisions=["34"],
        regions=["london"],
    )
    join("Silent Ltd", consent=False)
    with django_capture_on_commit_callbacks(execute=True):
        engagement = publish(owner)
    source = AlertSource.objects.get(key=f"engagement-{engagement.pk}")
    assert list(source.alerts.values_list("member", flat=True)) == [match.pk]
    (email,) = mail.outbox
    assert email.to == [match.contact.email]
    assert "Housing case management" in email.subject
    assert "Why you:" in email.body and "CPV division 72" in email.body
    # Ranked once: running the task again sends nothing more.
    alerts.alert_engagement(engagement_id=engagement.pk)
    assert Alert.objects.count() == 1 and len(mail.outbox) == 1


def test_sector_choice_is_respected(django_capture_on_commit_callbacks):
    owner = buyer()
    join("Only Transport Ltd", consent_sectors=["34"])
    with django_capture_on_commit_callbacks(execute=True):
        publish(owner)
    assert not Alert.objects.exists()


def test_daily_and_weekly_digests_are_sent_once(django_capture_on_commit_callbacks):
    owner = buyer()
    daily = join("Daily Ltd", frequency="daily")
    weekly = join("Weekly Ltd", frequency="weekly")
    with django_capture_on_commit_callbacks(execute=True):
        publish(owner)
        publish(owner, title="Homelessness case tracking")
    assert mail.outbox == []
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.alerts_digests_send(now=now) == 2
        assert alerts.alerts_digests_send(now=now) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [daily.contact.email, weekly.contact.email]
    )
    assert all("2 new matches" in m.subject for m in mail.outbox)
    assert all("/directory/withdraw/" in m.body for m in mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        publish(owner, title="Housing caseworker portal")
    with django_capture_on_commit_callbacks(execute=True):
        # A day later the daily member gets the next digest; the weekly one waits a week.
        assert alerts.alerts_digests_send(now=now + timedelta(days=1)) == 1
        assert alerts.alerts_digests_send(now=now + timedelta(days=7)) == 1
    assert len(mail.outbox) == 4
    assert not Alert.objects.pending().exists()


def test_competitions_go_to_invited_suppliers_only_and_private_requirements_to_nobody():
    from market.services import directory
    from tests.security.conftest import build_world

    world = build_world()
    work = "Case management: social workers record assessments, case notes and care plans."
    member_data = {
        "description": work,
        "cpv_divisions": ["72"],
        "regions": ["london"],
        "size": "small",
        "consent_contact": True,
        "frequency": "immediate",
    }
    invited = directory.directory_join(actor=world.users["supplier_a_admin"], data=member_data)
    outsider = join("Outsider Ltd", description=work)
    alerts.alert_competition(competition_id=world.competition_open.pk)
    source = AlertSource.objects.get(key=f"competition-{world.competition_open.pk}")
    assert set(source.alerts.values_list("member", flat=True)) == {invited.pk}
    assert "Why you:" in source.alerts.get().explanation
    # A submitted requirement goes to every matching member, found by the beat scan...
    counts = alerts.alerts_scan()
    assert counts["requirements"] == 1
    source = AlertSource.objects.get(key=f"requirement-{world.requirement.pk}")
    assert {invited.pk, outsider.pk} <= set(source.alerts.values_list("member", flat=True))
    assert alerts.alerts_scan() == {"requirements": 0, "competitions": 0}  # once only
    # ...but one the buyer keeps private goes to nobody.
    follows.requirement_privacy_set(
        actor=world.users["buyer_a_member"], requirement=world.requirement_draft, private=True
    )
    assert alerts.alert_requirement(requirement_id=world.requirement_draft.pk) is None


def test_members_not_consenting_are_never_ranked():
    join("Silent Ltd", consent=False)
    ranked = alerts.rank_directory(Need("case management housing"))
    assert ranked == []
    assert DirectoryMember.objects.count() == 1


def test_a_followed_search_sends_a_daily_digest_of_new_offers(django_capture_on_commit_callbacks):
    from tests.security.conftest import build_world

    world = build_world()
    user = world.users["buyer_a_member"]
    followed = follows.search_follow(actor=user, saved_search=world.saved_search, follow=True)
    followed.since = timezone.now() - timedelta(days=365)
    followed.save()
    with django_capture_on_commit_callbacks(execute=True):
        sent = follows.followed_searches_digest()
        again = follows.followed_searches_digest()
    assert (sent, again) == (1, 0)
    note = Notification.objects.get(recipient=user, kind="market.followed_search")
    assert "new or changed" in note.title
    assert any(m.to == [user.email] and "new or changed" in m.subject for m in mail.outbox)
