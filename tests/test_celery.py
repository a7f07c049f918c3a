"""Celery: the app is configured from settings, and tasks really travel through Redis."""

import time

import pytest
from django.core import mail

from ndx.accounts.tasks import send_invitation_email
from ndx.celery import app as celery_app

from .accounts.factories import InvitationFactory, SupplierOrganisationFactory


def test_celery_app_reads_django_settings(settings):
    assert celery_app.main == "ndx"
    assert "ndx.accounts.tasks.send_invitation_email" in celery_app.tasks


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_invitation_email_is_delivered_by_a_worker_through_redis(requires_redis):
    from celery.contrib.testing.worker import start_worker

    invitation = InvitationFactory(organisation=SupplierOrganisationFactory(name="Acme Ltd"))
    assert celery_app.conf.broker_url.startswith("redis://")
    celery_app.conf.task_always_eager = False
    with start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        send_invitation_email.delay(invitation.pk, "http://testserver")
        deadline = time.monotonic() + 20
        while not mail.outbox and time.monotonic() < deadline:
            time.sleep(0.1)
    assert len(mail.outbox) == 1
    assert invitation.token in mail.outbox[0].body
