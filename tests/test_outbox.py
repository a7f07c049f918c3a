"""Tasks queued while the broker is down are kept and sent once it is back: nothing is lost,
and the request that queued them does not fail."""

import pytest
from kombu.exceptions import OperationalError

from ndx.accounts import tasks as account_tasks
from ndx.models import OutboxTask
from ndx.outbox import outbox_flush, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def real_broker(settings):
    from celery import current_app

    current_app.conf.task_always_eager = False
    yield current_app
    current_app.conf.task_always_eager = True


def test_broker_down_keeps_the_task_and_flush_sends_it_later(real_broker, monkeypatch):
    sent = []

    def down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(account_tasks.send_invitation_email, "apply_async", down)
    assert publish(account_tasks.send_invitation_email, 7, "http://x/") is False
    row = OutboxTask.objects.get()
    assert row.task_name == "ndx.accounts.tasks.send_invitation_email" and row.args == [
        7,
        "http://x/",
    ]

    monkeypatch.setattr(
        real_broker,
        "send_task",
        lambda name, **kw: (_ for _ in ()).throw(OperationalError("still down")),
    )
    assert outbox_flush() == 0
    assert OutboxTask.objects.get().attempts == 1

    monkeypatch.setattr(
        real_broker, "send_task", lambda name, **kw: sent.append((name, kw["args"]))
    )
    assert outbox_flush() == 1
    assert sent == [("ndx.accounts.tasks.send_invitation_email", [7, "http://x/"])]
    assert not OutboxTask.objects.exists()


def test_invitation_survives_a_broker_outage(
    real_broker, monkeypatch, client, django_capture_on_commit_callbacks
):
    from tests.accounts.factories import (
        ApprovedDomainFactory,
        BuyerOrganisationFactory,
        member,
    )

    ApprovedDomainFactory(domain="leeds.gov.uk")

    monkeypatch.setattr(
        account_tasks.send_invitation_email,
        "apply_async",
        lambda *a, **k: (_ for _ in ()).throw(OperationalError("Connection refused")),
    )
    admin = member(BuyerOrganisationFactory(), role="admin", email="admin@leeds.gov.uk")
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/account/organisation/invite/", {"email": "new@leeds.gov.uk", "role": "member"}
        )
    assert response.status_code == 302
    assert OutboxTask.objects.filter(task_name__endswith="send_invitation_email").count() == 1
