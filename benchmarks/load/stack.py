"""Starting and stopping the pieces of a real NDX deployment on loopback for benchmarks.

Used by the load runner (benchmarks/load/run.py) and the fault scenarios (benchmarks/faults.py):
PostgreSQL databases, Redis, gunicorn running the real application, a Celery worker, and an
optional throwaway PostgreSQL cluster. Everything binds to 127.0.0.1 and every process started
here is stopped by its own process group id, never by name.

Django work (migrate, demo data, sessions) runs in `manage.py shell` subprocesses with the
stack's environment, so one orchestrating process can drive several databases and brokers.
"""

from __future__ import annotations

import glob
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
VAR = ROOT / "var" / "bench"
POSTGRES_ADMIN = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")


# --- small utilities --------------------------------------------------------------------------


def percentile(values, pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * pct / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def free_port(preferred: int) -> int:
    """`preferred` when nothing listens there, else any free loopback port."""
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError("no free port")


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def http_get(port: int, path: str, timeout: float = 10, headers=None) -> tuple[int, str, float]:
    """(status, body, seconds); status 0 when the connection failed or timed out."""
    started = time.monotonic()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        conn.close()
        return response.status, body, time.monotonic() - started
    except (OSError, http.client.HTTPException) as exc:
        return 0, f"{type(exc).__name__}: {exc}", time.monotonic() - started


def wait_http(port: int, path: str = "/healthz", timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, _body, _ = http_get(port, path, timeout=5)
        if status in (200, 503):
            return
        time.sleep(0.2)
    raise TimeoutError(f"http://127.0.0.1:{port}{path} did not answer in {timeout:.0f} s")


# --- processes ---------------------------------------------------------------------------------


@dataclass
class Proc:
    """A process started in its own process group, with output in a log file."""

    name: str
    args: list[str]
    env: dict
    log_path: Path
    cwd: Path = ROOT
    popen: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> Proc:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        self.popen = subprocess.Popen(
            self.args,
            cwd=self.cwd,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal_group(self, sig: int) -> None:
        if self.popen is None:
            return
        try:
            os.killpg(self.popen.pid, sig)  # our own group: the pid we started leads it
        except ProcessLookupError:
            pass

    def stop(self, timeout: float = 20) -> None:
        if not self.alive():
            return
        self.signal_group(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal_group(signal.SIGKILL)
            self.popen.wait(timeout=10)

    def kill(self) -> None:
        """SIGKILL the whole group (a crashed container), and reap."""
        self.signal_group(signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait(timeout=10)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


class Stack:
    """Processes to stop at the end, newest first."""

    def __init__(self) -> None:
        self.procs: list[Proc] = []
        self.cleanups: list = []

    def add(self, proc: Proc) -> Proc:
        self.procs.append(proc.start())
        return proc

    def close(self) -> None:
        for proc in reversed(self.procs):
            try:
                proc.stop()
            except Exception as exc:  # keep stopping the others
                print(f"warning: could not stop {proc.name}: {exc}", file=sys.stderr)
        for cleanup in reversed(self.cleanups):
            try:
                cleanup()
            except Exception as exc:
                print(f"warning: cleanup failed: {exc}", file=sys.stderr)

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def app_env(database_url: str, redis_url: str | None, name: str, **extra: str) -> dict:
    """The environment of every app process of one benchmark deployment. The matching index
    and media live under var/bench/<name>/ so they never touch the development ones."""
    env = dict(os.environ)
    for key in ("REDIS_URL", "DATABASE_URL", "NDX_TESTING"):
        env.pop(key, None)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="benchmarks.bench_settings",
        PYTHONPATH=str(ROOT),
        NDX_INDEX_DIR=str(VAR / name / "matching"),
        MEDIA_ROOT=str(VAR / name / "media"),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra)
    return env


def gunicorn(env: dict, port: int, workers: int, log: Path, threads: int = 1) -> Proc:
    args = [
        PYTHON,
        "-m",
        "gunicorn",
        "benchmarks.bench_wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
    ]
    if threads > 1:
        args += ["--threads", str(threads)]
    return Proc("gunicorn", args, env, log)


def celery_worker(env: dict, log: Path, name: str, concurrency: int = 1) -> Proc:
    args = [
        PYTHON,
        "-m",
        "celery",
        "-A",
        "ndx",
        "worker",
        "--loglevel=INFO",
        f"--concurrency={concurrency}",
        "--pool=prefork",
        "-n",
        f"{name}@%h",
        "--without-gossip",
        "--without-mingle",
    ]
    return Proc("celery", args, env, log)


def wait_celery_ready(proc: Proc, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"the Celery worker exited:\n{proc.log_tail()}")
        if " ready." in proc.log_tail(200):
            return
        time.sleep(0.3)
    raise TimeoutError(f"the Celery worker was not ready in {timeout:.0f} s:\n{proc.log_tail()}")


def redis_server(port: int, workdir: Path, log: Path, persistent: bool = False) -> Proc:
    """A private redis-server on loopback. `persistent` turns on an fsync-always append-only
    file, as a production broker has, so a restart keeps queued messages."""
    workdir.mkdir(parents=True, exist_ok=True)
    args = [
        shutil.which("redis-server") or "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--dir",
        str(workdir),
        "--protected-mode",
        "yes",
    ]
    if persistent:
        args += ["--appendonly", "yes", "--appendfsync", "always"]
    else:
        args += ["--appendonly", "no"]
    return Proc("redis", args, dict(os.environ), log)


def redis_flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()


# --- PostgreSQL --------------------------------------------------------------------------------


def ensure_database(url: str, admin: str | None = None) -> bool:
    """Create the database when missing. True when it was created."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = admin or url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("select 1 from pg_database where datname=%s", [name]).fetchone()
        if not exists:
            conn.execute(f'create database "{name}"')
            return True
    return False


def postgres_bin(tool: str) -> str | None:
    found = shutil.which(tool)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"))
    return candidates[-1] if candidates else None


class Cluster:
    """A throwaway PostgreSQL cluster in a temporary directory, on its own loopback port.
    initdb refuses to run as root, so when we are root it runs as the `postgres` user."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="ndx-faults-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.initdb = postgres_bin("initdb")
        self.pg_ctl = postgres_bin("pg_ctl")

    @classmethod
    def available(cls) -> str | None:
        """None when a cluster can be made, else the reason why not."""
        if not postgres_bin("initdb") or not postgres_bin("pg_ctl"):
            return "initdb/pg_ctl not found (install postgresql)"
        if os.geteuid() == 0:
            try:
                import pwd

                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no postgres user for initdb"
        return None

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(self.initdb, "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
        self.start()

    def start(self) -> None:
        self._run(
            self.pg_ctl,
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


# --- Django work in subprocesses ---------------------------------------------------------------


def django(env: dict, code: str, timeout: float = 1800) -> dict:
    """Run Python `code` in a configured Django process; it must print one JSON object as its
    last line of output, which is returned."""
    wrapped = "import json\n" + code
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "--no-imports", "-c", wrapped],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"Django subprocess failed ({result.returncode}):\n{result.stdout[-3000:]}\n"
            f"{result.stderr[-3000:]}"
        )
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    return json.loads(lines[-1]) if lines else {}


def manage(env: dict, *args: str, timeout: float = 1800) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result.stdout


def prepare_database(env: dict, extra_offers: int = 0) -> dict:
    """Migrate, load the demo data (idempotent) and top the catalogue up with synthetic offers.
    Returns counts. Demo data goes first because seed_demo matches the demo requirement."""
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo")  # idempotent; run every time so new demo sections appear
    return django(
        env,
        f"from benchmarks.load.stack import top_up_synthetic\n"
        f"print(json.dumps(top_up_synthetic({int(extra_offers)})))",
    )


WORDS = (
    "case management payroll intranet analytics cyber security monitoring backup telephony "
    "records helpdesk identity email licences devices training hosting migration testing "
    "consultancy support scheduling finance procurement social care housing repairs planning"
).split()
DOMAINS = [
    "adult social care",
    "children's services",
    "housing repairs",
    "waste collection",
    "planning",
    "council tax",
    "schools",
    "hospital wards",
    "GP practices",
    "libraries",
    "public health",
]


def top_up_synthetic(target: int) -> dict:
    """Add published synthetic offers (external ids `load-N`) until there are `target`, copying
    the suppliers and lots of demo offers so each is buyable; then search-index them and rebuild
    the matching index when anything was added. Needs Django set up."""
    from django.db import transaction
    from django.utils import timezone

    from catalogue.models import Offer, OfferRevision
    from catalogue.search_index import revision_search_index
    from matching.models import IndexBuild
    from matching.services import index_rebuild_now, indexable_offers

    have = Offer.objects.filter(external_id__startswith="load-").count()
    added = 0
    if target > have:
        templates = list(
            indexable_offers()
            .exclude(external_id__startswith="load-")
            .select_related("published_revision")
            .order_by("pk")
        )
        rng = random.Random(7 + have)
        now = timezone.now()
        for start in range(have, target, 2000):
            stop = min(target, start + 2000)
            with transaction.atomic():
                offers = []
                for i in range(start, stop):
                    template = templates[i % len(templates)]
                    offers.append(
                        Offer(
                            supplier_id=template.supplier_id,
                            lot_id=template.lot_id,
                            external_id=f"load-{i}",
                            status="draft",
                            first_published_at=now,
                        )
                    )
                Offer.objects.bulk_create(offers)
                revisions = []
                for i, offer in enumerate(offers, start):
                    base = templates[i % len(templates)].published_revision
                    words = " ".join(rng.sample(WORDS, 3))
                    domain = rng.choice(DOMAINS)
                    price = base.price
                    if price is not None:
                        price = (price * Decimal(rng.randrange(60, 101)) / 100).quantize(
                            Decimal("0.01")
                        )
                    revisions.append(
                        OfferRevision(
                            offer=offer,
                            number=1,
                            status="published",
                            published_at=now,
                            title=f"{base.title[:120]}: {words} for {domain}"[:200],
                            summary=base.summary,
                            description=f"{base.description} Built for {domain} teams ({words}).",
                            features=list(base.features),
                            benefits=list(base.benefits),
                            categories=list(base.categories),
                            cpv_codes=list(base.cpv_codes),
                            pricing_model=base.pricing_model,
                            price=price,
                            list_price=base.list_price,
                            certifications=list(base.certifications),
                            hosting_location=base.hosting_location,
                            accessibility=base.accessibility,
                        )
                    )
                OfferRevision.objects.bulk_create(revisions)
                for offer, revision in zip(offers, revisions, strict=True):
                    offer.published_revision = revision
                    offer.status = "published"
                Offer.objects.bulk_update(offers, ["published_revision", "status"])
                revision_search_index(revision_ids=[r.pk for r in revisions])
            added += len(offers)
    current = IndexBuild.objects.current().first()
    build_seconds = None
    if added or current is None or current.offers_indexed != indexable_offers().count():
        build = index_rebuild_now()
        build_seconds = build.seconds
    return {
        "added": added,
        "buyable": indexable_offers().count(),
        "index_build_seconds": build_seconds,
    }


def session_for(email: str) -> str:
    """A signed-in session id for this user, as if they had signed in. Needs Django set up."""
    from django.test import Client

    from ndx.accounts.models import User

    client = Client()
    client.force_login(
        User.objects.get(email=email), backend="django.contrib.auth.backends.ModelBackend"
    )
    return client.cookies["sessionid"].value


def load_fixtures(users: int) -> dict:
    """Signed-in sessions and the ids a load scenario needs. Needs Django set up.

    Every simulated user is a distinct buyer (`load.buyerNN@...`, created once as a member of
    a demo buyer organisation), so per-user rate limits see what 50 real people would cause.
    Even-numbered users belong to Leeds City Council, which owns the demo requirement."""
    from django.test import Client

    from buying.models import Requirement
    from catalogue.models import Offer
    from ndx.accounts.models import Membership, User

    orgs = [
        User.objects.get(email=email).organisation
        for email in (
            "buyer.admin@leeds.gov.uk",
            "buyer.admin@mft.nhs.uk",
            "buyer.admin@education.gov.uk",
        )
    ]
    leeds = orgs[0]
    requirement = (
        Requirement.objects.filter(organisation=leeds, status="submitted").order_by("pk").first()
    )
    sessions = []
    for n in range(users):
        org = leeds if n % 2 == 0 else orgs[1 + (n // 2) % 2]
        domain = (
            "leeds.gov.uk" if org == leeds else ("mft.nhs.uk", "education.gov.uk")[(n // 2) % 2]
        )
        email = f"load.buyer{n:02d}@{domain}"
        user, created = User.objects.get_or_create(
            email=email, defaults={"full_name": f"Load Test Buyer {n:02d}"}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            Membership.objects.create(user=user, organisation=org, role="member")
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        sessions.append(
            {
                "email": email,
                "sessionid": client.cookies["sessionid"].value,
                "leeds": org == leeds,
            }
        )
    offers = list(Offer.objects.buyable().order_by("pk").values_list("pk", flat=True))
    demo_offers = [
        pk
        for pk in Offer.objects.buyable()
        .exclude(external_id__startswith="load-")
        .order_by("pk")
        .values_list("pk", flat=True)
    ]
    reviewed, reviews = [], []
    try:
        from reviews.models import Review

        published = Review.objects.filter(status="published")
        reviewed = sorted(set(published.values_list("offer_id", flat=True)))
        reviews = sorted(published.values_list("pk", flat=True))
    except Exception:  # noqa: S110 - reviews may not exist in this version
        pass
    return {
        "sessions": sessions,
        "offers": offers,
        "demo_offers": demo_offers,
        "reviewed_offers": reviewed,
        "reviews": reviews,
        "requirement": requirement.pk if requirement else None,
    }
