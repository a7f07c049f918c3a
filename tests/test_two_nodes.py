"""Two web nodes that share no disk, one Celery worker, PostgreSQL and Redis (issue 16).

Two gunicorn processes on loopback ports, each with its own NDX_INDEX_DIR (standing in for two
machines), and one Celery worker that builds the matching index and publishes it in
PostgreSQL. An offer approved by staff through node A is found by matching on node B within
60 seconds, and a search on node B shows it at once. Bounded: every wait has a deadline, and
every process is stopped (then killed) when the test ends, whatever happens.
"""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from decimal import Decimal
from importlib import import_module
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.urls import reverse

from buying.models import Requirement
from catalogue.search_index import revision_search_index
from matching import services as matching_services
from matching.models import IndexBuild, PublishedIndex
from tests.accounts.factories import BuyerOrganisationFactory, StaffFactory, member
from tests.auth import authentication_records
from tests.catalogue.factories import LotFactory, make_offer
from tests.suppliers.factories import approved_supplier

ROOT = Path(__file__).resolve().parents[1]
NEW_TITLE = "Quantum telemetry for gritting lorries"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "postgres") + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _session(user, *, two_factor: bool = False) -> str:
    """A signed-in session in the shared session store, as a real sign-in leaves it."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.update(authentication_records(user, two_factor=two_factor))
    store.save()
    return store.session_key


def _gunicorn_options() -> list[str]:
    """No shared control socket (gunicorn 25+ opens one in the home folder by default)."""
    from gunicorn.config import KNOWN_SETTINGS

    names = {setting.name for setting in KNOWN_SETTINGS}
    return ["--no-control-socket"] if "control_socket_disable" in names else []


class Node:
    def __init__(self, name: str, port: int, env: dict[str, str], log: Path) -> None:
        self.name, self.port = name, port
        self.log = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "ndx.wsgi:application"]
            + ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "60"]
            + _gunicorn_options(),
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def request(self, method, path, *, session=None, form=None) -> tuple[int, str, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": "127.0.0.1"}
        body = None
        token = secrets.token_hex(16)  # a 32-character CSRF secret, sent as cookie and field
        cookies = [f"csrftoken={token}"] + ([f"sessionid={session}"] if session else [])
        headers["Cookie"] = "; ".join(cookies)
        if form is not None:
            body = urlencode({**form, "csrfmiddlewaretoken": token})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.getheader("Location") or "", response.read().decode()
        finally:
            conn.close()

    def wait_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"node {self.name} exited: see {self.log.name}")
            try:
                if self.request("GET", "/catalogue/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"node {self.name} did not start in time")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


def _wait_for(what: str, check, seconds: float, interval: float = 0.5):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_an_offer_approved_on_node_a_is_matched_and_found_on_node_b(
    requires_postgres, requires_redis, tmp_path
):
    from ndx.celery import app as celery_app

    celery_app.conf.task_always_eager = False
    lot = LotFactory()
    supplier = approved_supplier(lot)
    for title in ("Payroll for schools", "Highways asset management"):
        offer = make_offer(supplier, lot, title=title, price=Decimal("5.00"))
        revision_search_index(revision_ids=[offer.published_revision_id])
    waiting = make_offer(
        supplier,
        lot,
        status="submitted",
        title=NEW_TITLE,
        summary="Quantum telemetry sensors for winter gritting lorries.",
        price=Decimal("7.00"),
    )
    staff = StaffFactory()
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(staff, "JBSWY3DPEHPK3PXPTESTSECR")
    buyer = member(BuyerOrganisationFactory(), role="admin")
    requirement = Requirement.objects.create(
        organisation=buyer.organisation,
        created_by=buyer,
        title="Winter gritting",
        problem="We need quantum telemetry for our gritting lorries",
        status=Requirement.Status.SUBMITTED,
    )
    staff_session = _session(staff, two_factor=True)
    buyer_session = _session(buyer)

    env = {k: v for k, v in os.environ.items() if k not in ("NDX_TESTING", "PYTEST_CURRENT_TEST")}
    env.update(
        DATABASE_URL=_database_url(),
        REDIS_URL=settings.REDIS_URL,
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        PYTHONPATH=str(ROOT),
        NDX_MATCHING_REFRESH_SECONDS="1",
        NDX_RATE_SEARCH="100000/m",
    )
    processes: list[subprocess.Popen] = []
    logs = tmp_path / "logs"
    logs.mkdir()
    try:
        worker_log = open(logs / "worker.log", "wb")  # noqa: SIM115
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "ndx", "worker", "--pool", "solo"]
            + ["--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
            cwd=ROOT,
            env={**env, "NDX_INDEX_DIR": str(tmp_path / "worker"), "NDX_MATCHING_PUBLISH": "1"},
            stdout=worker_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        processes.append(worker)
        build = matching_services.index_build_queue()  # travels through Redis to the worker
        _wait_for(
            "the first index build to be published",
            lambda: (
                IndexBuild.objects.filter(pk=build.pk, is_current=True).exists()
                and PublishedIndex.objects.filter(build_id=build.pk).exists()
            ),
            120,
        )
        nodes = {}
        for name in ("a", "b"):
            node_env = {**env, "NDX_INDEX_DIR": str(tmp_path / f"node-{name}")}
            nodes[name] = Node(name, _free_port(), node_env, logs / f"node-{name}.log")
            processes.append(nodes[name].process)
        for node in nodes.values():
            node.wait_ready(time.monotonic() + 60)
        a, b = nodes["a"], nodes["b"]
        results = reverse("matching:results", args=[requirement.pk])
        rerun = reverse("matching:rerun", args=[requirement.pk])
        status, _, body = b.request("GET", results, session=buyer_session)
        assert status == 200 and "Winter gritting" in body
        assert NEW_TITLE not in body
        # Node B fetched the published build into its own folder (it shares no disk).
        assert (tmp_path / "node-b" / f"index-{build.pk}" / "meta.json").exists()
        search = "/catalogue/?" + urlencode({"q": "quantum telemetry"})
        assert NEW_TITLE not in b.request("GET", search)[2]

        review = reverse("catalogue:staff_offer_review", args=[waiting.working_revision_id])
        status, location, _ = a.request(
            "POST", review, session=staff_session, form={"action": "approve"}
        )
        assert status == 302 and location.endswith(reverse("catalogue:staff_offer_queue"))
        approved_at = time.monotonic()

        assert NEW_TITLE in b.request("GET", search)[2]  # search on B: at once

        def matched_on_b() -> bool:
            status, _, _ = b.request("POST", rerun, session=buyer_session, form={})
            assert status == 302
            return NEW_TITLE in b.request("GET", results, session=buyer_session)[2]

        _wait_for("the approved offer in node B's matches", matched_on_b, 60, interval=1)
        assert time.monotonic() - approved_at < 60
    finally:
        for process in reversed(processes):
            _stop(process)
        celery_app.conf.task_always_eager = False
