"""Production safety (issue 20): demo data refuses production, the client address behind a
trusted proxy is the one the proxy added, rate limits keep counting while Redis is down, and
the outbox is sent by the worker and beat only, never twice."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.test import override_settings

from ndx import cache as ndx_cache
from ndx.accounts.adapter import AccountAdapter
from ndx.models import OutboxTask
from ndx.ratelimit import client_address, client_key, hit

DEAD_REDIS = {
    "default": {
        "BACKEND": "ndx.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


# --- demo data only in development -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["seed_demo", "demo_totp"])
def test_demo_commands_refuse_production(settings, command):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refuses to run with NDX_ENV=production"):
        call_command(command)
    from ndx.accounts.models import User

    assert not User.objects.exists()


@pytest.mark.django_db
def test_demo_totp_still_works_in_development(settings, capsys):
    settings.PRODUCTION = False
    call_command("demo_totp")
    assert capsys.readouterr().out.strip().isdigit()


# --- the client address behind a trusted proxy --------------------------------------------


def _request(rf, forwarded: str | None, remote: str = "10.0.0.1"):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    request = rf.get("/", **meta)
    request.user = type("Anon", (), {"is_authenticated": False})()
    return request


def test_forwarded_for_is_ignored_without_a_trusted_proxy(rf, settings):
    settings.NDX_TRUST_PROXY = False
    assert client_address(_request(rf, "6.6.6.6, 203.0.113.9")) == "10.0.0.1"


def test_one_hop_takes_the_right_most_entry_not_the_spoofable_left(rf, settings):
    settings.NDX_TRUST_PROXY, settings.NDX_TRUST_PROXY_HOPS = True, 1
    # The client wrote "6.6.6.6"; the load balancer appended the address it saw.
    request = _request(rf, "6.6.6.6, 203.0.113.9")
    assert client_address(request) == "203.0.113.9"
    assert client_key(request) == "ip:203.0.113.9"


def test_two_hops_count_from_the_right(rf, settings):
    settings.NDX_TRUST_PROXY, settings.NDX_TRUST_PROXY_HOPS = True, 2
    assert client_address(_request(rf, "6.6.6.6, 203.0.113.9, 10.1.1.1")) == "203.0.113.9"
    # Fewer entries than trusted hops: nothing in the header is trusted.
    assert client_address(_request(rf, "203.0.113.9")) == "10.0.0.1"
    assert client_address(_request(rf, None)) == "10.0.0.1"


def test_a_client_cannot_pick_a_fresh_address_per_request(rf, settings):
    settings.NDX_TRUST_PROXY, settings.NDX_TRUST_PROXY_HOPS = True, 1
    keys = {client_key(_request(rf, f"1.1.1.{n}, 203.0.113.9")) for n in range(5)}
    assert keys == {"ip:203.0.113.9"}


def test_allauth_sign_in_limits_use_the_same_address(rf, settings):
    settings.NDX_TRUST_PROXY, settings.NDX_TRUST_PROXY_HOPS = True, 1
    assert AccountAdapter().get_client_ip(_request(rf, "6.6.6.6, 203.0.113.9")) == "203.0.113.9"


# --- rate limits keep counting while Redis is down ----------------------------------------


@pytest.fixture
def dead_redis():
    ndx_cache.local_counters().clear()
    with override_settings(CACHES=DEAD_REDIS):
        caches._settings = None  # noqa: SLF001 - pick up the overridden CACHES
        yield
    caches._settings = None  # noqa: SLF001


def test_our_limits_count_locally_during_an_outage(dead_redis, settings):
    settings.NDX_RATE_LIMITS = {"search": "3/m"}
    results = [hit("search", "ip:198.51.100.7")[0] for _ in range(4)]
    assert results == [True, True, True, False]
    # Another client has its own count.
    assert hit("search", "ip:198.51.100.8")[0] is True


def test_other_keys_still_fail_open(dead_redis):
    cache = caches["default"]
    cache.set("search:generation", 5)
    assert cache.get("search:generation") is None  # not kept locally: derived data


@pytest.mark.django_db
def test_search_page_gives_429_during_an_outage(dead_redis, client, settings):
    settings.NDX_RATE_LIMITS = {**settings.NDX_RATE_LIMITS, "search": "2/m"}
    statuses = [client.get("/catalogue/", {"q": "x"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


@pytest.mark.django_db
def test_allauth_sign_in_limit_counts_during_an_outage(dead_redis, client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/5m/key"}
    from tests.accounts.factories import UserFactory

    UserFactory(email="target@example.gov.uk")
    pages = [
        client.post(
            "/accounts/login/", {"login": "target@example.gov.uk", "password": "wrong"}
        ).content.decode()
        for _ in range(5)
    ]
    assert "Too many failed login attempts" not in pages[0]
    assert "Too many failed login attempts" in pages[-1]


@pytest.mark.django_db
def test_healthz_says_limits_are_local_while_redis_is_down(client, settings, monkeypatch):
    from ndx import views

    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    monkeypatch.setattr(views, "_check_redis", lambda: "error: ConnectionError")
    body = client.get("/healthz").json()
    assert body["ratelimits"] == "local fallback"
    monkeypatch.setattr(views, "_check_redis", lambda: "ok")
    assert client.get("/healthz").json()["ratelimits"] == "shared"


# --- the outbox: flushed by the worker and beat only, each row once -----------------------


@pytest.fixture
def real_broker():
    from celery import current_app

    current_app.conf.task_always_eager = False
    yield current_app
    current_app.conf.task_always_eager = True


@pytest.mark.django_db
def test_healthz_reports_the_outbox_but_does_not_send_it(
    client, settings, monkeypatch, real_broker
):
    from ndx import views

    sent = []
    monkeypatch.setattr(real_broker, "send_task", lambda name, **kw: sent.append(name))
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    monkeypatch.setattr(views, "_check_redis", lambda: "ok")
    OutboxTask.objects.create(task_name="ndx.tasks.flush_outbox")
    assert client.get("/healthz").json()["outbox"] == "1 waiting"
    assert sent == [] and OutboxTask.objects.count() == 1


@pytest.mark.django_db
def test_a_successful_send_does_not_flush_the_outbox(monkeypatch, real_broker):
    from ndx.accounts import tasks as account_tasks
    from ndx.outbox import publish

    flushed = []
    monkeypatch.setattr(account_tasks.send_invitation_email, "apply_async", lambda **kw: None)
    monkeypatch.setattr(real_broker, "send_task", lambda name, **kw: flushed.append(name))
    OutboxTask.objects.create(task_name="ndx.tasks.flush_outbox")
    assert publish(account_tasks.send_invitation_email, 1, "http://x/") is True
    assert flushed == [] and OutboxTask.objects.count() == 1


@pytest.mark.django_db
def test_beat_and_worker_start_flush_the_outbox(monkeypatch, real_broker):
    from ndx import tasks

    sent = []
    monkeypatch.setattr(real_broker, "send_task", lambda name, **kw: sent.append(name))
    OutboxTask.objects.create(task_name="a.tasks.one")
    assert tasks.flush_outbox() == 1
    OutboxTask.objects.create(task_name="a.tasks.two")
    tasks._flush_when_a_worker_starts()  # noqa: SLF001 - the worker_ready handler
    assert sent == ["a.tasks.one", "a.tasks.two"]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_flushers_send_each_task_once(requires_postgres, monkeypatch, real_broker):
    from django.db import connection

    from ndx.outbox import outbox_flush

    OutboxTask.objects.bulk_create([OutboxTask(task_name="x.tasks.t", args=[n]) for n in range(40)])
    sent: list[int] = []
    lock = threading.Lock()

    def slow_send(name, args, kwargs, retry):
        time.sleep(0.01)  # a broker round trip: long enough for the flushers to overlap
        with lock:
            sent.append(args[0])

    monkeypatch.setattr(real_broker, "send_task", slow_send)
    start = threading.Barrier(2)
    counts: list[int] = []

    def flusher():
        try:
            start.wait()
            counts.append(outbox_flush())
        finally:
            connection.close()

    threads = [threading.Thread(target=flusher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(sent) == list(range(40)), "a task was sent twice or not at all"
    assert sum(counts) == 40 and all(c > 0 for c in counts), counts  # both did work
    assert not OutboxTask.objects.exists()
