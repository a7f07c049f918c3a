"""Notifications: created once per event, listed unread first, marked read or done, and
emailed as each person chose (at once, daily digest, off; security emails always)."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from ndx.accounts.models import Membership
from ndx.context_processors import navigation
from ndx.notifications import services, tasks
from ndx.notifications.models import Notification, NotificationPreference
from tests.accounts.factories import (
    BuyerOrganisationFactory,
    StaffFactory,
    UserFactory,
    member,
)

pytestmark = pytest.mark.django_db


def send(recipient, key="event-1", **kwargs):
    defaults = {
        "kind": "buying.invited",
        "title": "You are invited to bid for Case management",
        "body": "Bids close on 12 March 2027.",
        "url": "/buying/invitations/1/",
        "key": key,
    }
    defaults.update(kwargs)
    return services.notification_send(recipient=recipient, **defaults)


def prefer(user, choice):
    services.notification_preference_set(actor=user, email=choice)


# --- created once per event ---------------------------------------------------------------------


def test_the_same_event_notifies_a_person_once(django_capture_on_commit_callbacks):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = send(person)
        again = send(person, title="A different title for the same event")
    assert first is not None and again is None
    assert Notification.objects.filter(recipient=person).count() == 1
    assert len(mail.outbox) == 1


def test_the_same_key_for_two_people_notifies_both():
    one, two = UserFactory(), UserFactory()
    assert send(one) and send(two)
    assert Notification.objects.count() == 2


def test_the_database_refuses_a_second_row_for_the_same_recipient_and_key():
    person = UserFactory()
    send(person)
    with pytest.raises(IntegrityError):
        Notification.objects.create(recipient=person, kind="x.y", title="t", key="event-1")


def test_a_link_must_be_a_path_on_this_site():
    person = UserFactory()
    for url in ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]:
        with pytest.raises(ValidationError):
            send(person, key=url, url=url)
    assert not Notification.objects.exists()


def test_an_inactive_account_is_not_notified():
    person = UserFactory(is_active=False)
    assert send(person) is None
    assert not Notification.objects.exists()


def test_the_object_it_is_about_is_recorded():
    person = UserFactory()
    organisation = BuyerOrganisationFactory()
    notification = send(person, obj=organisation)
    assert notification.object_type == "accounts.organisation"
    assert notification.object_id == str(organisation.pk)


def test_sending_to_an_organisation_reaches_each_active_member_once():
    organisation = BuyerOrganisationFactory()
    admin = member(organisation, role=Membership.Role.ADMIN)
    plain = member(organisation)
    gone = member(organisation, is_active=False)
    other = member()
    sent = services.notification_send_to_organisation(
        organisation=organisation, kind="k.k", title="Title", key="org-event"
    )
    assert {n.recipient for n in sent} == {admin, plain}
    assert not Notification.objects.filter(recipient__in=[gone, other]).exists()
    again = services.notification_send_to_organisation(
        organisation=organisation, kind="k.k", title="Title", key="org-event"
    )
    assert again == []
    admins = services.notification_send_to_organisation(
        organisation=organisation, admins_only=True, kind="k.k", title="Title", key="org-admins"
    )
    assert [n.recipient for n in admins] == [admin]


def test_sending_to_staff_reaches_every_active_staff_user():
    staff = StaffFactory()
    StaffFactory(is_active=False)
    UserFactory()
    sent = services.notification_send_to_staff(kind="queues.late", title="Late", key="late-1")
    assert [n.recipient for n in sent] == [staff]


# --- read and done -------------------------------------------------------------------------------


def test_marking_done_for_the_object_marks_only_that_persons_notifications():
    person, other = UserFactory(), UserFactory()
    organisation = BuyerOrganisationFactory()
    mine = send(person, obj=organisation)
    elsewhere = send(person, key="event-2")
    theirs = send(other, obj=organisation)
    assert services.notifications_mark_done(recipient=person, obj=organisation) == 1
    mine.refresh_from_db(), elsewhere.refresh_from_db(), theirs.refresh_from_db()
    assert mine.is_done and not mine.is_unread
    assert not elsewhere.is_done and elsewhere.is_unread
    assert not theirs.is_done
    # Done once: a second call finds nothing left to mark.
    assert services.notifications_mark_done(recipient=person, obj=organisation) == 0


def test_marking_done_by_kind_or_key():
    person = UserFactory()
    send(person, key="a", kind="reviews.published")
    send(person, key="b", kind="buying.invited")
    assert services.notifications_mark_done(recipient=person, kind="reviews.published") == 1
    assert services.notifications_mark_done(recipient=person, key="b") == 1
    with pytest.raises(ValueError):
        services.notifications_mark_done(recipient=person)


def test_a_person_cannot_read_someone_elses_notification():
    person, other = UserFactory(), UserFactory()
    notification = send(person)
    with pytest.raises(PermissionDenied):
        services.notification_read(actor=other, notification=notification)
    notification.refresh_from_db()
    assert notification.is_unread


def test_the_page_lists_unread_first_and_marks_read(client):
    person = UserFactory()
    old_unread = send(person, key="old", title="Old but unread")
    read = send(person, key="read", title="Read already")
    services.notification_read(actor=person, notification=read)
    Notification.objects.filter(pk=old_unread.pk).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    send(person, key="new", title="New and unread")
    send(UserFactory(), key="theirs", title="Someone else's")
    client.force_login(person)
    page = client.get(reverse("notifications:list")).content.decode()
    assert page.index("New and unread") < page.index("Old but unread") < page.index("Read already")
    assert "Someone else&#x27;s" not in page and "Someone else's" not in page
    assert "You have 2 unread notifications." in page
    assert 'href="/buying/invitations/1/"' in page

    response = client.post(reverse("notifications:read", args=[old_unread.pk]))
    assert response.status_code == 302
    old_unread.refresh_from_db()
    assert not old_unread.is_unread
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.for_recipient(person).unread().exists()


def test_another_persons_notification_cannot_be_marked_read_through_the_page(client):
    person, other = UserFactory(), UserFactory()
    notification = send(person)
    client.force_login(other)
    assert client.post(reverse("notifications:read", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.is_unread


def test_the_header_link_carries_the_unread_count(rf):
    person = UserFactory()
    request = rf.get("/")
    request.user = person
    texts = [i["text"] for i in navigation(request)["service_navigation"]["navigation"]]
    assert "Notifications" in texts
    send(person, key="1"), send(person, key="2"), send(person, key="3")
    texts = [i["text"] for i in navigation(request)["service_navigation"]["navigation"]]
    assert "Notifications (3 unread)" in texts


def test_the_header_shows_the_count_on_pages(client):
    person = UserFactory()
    send(person)
    client.force_login(person)
    html = client.get(reverse("home")).content.decode()
    assert 'Notifications<span class="govuk-visually-hidden"> (1 unread)</span>' in html


# --- email as each person chose ------------------------------------------------------------------


def test_at_once_is_the_default_and_emails_each_notification(django_capture_on_commit_callbacks):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notification = send(person)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [person.email]
    assert message.subject == "You are invited to bid for Case management"
    assert "Bids close on 12 March 2027." in message.body
    assert "/buying/invitations/1/" in message.body
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_off_sends_no_email_but_lists_the_notification(django_capture_on_commit_callbacks):
    person = UserFactory()
    prefer(person, NotificationPreference.Email.OFF)
    with django_capture_on_commit_callbacks(execute=True):
        send(person)
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=person).count() == 1
    assert services.digest_recipient_ids() == []


@pytest.mark.parametrize("choice", ["off", "daily"])
def test_security_emails_are_sent_at_once_whatever_the_choice(
    choice, django_capture_on_commit_callbacks
):
    person = UserFactory()
    prefer(person, choice)
    with django_capture_on_commit_callbacks(execute=True):
        send(person, key="sec", kind="accounts.new_sign_in", title="New sign-in", security=True)
        send(person, key="plain")
    assert [m.subject for m in mail.outbox] == ["New sign-in"]
    assert "always email" in mail.outbox[0].body


def test_an_email_is_never_sent_twice(django_capture_on_commit_callbacks):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notification = send(person)
    assert len(mail.outbox) == 1
    # The task delivered twice (e.g. re-sent from the outbox) sends nothing the second time.
    assert tasks.send_notification_email.apply(args=[notification.pk]).get() is False
    assert len(mail.outbox) == 1


def test_a_person_who_switched_to_off_before_the_task_ran_gets_no_email():
    person = UserFactory()
    notification = send(person)  # queued on commit, which never comes in this test
    prefer(person, "off")
    assert services.notification_email_send(notification_id=notification.pk) is False
    assert mail.outbox == []


def test_an_smtp_error_is_retried_and_the_email_is_sent_once(monkeypatch):
    person = UserFactory()
    notification = send(person)
    real_send = services.send_mail
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send(**kwargs)

    monkeypatch.setattr(services, "send_mail", flaky)
    # throw=False: the eager task's Retry is not raised to the caller but run, as a worker would.
    result = tasks.send_notification_email.apply(args=[notification.pk], throw=False)
    assert result.get() is True
    assert len(calls) == 2
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_a_failed_send_leaves_the_notification_unemailed(monkeypatch):
    person = UserFactory()
    notification = send(person)

    def down(**kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(services, "send_mail", down)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        services.notification_email_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.emailed_at is None


def test_the_daily_digest_batches_each_persons_unread_notifications(
    django_capture_on_commit_callbacks,
):
    daily, at_once, off = UserFactory(), UserFactory(), UserFactory()
    prefer(daily, "daily")
    prefer(off, "off")
    with django_capture_on_commit_callbacks(execute=True):
        send(daily, key="1", title="First thing")
        send(daily, key="2", title="Second thing")
        read = send(daily, key="3", title="Already seen")
        send(at_once, key="1")
        send(off, key="1")
    services.notification_read(actor=daily, notification=read)
    assert [m.to for m in mail.outbox] == [[at_once.email]]  # only the at-once person so far
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_daily_digests.apply().get() == 1
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == [daily.email]
    assert digest.subject.startswith("2 things on ")
    assert "First thing" in digest.body and "Second thing" in digest.body
    assert "Already seen" not in digest.body

    # The next day's run has nothing new for them: no notification is in two digests.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_daily_digests.apply().get() == 0
    assert tasks.send_digest.apply(args=[daily.pk]).get() == 0
    assert mail.outbox == []


def test_the_digest_task_for_someone_who_left_the_daily_choice_sends_nothing():
    person = UserFactory()
    prefer(person, "daily")
    send(person)
    prefer(person, "immediate")
    assert services.notification_digest_send(user_id=person.pk) == 0
    assert mail.outbox == []


def test_the_digest_is_a_beat_task(settings):
    tasks_in_beat = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "ndx.notifications.tasks.send_daily_digests" in tasks_in_beat


# --- the settings page ---------------------------------------------------------------------------


def test_the_settings_page_saves_the_choice(client):
    person = UserFactory()
    client.force_login(person)
    page = client.get(reverse("notifications:settings")).content.decode()
    assert "Email me about each one at once" in page
    assert not NotificationPreference.objects.exists()  # GET writes nothing
    response = client.post(reverse("notifications:settings"), {"email": "daily"})
    assert response.status_code == 302
    assert NotificationPreference.email_choice_for(person) == "daily"
    response = client.post(reverse("notifications:settings"), {"email": "sometimes"})
    assert response.status_code == 200
    assert NotificationPreference.email_choice_for(person) == "daily"


def test_the_pages_need_sign_in(client):
    for name in ["notifications:list", "notifications:settings"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_the_page_says_how_the_person_is_emailed(client):
    person = UserFactory()
    client.force_login(person)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "We email you about each notification at once." in page
    prefer(person, "daily")
    page = client.get(reverse("notifications:list")).content.decode()
    assert "We email you a summary once a day." in page
