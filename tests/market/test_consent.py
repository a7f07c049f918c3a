"""Directory consent: recorded with wording and time, withdrawn by a signed link without
signing in, nothing sent after withdrawal, and no member visible to buyers without consent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from market.models import CONSENT_WORDING, Alert, ConsentRecord, DirectoryMember
from market.services import alerts, directory
from ndx.notifications.models import Notification
from tests.accounts.factories import StaffFactory
from tests.auth import Client

from .helpers import buyer, join, publish

pytestmark = pytest.mark.django_db


def test_consent_is_recorded_with_its_wording_and_time():
    before = timezone.now()
    member = join("Casework Ltd")
    record = member.consent_records.get()
    assert record.action == ConsentRecord.Action.GIVEN
    assert record.wording == CONSENT_WORDING
    assert "withdraw at any time" in record.wording
    assert before <= record.recorded_at <= timezone.now()
    assert member.consented_at == pytest.approx(record.recorded_at, abs=timedelta(seconds=1))
    assert record.frequency == "immediate" and record.via == "form"
    assert member.consents


def test_joining_without_consent_records_no_consent():
    member = join("Quiet Ltd", consent=False)
    assert not member.consents and member.consented_at is None
    assert not member.consent_records.exists()


def test_withdrawal_by_the_emailed_link_needs_no_sign_in():
    member = join("Casework Ltd")
    url = reverse("market:withdraw", args=[directory.withdraw_token(member)])
    client = Client()
    page = client.get(url)
    assert page.status_code == 200 and "Withdraw consent" in page.content.decode()
    assert DirectoryMember.objects.get(pk=member.pk).consents  # GET changes nothing
    done = client.post(url)
    assert done.status_code == 200 and "Consent withdrawn" in done.content.decode()
    member.refresh_from_db()
    assert not member.consents and member.withdrawn_at is not None
    record = member.consent_records.latest("recorded_at")
    assert record.action == ConsentRecord.Action.WITHDRAWN
    assert record.via == "email link" and record.by_user is None


def test_a_forged_token_is_refused_with_a_clear_page():
    member = join("Casework Ltd")
    token = directory.withdraw_token(member)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    other = signing.TimestampSigner(salt="another-salt").sign_object({"m": member.pk, "g": 0})
    for bad in (forged, other, "not-a-token"):
        response = Client().post(reverse("market:withdraw", args=[bad]))
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
        assert "not complete or has been changed" in response.content.decode()
    assert DirectoryMember.objects.get(pk=member.pk).consents


def test_an_expired_token_is_refused_with_a_clear_page():
    member = join("Casework Ltd")
    token = directory.withdraw_token(member)
    with override_settings(MARKET_WITHDRAW_LINK_DAYS=0):
        response = Client().get(reverse("market:withdraw", args=[token]))
    assert response.status_code == 400
    assert "has expired" in response.content.decode()
    assert DirectoryMember.objects.get(pk=member.pk).consents


def test_nothing_is_sent_after_withdrawal(django_capture_on_commit_callbacks):
    owner = buyer()
    keen = join("Keen Ltd")
    gone = join("Gone Ltd")
    directory.directory_withdraw(member=gone)
    with django_capture_on_commit_callbacks(execute=True):
        publish(owner)
    recipients = {m.to[0] for m in mail.outbox}
    assert keen.contact.email in recipients
    assert gone.contact.email not in recipients
    assert not Alert.objects.filter(member=gone).exists()


def test_withdrawal_cancels_alerts_not_yet_sent(django_capture_on_commit_callbacks):
    owner = buyer()
    weekly = join("Weekly Ltd", frequency="weekly")
    with django_capture_on_commit_callbacks(execute=True):
        publish(owner)
    alert = Alert.objects.get(member=weekly)
    assert alert.notified_at is None
    directory.directory_withdraw(member=weekly)
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.alerts_digests_send() == 0
    alert.refresh_from_db()
    assert alert.cancelled_at is not None
    assert not Notification.objects.filter(recipient=weekly.contact).exists()
    assert mail.outbox == []


def test_withdrawal_removes_a_queued_email_before_it_goes():
    owner = buyer()
    member = join("Casework Ltd")
    engagement = publish(owner)
    # Ranked by the worker; the notification's email task is queued (not yet run).
    source = alerts.alert_engagement(engagement_id=engagement.pk)
    alerts.alerts_notify(source_id=source.pk)
    notification = Notification.objects.get(recipient=member.contact, kind="market.alert")
    directory.directory_withdraw(member=member)
    from ndx.notifications.services import notification_email_send

    assert notification_email_send(notification_id=notification.pk) is False
    assert mail.outbox == []


def test_unticking_consent_on_the_form_withdraws():
    member = join("Casework Ltd")
    again = join_again(member, consent_contact=False)
    assert not again.consents and again.withdrawn_at is not None
    assert again.consent_records.latest("recorded_at").action == ConsentRecord.Action.WITHDRAWN


def join_again(member, **overrides):
    data = {
        "description": member.description,
        "cpv_divisions": member.cpv_divisions,
        "regions": member.regions,
        "size": member.size,
        "consent_contact": True,
        "frequency": member.frequency,
    }
    data.update(overrides)
    return directory.directory_join(actor=member.contact, data=data)


def test_buyers_and_staff_see_only_consenting_members():
    owner = buyer()
    join("Consenting Ltd")
    join("Never Asked Ltd", consent=False)
    gone = join("Withdrawn Ltd")
    directory.directory_withdraw(member=gone)
    for person in (owner, StaffFactory()):
        names = {str(m) for m in directory.directory_search(actor=person)}
        assert names == {"Consenting Ltd"}
    client = Client()
    client.force_login(owner)
    page = client.get(reverse("market:directory")).content.decode()
    assert "Consenting Ltd" in page
    assert "Never Asked Ltd" not in page and "Withdrawn Ltd" not in page


def test_suppliers_cannot_search_the_directory():
    supplier = join("Casework Ltd").contact
    with pytest.raises(PermissionDenied):
        directory.directory_search(actor=supplier)


def test_every_alert_email_has_the_withdrawal_link(django_capture_on_commit_callbacks):
    owner = buyer()
    member = join("Casework Ltd")
    with django_capture_on_commit_callbacks(execute=True):
        publish(owner)
    (email,) = mail.outbox
    assert reverse("market:withdraw", args=["x"]).rsplit("x", 1)[0] in email.body
    token = email.body.split("/directory/withdraw/")[1].split("/")[0]
    assert directory.member_from_token(token) == member
