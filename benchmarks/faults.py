"""Fault scenarios against a real deployment on loopback (gunicorn, PostgreSQL, Redis, Celery).

    python benchmarks/faults.py [--only redis,worker,database] [--offers 20000]
        [--database postgres://postgres@127.0.0.1:5432/ndx_faults]

(a) redis:    Redis (a private redis-server) is killed while the app serves pages, then
              started again: pages should still serve, and work queued meanwhile (an
              invitation email from the web, a matching index build from an app process)
              should be done once Redis is back.
(b) worker:   the Celery worker is killed (SIGKILL) in the middle of a full matching index
              build: the old index should keep serving matches, and the next build succeed.
(c) database: a throwaway PostgreSQL cluster (initdb into /tmp, its own port) is stopped and
              started again while requests run: requests should fail cleanly (the GOV.UK error
              page or 503, no stack trace, no hang) and recover by themselves.

Prints one PASS/FAIL line per scenario with its figures; exit status 1 when any fails. Run by
`make bench`, not by `make test`. Nothing here touches the shared PostgreSQL server beyond
its own database, nor the shared Redis.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.load import stack  # noqa: E402

ERROR_PAGE = "Sorry, there is a problem with the service"
# A stack trace, Django's debug page, or a database driver's message shown to the user.
TRACEBACK_MARKERS = ("Traceback (most recent call last)", "Exception Value", "connection to server")
LEEDS_ADMIN = "buyer.admin@leeds.gov.uk"


@dataclass
class Outcome:
    name: str
    passed: bool = True
    details: list[str] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)

    def check(self, ok: bool, message: str) -> bool:
        self.details.append(("ok   " if ok else "FAIL ") + message)
        if not ok:
            self.passed = False
        return ok

    def note(self, message: str) -> None:
        self.details.append("     " + message)

    def print(self) -> None:
        print(f"\nfaults ({self.name}): {'PASS' if self.passed else 'FAIL'}")
        for line in self.details:
            print(f"  {line}")
        for line in self.advice:
            print(f"  note: {line}")


def classify(status: int, body: str) -> str:
    if status == 0:
        return "no response: " + body[:120]
    if any(marker in body for marker in TRACEBACK_MARKERS):
        return f"{status} with a stack trace or database error text"
    if status >= 500 and ERROR_PAGE not in body and '"status": "unavailable"' not in body:
        return f"{status} without the error page: {body[:120]!r}"
    return f"{status}"


def web_session(port: int, sessionid: str):
    import requests

    session = requests.Session()
    session.cookies.set("sessionid", sessionid)
    session.base = f"http://127.0.0.1:{port}"
    return session


CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def post_form(session, path: str, data: dict, timeout: float = 30) -> tuple[int, str, float]:
    """GET the form (for its CSRF token), then POST it. (status, body or location, seconds)."""
    import requests

    try:
        page = session.get(session.base + path, timeout=timeout, allow_redirects=False)
        token = CSRF_RE.search(page.text)
        if token is None:
            return page.status_code, f"no form at {path}: {page.status_code}", 0.0
        started = time.monotonic()
        response = session.post(
            session.base + path,
            data={"csrfmiddlewaretoken": token.group(1), **data},
            headers={"Referer": session.base + path},
            timeout=timeout,
            allow_redirects=False,
        )
        elapsed = time.monotonic() - started
        body = response.headers.get("Location") or response.text
        return response.status_code, body, elapsed
    except requests.RequestException as exc:
        return 0, f"{type(exc).__name__}: {exc}", 0.0


def db_row(url: str, sql: str, params=()) -> tuple | None:
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as conn:
        return conn.execute(sql, params).fetchone()


def sample_pages(port: int, paths: dict, cookie: dict, rounds: int = 3) -> dict:
    """Per page: (last status, last body, median seconds) over a few requests."""
    result = {}
    for name, path in paths.items():
        answers = [stack.http_get(port, path, headers=cookie, timeout=30) for _ in range(rounds)]
        worst = next((a for a in answers if a[0] != 200), answers[-1])
        result[name] = (worst[0], worst[1], sorted(a[2] for a in answers)[rounds // 2])
    return result


def page_paths(fixtures: dict) -> dict[str, str]:
    offer = fixtures["demo_offers"][len(fixtures["demo_offers"]) // 2]
    paths = {
        "home": "/",
        "catalogue": "/catalogue/",
        "search": "/catalogue/?q=case+management&sme=yes",
        "offer page": f"/catalogue/offers/{offer}/",
    }
    if fixtures.get("requirement"):
        paths["matches"] = f"/buying/requirements/{fixtures['requirement']}/matches/"
    return paths


# --- (a) Redis down ----------------------------------------------------------------------------


def scenario_redis(args, work: Path) -> Outcome:
    out = Outcome("a: Redis down")
    redis_port = stack.free_port(6390)
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    env = stack.app_env(args.database, redis_url, "ndx_faults")
    port = stack.free_port(8781)
    with stack.Stack() as procs:
        redis = procs.add(
            stack.redis_server(redis_port, work / "redis-a", work / "redis-a.log", persistent=True)
        )
        stack.wait_for_port(redis_port)
        fixtures = stack.django(
            env,
            "from benchmarks.load.stack import load_fixtures\nprint(json.dumps(load_fixtures(1)))",
        )
        cookie = {"Cookie": f"sessionid={fixtures['sessions'][0]['sessionid']}"}
        procs.add(stack.gunicorn(env, port, 2, work / "gunicorn-a.log"))
        worker = procs.add(stack.celery_worker(env, work / "celery-a.log", "ndx-faults-a"))
        stack.wait_http(port)
        stack.wait_celery_ready(worker)
        paths = page_paths(fixtures)

        for p in paths.values():  # warm both workers (facet table, matching index)
            for _ in range(2):
                stack.http_get(port, p, headers=cookie, timeout=60)
        before = sample_pages(port, paths, cookie)
        out.check(
            all(r[0] == 200 for r in before.values()),
            "with Redis up (median of 3): "
            + ", ".join(f"{n} {r[0]} ({r[2] * 1000:.0f} ms)" for n, r in before.items()),
        )

        redis.kill()
        out.note(f"killed redis-server (pid {redis.pid}, SIGKILL)")
        time.sleep(0.5)
        during = sample_pages(port, paths, cookie)
        health = stack.http_get(port, "/healthz")
        served = [n for n, r in during.items() if r[0] == 200]
        out.check(
            len(served) == len(during),
            "with Redis down (median of 3): "
            + ", ".join(
                f"{n} {classify(r[0], r[1])} ({r[2] * 1000:.0f} ms)" for n, r in during.items()
            ),
        )
        out.check(
            health[0] == 503 and '"redis": "error' in health[1],
            f"/healthz with Redis down: {health[0]} {health[1][:120]}",
        )
        slow = [
            f"{n} {during[n][2] * 1000:.0f} ms (was {before[n][2] * 1000:.0f} ms)"
            for n in served
            if during[n][2] > max(0.2, 4 * before[n][2])
        ]
        if slow:
            out.note("much slower with Redis down: " + ", ".join(slow))
            out.advice.append(
                "with the cache down, catalogue_generation() (catalogue/facet_index.py) makes "
                "a new generation on every call, so each request rebuilds the facet table "
                "(seconds at tens of thousands of offers). It could keep the last generation "
                "it saw while the cache is unavailable and rely on MAX_AGE instead."
            )
        if len(served) < len(during):
            out.advice.append(
                "pages fail when Redis is down: the cache should fail open (a cache backend "
                "that treats a connection error as a miss)."
            )
            errors = [
                line
                for line in (work / "gunicorn-a.log").read_text(errors="replace").splitlines()
                if "Error" in line and "redis" in line.lower()
            ]
            if errors:
                out.note(f"server log: {errors[-1][:240]}")

        # Work queued while Redis is down: an invitation (web) and an index build (app process).
        invitee = f"faults-{int(time.time())}@leeds.gov.uk"
        admin = stack.django(
            env,
            "from benchmarks.load.stack import session_for\n"
            f"print(json.dumps({{'sessionid': session_for({LEEDS_ADMIN!r})}}))",
        )
        browser = web_session(port, admin["sessionid"])
        status, body, seconds = post_form(
            browser,
            "/account/organisation/invite/",
            {"email": invitee, "role": "member"},
        )
        invitation = db_row(
            args.database,
            "select id, status from accounts_invitation where email=%s",
            (invitee,),
        )
        out.note(
            f"invitation POST with Redis down: {classify(status, body)} in {seconds:.1f} s; "
            f"invitation row {'saved' if invitation else 'not saved'}"
        )
        started = time.monotonic()
        try:
            queued = stack.django(
                env,
                "from matching.services import index_build_queue\n"
                "try:\n"
                "    build = index_build_queue()\n"
                "    print(json.dumps({'build': build.pk, 'error': None}))\n"
                "except Exception as exc:\n"
                "    from matching.models import IndexBuild\n"
                "    last = IndexBuild.objects.order_by('-pk').first()\n"
                "    print(json.dumps({'build': last.pk, 'error': f'{type(exc).__name__}: "
                "{exc}'[:200]}))",
            )
        except RuntimeError as exc:
            queued = {"build": None, "error": str(exc)[-300:]}
        out.note(
            f"index_build_queue() with Redis down: "
            f"{queued['error'] or 'returned'} after {time.monotonic() - started:.1f} s "
            f"(build row {queued['build']})"
        )

        redis = procs.add(
            stack.redis_server(redis_port, work / "redis-a", work / "redis-a.log", persistent=True)
        )
        stack.wait_for_port(redis_port)
        back = time.monotonic()
        out.note("redis-server started again on the same port")
        deadline = back + args.recover_seconds
        recovered = None
        while time.monotonic() < deadline:
            results = [stack.http_get(port, p, headers=cookie)[0] for p in paths.values()]
            if all(s == 200 for s in results):
                recovered = time.monotonic() - back
                break
            time.sleep(0.5)
        out.check(
            recovered is not None,
            f"pages serve again {recovered:.1f} s after Redis is back"
            if recovered is not None
            else f"pages still failing {args.recover_seconds} s after Redis is back",
        )

        build_status = None
        email_sent = False
        while time.monotonic() < deadline + 30:
            # As in production, a load balancer probes /healthz every few seconds; once
            # Redis answers, that sends the tasks kept in the outbox (ndx/outbox.py).
            stack.http_get(port, "/healthz")
            if queued["build"]:
                row = db_row(
                    args.database,
                    "select status from matching_indexbuild where id=%s",
                    (queued["build"],),
                )
                build_status = row[0] if row else None
            email_sent = invitee in worker.log_path.read_text(errors="replace")
            if email_sent and build_status in ("succeeded", "failed", None):
                break
            time.sleep(1)
        out.check(
            worker.alive(), f"the Celery worker is {'still running' if worker.alive() else 'dead'}"
        )
        if invitation:
            out.check(
                email_sent,
                f"invitation email for the invitation saved while Redis was down "
                f"{'sent after Redis came back' if email_sent else 'never sent (task lost)'}",
            )
        out.check(
            build_status == "succeeded",
            f"index build {queued['build']} queued while Redis was down is "
            f"{build_status!r} {args.recover_seconds + 30} s after Redis came back",
        )
        if not email_sent or build_status != "succeeded":
            out.advice.append(
                "work queued while Redis is down is lost: Celery's delay() in "
                "transaction.on_commit raises after the commit (the web request gets a 500 "
                "although its row is saved), so the task is never queued and nothing retries "
                "it. Options: a transactional outbox drained by the worker or beat, or a "
                "periodic sweep that re-queues rows left 'queued' (invitations without a sent "
                "time, index builds), and catching the publish error in on_commit so the user "
                "sees success."
            )
    return out


# --- (b) worker killed mid re-index -------------------------------------------------------------


def scenario_worker(args, work: Path) -> Outcome:
    out = Outcome("b: worker killed mid re-index")
    redis_port = stack.free_port(6391)
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    env = stack.app_env(args.database, redis_url, "ndx_faults")
    port = stack.free_port(8782)
    with stack.Stack() as procs:
        procs.add(stack.redis_server(redis_port, work / "redis-b", work / "redis-b.log"))
        stack.wait_for_port(redis_port)
        fixtures = stack.django(
            env,
            "from benchmarks.load.stack import load_fixtures\nprint(json.dumps(load_fixtures(1)))",
        )
        procs.add(stack.gunicorn(env, port, 2, work / "gunicorn-b.log"))
        worker = procs.add(stack.celery_worker(env, work / "celery-b.log", "ndx-faults-b"))
        stack.wait_http(port)
        stack.wait_celery_ready(worker)
        old = db_row(
            args.database,
            "select id, offers_indexed, seconds from matching_indexbuild where is_current",
        )
        out.note(f"current index: build {old[0]} ({old[1]} offers, built in {old[2]:.1f} s)")
        buyer = web_session(port, fixtures["sessions"][0]["sessionid"])
        matches = f"/buying/requirements/{fixtures['requirement']}/matches/"

        def rerun_uses() -> tuple[int, int | None]:
            status, _body, _ = post_form_to(buyer, matches, matches + "rerun/")
            row = db_row(
                args.database,
                "select index_build_id from matching_matchrun where requirement_id=%s "
                "order by id desc limit 1",
                (fixtures["requirement"],),
            )
            return status, row[0] if row else None

        queued = stack.django(
            env,
            "from matching.services import index_build_queue\n"
            "print(json.dumps({'build': index_build_queue().pk}))",
        )
        build_id = queued["build"]
        killed_at = None
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            row = db_row(
                args.database,
                "select status, progress, stage from matching_indexbuild where id=%s",
                (build_id,),
            )
            if row[0] == "running" and row[1] >= args.kill_at_progress:
                worker.kill()
                killed_at = row
                break
            if row[0] in ("succeeded", "failed"):
                break
            time.sleep(0.05)
        if not out.check(
            killed_at is not None,
            f"killed the worker (SIGKILL to its process group) during build {build_id} at "
            f"{killed_at[1]}% ({killed_at[2]})"
            if killed_at
            else f"build {build_id} finished before it could be killed: use more --offers",
        ):
            return out
        time.sleep(2)
        row = db_row(
            args.database,
            "select status, is_current from matching_indexbuild where id=%s",
            (build_id,),
        )
        current = db_row(args.database, "select id from matching_indexbuild where is_current")
        out.check(
            current and current[0] == old[0],
            f"build {old[0]} is still current; the killed build is left {row[0]!r}",
        )
        status, used = rerun_uses()
        out.check(
            status == 302 and used == old[0],
            f"matching still works from the old index: re-run {status}, ranked with build {used}",
        )
        page = stack.http_get(
            port, matches, headers={"Cookie": f"sessionid={fixtures['sessions'][0]['sessionid']}"}
        )
        out.check(page[0] == 200, f"matches page {page[0]} while no worker runs")

        worker = procs.add(stack.celery_worker(env, work / "celery-b2.log", "ndx-faults-b2"))
        stack.wait_celery_ready(worker)
        out.note("started a new Celery worker")
        time.sleep(3)
        row = db_row(
            args.database, "select status from matching_indexbuild where id=%s", (build_id,)
        )
        out.note(
            f"killed build {build_id} after the new worker started: {row[0]!r} "
            "(its message is redelivered only after the broker visibility timeout, 1 hour, "
            "and index_build_run skips a build that is not 'queued')"
        )
        queued = stack.django(
            env,
            "from matching.services import index_build_queue\n"
            "print(json.dumps({'build': index_build_queue().pk}))",
        )
        next_id = queued["build"]
        deadline = time.monotonic() + 600
        final = None
        while time.monotonic() < deadline:
            final = db_row(
                args.database,
                "select status, is_current, offers_indexed, seconds from matching_indexbuild "
                "where id=%s",
                (next_id,),
            )
            if final[0] in ("succeeded", "failed"):
                break
            time.sleep(0.5)
        out.check(
            final is not None and final[0] == "succeeded" and final[1],
            f"next build {next_id}: {final[0]}, current={final[1]}, {final[2]} offers in "
            f"{(final[3] or 0):.1f} s",
        )
        time.sleep(1.5)  # web processes look for a newer index every second
        status, used = rerun_uses()
        out.check(
            status == 302 and used == next_id,
            f"matching now uses the new index: re-run {status}, ranked with build {used}",
        )
        stuck = db_row(
            args.database, "select status from matching_indexbuild where id=%s", (build_id,)
        )
        out.note(f"killed build {build_id} is still {stuck[0]!r} at the end")
        out.advice.append(
            f"a killed build stays 'running' forever (build {build_id}). Detect it as a build "
            "'running' with no progress for longer than a build can take (needs a heartbeat "
            "or updated_at column), or mark every 'running' build failed from a worker_ready "
            "signal when a single build worker starts; the staff status page could show it "
            "as interrupted. Lead to decide."
        )
    return out


def post_form_to(session, form_path: str, action: str) -> tuple[int, str, float]:
    import requests

    try:
        page = session.get(session.base + form_path, timeout=30, allow_redirects=False)
        token = CSRF_RE.search(page.text)
        if token is None:
            return page.status_code, "no CSRF token", 0.0
        started = time.monotonic()
        response = session.post(
            session.base + action,
            data={"csrfmiddlewaretoken": token.group(1)},
            headers={"Referer": session.base + form_path},
            timeout=30,
            allow_redirects=False,
        )
        return response.status_code, response.text, time.monotonic() - started
    except requests.RequestException as exc:
        return 0, f"{type(exc).__name__}: {exc}", 0.0


# --- (c) database restarted under load ----------------------------------------------------------


def scenario_database(args, work: Path) -> Outcome:
    out = Outcome("c: database restarted under load")
    reason = stack.Cluster.available()
    if reason:
        out.check(False, f"skipped: {reason}")
        return out
    cluster = stack.Cluster(stack.free_port(5440))
    redis_port = stack.free_port(6392)
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    port = stack.free_port(8783)
    database = cluster.url("ndx_faults_pg")
    # Rate limits are not under test here: eight clients hammering search would hit them.
    env = stack.app_env(database, redis_url, "ndx_faults_pg", NDX_RATE_SEARCH="100000/m")
    with stack.Stack() as procs:
        procs.cleanups.append(cluster.destroy)
        started = time.monotonic()
        cluster.init()
        stack.ensure_database(database)
        procs.add(stack.redis_server(redis_port, work / "redis-c", work / "redis-c.log"))
        stack.wait_for_port(redis_port)
        stack.prepare_database(env, 0)
        fixtures = stack.django(
            env,
            "from benchmarks.load.stack import load_fixtures\n"
            f"print(json.dumps(load_fixtures({args.clients})))",
        )
        out.note(
            f"throwaway cluster on 127.0.0.1:{cluster.port} ({cluster.dir}), demo data loaded "
            f"in {time.monotonic() - started:.0f} s"
        )
        procs.add(stack.gunicorn(env, port, 2, work / "gunicorn-c.log"))
        procs.add(stack.celery_worker(env, work / "celery-c.log", "ndx-faults-c"))
        stack.wait_http(port)
        paths = list(page_paths(fixtures).values()) + ["/healthz"]
        cookies = [{"Cookie": f"sessionid={s['sessionid']}"} for s in fixtures["sessions"]]

        records: list[tuple[float, float, int, str, str]] = []
        lock = threading.Lock()
        stop = threading.Event()
        t0 = time.monotonic()

        def client(k: int) -> None:
            # Only Leeds buyers may see the demo requirement's matches (others get 404).
            mine = [p for p in paths if "/matches/" not in p or fixtures["sessions"][k]["leeds"]]
            i = k
            while not stop.is_set():
                path = mine[i % len(mine)]
                i += 1
                began = time.monotonic() - t0
                # Pages as a signed-in buyer; /healthz as a load balancer probes it (no cookie).
                headers = {} if path == "/healthz" else cookies[k]
                status, body, seconds = stack.http_get(port, path, timeout=30, headers=headers)
                with lock:
                    records.append((began, seconds, status, classify(status, body), path))
                time.sleep(0.1)

        threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
        for thread in threads:
            thread.start()
        time.sleep(args.phase)
        down_at = time.monotonic() - t0
        cluster.stop("fast")
        stopped_at = time.monotonic() - t0
        time.sleep(args.down)
        up_began = time.monotonic() - t0
        cluster.start()
        up_at = time.monotonic() - t0
        time.sleep(args.phase + 5)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        end = time.monotonic() - t0

        # Before: answered before the stop began; after: started once PostgreSQL was up.
        before = [r for r in records if r[0] + r[1] < down_at]
        outage = [r for r in records if r[0] + r[1] >= down_at and r[0] < up_at]
        after = [r for r in records if r[0] >= up_at]
        out.note(
            f"{args.clients} clients; PostgreSQL stopped at {down_at:.1f} s (down by "
            f"{stopped_at:.1f} s), start began {up_began:.1f} s, up at {up_at:.1f} s, "
            f"end {end:.1f} s"
        )
        out.check(
            all(r[2] == 200 for r in before),
            f"before: {len(before)} requests, "
            f"{sum(r[2] == 200 for r in before)} OK, p95 "
            f"{stack.percentile([r[1] * 1000 for r in before], 95):.0f} ms",
        )
        if any(r[2] != 200 for r in before):
            sample = sorted({(r[3], r[4]) for r in before if r[2] != 200})[:5]
            out.note(f"failures before the outage: {sample}")
        kinds: dict[str, int] = {}
        for r in outage:
            kinds[r[3]] = kinds.get(r[3], 0) + 1
        health = [r[2] for r in outage if r[4] == "/healthz"]
        out.note(
            "during the outage /healthz (no cookie) answered "
            + ", ".join(f"{s} x{health.count(s)}" for s in sorted(set(health)))
            + "; pages answered 500 with the GOV.UK error page"
        )
        slowest = max((r[1] for r in records), default=0)
        clean = all(k in ("200", "500", "503") for k in kinds)
        out.check(
            clean,
            f"during the outage: {len(outage)} requests: "
            + ", ".join(f"{k} x{n}" for k, n in sorted(kinds.items())),
        )
        out.check(
            slowest < args.hang_seconds,
            f"no hangs: slowest request {slowest:.1f} s (limit {args.hang_seconds:.0f} s)",
        )
        failures_after = [r for r in after if r[2] != 200]
        last_failure = max((r[0] + r[1] for r in failures_after), default=up_at)
        recovered = last_failure - up_at
        out.check(
            bool(after) and recovered < args.recover_seconds,
            f"after: {len(after)} requests, {len(failures_after)} failed, all OK from "
            f"{recovered:.1f} s after PostgreSQL was up (limit {args.recover_seconds:.0f} s)",
        )
        if failures_after:
            sample = sorted({(r[3], r[4]) for r in failures_after})[:5]
            out.note(f"failures after restart: {sample}")
        tracebacks = [
            line
            for line in (work / "gunicorn-c.log").read_text(errors="replace").splitlines()
            if "Error" in line
        ]
        out.note(
            f"server log: {len(tracebacks)} error lines (logged, not shown to users)"
            + (f", last: {tracebacks[-1][:160]}" if tracebacks else "")
        )
    return out


# --- main --------------------------------------------------------------------------------------

SCENARIOS = {"redis": scenario_redis, "worker": scenario_worker, "database": scenario_database}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--only", default=",".join(SCENARIOS))
    parser.add_argument(
        "--database",
        default=os.environ.get(
            "FAULTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ndx_faults"
        ),
        help="PostgreSQL database for (a) and (b); created and seeded when missing",
    )
    parser.add_argument(
        "--offers",
        type=int,
        default=20000,
        help="synthetic offers on top of the demo data, so an index build takes long enough",
    )
    parser.add_argument("--kill-at-progress", type=int, default=40)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--phase", type=float, default=8, help="seconds before/after the outage")
    parser.add_argument("--down", type=float, default=5, help="seconds PostgreSQL stays down")
    parser.add_argument("--hang-seconds", type=float, default=10)
    parser.add_argument("--recover-seconds", type=float, default=10)
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(chosen) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios {sorted(unknown)}; choose from {sorted(SCENARIOS)}")
    if "127.0.0.1" not in args.database and "localhost" not in args.database:
        parser.error("loopback only")

    work = Path(tempfile.mkdtemp(prefix="ndx-faults-"))
    if {"redis", "worker"} & set(chosen):
        stack.ensure_database(args.database)
        started = time.monotonic()
        env = stack.app_env(args.database, None, "ndx_faults")
        counts = stack.prepare_database(env, args.offers)
        # Builds an earlier run left queued or running (on purpose) would confuse this one.
        import psycopg

        with psycopg.connect(args.database, autocommit=True) as conn:
            conn.execute(
                "update matching_indexbuild set status='failed', stage='Failed', "
                "error='Interrupted by an earlier fault scenario' "
                "where status in ('queued', 'running')"
            )
        print(
            f"faults: database {args.database.rsplit('/', 1)[1]}: {counts['buyable']} buyable "
            f"offers, ready in {time.monotonic() - started:.0f} s; logs in {work}"
        )
    outcomes = []
    for name in chosen:
        try:
            outcome = SCENARIOS[name](args, work)
        except Exception as exc:  # one broken scenario must not hide the others
            outcome = Outcome(name)
            outcome.check(False, f"the scenario itself failed: {type(exc).__name__}: {exc}")
        outcome.print()
        outcomes.append(outcome)
    print()
    for outcome in outcomes:
        print(f"faults: {'PASS' if outcome.passed else 'FAIL'} {outcome.name}")
    return 0 if all(o.passed for o in outcomes) else 1


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
