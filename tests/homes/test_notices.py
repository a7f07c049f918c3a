"""Each event that asks a person to act, or decides something of theirs, is notified once,
emailed as the person chose, and marked done when they act."""

from datetime import timedelta

import pytest
from django.utils import timezone

from buying.services import clarifications, responses
from buying.services.notices import competition_deadline_reminders_send
from catalogue.services.offers import offer_approve
from homes.services import staff_past_due_notify
from ndx.notifications.models import Notification, NotificationPreference
from reviews.services import review_publish, review_respond
from suppliers.models import LotApplication
from suppliers.services import lot_application_approve

pytestmark = pytest.mark.django_db


def of_kind(kind: str):
    return Notification.objects.filter(kind=kind)


def test_deadline_reminder_once_per_invitation_and_emailed_as_each_person_chose(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    admin, member = world.users["supplier_a_admin"], world.users["supplier_a_member"]
    NotificationPreference.objects.update_or_create(user=member, defaults={"email": "daily"})
    NotificationPreference.objects.update_or_create(
        user=world.supplier_c_admin, defaults={"email": "off"}
    )
    soon = world.competition_open.deadline - timedelta(hours=24)
    with django_capture_on_commit_callbacks(execute=True):
        sent = competition_deadline_reminders_send(now=soon)
    reminders = of_kind("buying.deadline_soon")
    # Suppliers A (2 people), B (2) and C (1) have not responded to the open competition.
    assert sent == 5 and reminders.count() == 5
    assert {n.url for n in reminders} == {f"/suppliers/competitions/{world.competition_open.pk}/"}
    emailed = {m.to[0] for m in mailoutbox}
    assert admin.email in emailed  # at once (the default)
    assert member.email not in emailed  # the daily digest
    assert world.supplier_c_admin.email not in emailed  # off
    # Again, or an hour later: nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        assert competition_deadline_reminders_send(now=soon) == 0
        assert competition_deadline_reminders_send(now=soon + timedelta(hours=1)) == 0
    assert reminders.count() == 5 and len(mailoutbox) == len(emailed)
    # Not yet 48 hours before, or after the deadline: none.
    Notification.objects.all().delete()
    assert competition_deadline_reminders_send(now=soon - timedelta(days=3)) == 0
    assert competition_deadline_reminders_send(now=soon + timedelta(days=2)) == 0


def test_responding_marks_the_invitation_notifications_done(world):
    competition_deadline_reminders_send(now=world.competition_open.deadline - timedelta(hours=1))
    mine = of_kind("buying.deadline_soon").filter(
        recipient__in=[world.users["supplier_a_admin"], world.users["supplier_a_member"]]
    )
    assert mine.count() == 2 and not mine.filter(done_at__isnull=False).exists()
    responses.response_submit(
        actor=world.users["supplier_a_admin"],
        invitation=world.invitation,
        unit_price="9.00",
        quality_response="We have done this before.",
        social_value_response="Apprentices.",
    )
    assert mine.filter(done_at__isnull=True).count() == 0
    assert of_kind("buying.deadline_soon").filter(done_at__isnull=True).count() == 3


def test_question_answered_tells_the_asker_once_without_a_second_email(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        clarifications.clarification_answer(
            actor=world.users["buyer_a_admin"], question=world.clarification, answer="Yes."
        )
    answered = of_kind("buying.question_answered")
    assert [n.recipient for n in answered] == [world.users["supplier_a_admin"]]
    assert answered.get().emailed_at is not None  # the clarification email is the email
    asker_emails = [m for m in mailoutbox if m.to[0] == world.users["supplier_a_admin"].email]
    assert len(asker_emails) == 1


def test_offer_decision_tells_the_supplier(world):
    offer_approve(actor=world.users["staff"], revision=world.submitted_offer.working_revision)
    decided = of_kind("catalogue.offer_decided")
    assert {n.recipient for n in decided} == {
        world.users["supplier_a_admin"],
        world.users["supplier_a_member"],
    }
    assert all("approved" in n.title for n in decided)
    assert decided.first().url == f"/suppliers/offers/{world.submitted_offer.pk}/"


def test_application_decision_tells_the_supplier_once(world):
    lot_application_approve(actor=world.users["staff"], application=world.application)
    decided = of_kind("suppliers.application_decided")
    assert decided.count() == 2 and all("was approved" in n.title for n in decided)


def test_review_published_then_answered(world):
    review_publish(actor=world.users["staff"], review=world.held_review)
    published = of_kind("reviews.published")
    assert (
        published.count() == 2
        and published.first().url == f"/reviews/{world.held_review.pk}/respond/"
    )
    review_respond(actor=world.users["supplier_a_admin"], review=world.held_review, text="Thanks.")
    assert published.filter(done_at__isnull=True).count() == 0
    answered = of_kind("reviews.answered")
    assert [n.recipient for n in answered] == [world.users["buyer_a_member"]]


def test_staff_hear_once_a_day_of_decisions_past_their_service_level(world):
    assert staff_past_due_notify() == 0  # nothing is late in the world
    LotApplication.objects.filter(pk=world.application.pk).update(
        submitted_at=timezone.now() - timedelta(days=60)
    )
    today = timezone.localdate()
    sent = staff_past_due_notify(today=today)
    assert sent == 3  # three members of staff in the world
    notice = of_kind("homes.decision_due").first()
    assert notice.title == "1 decision past its service level"
    assert "Supplier A Ltd" in notice.body and notice.url == "/staff/"
    assert staff_past_due_notify(today=today) == 0
    assert staff_past_due_notify(today=today + timedelta(days=1)) == 3
