"""Load test: 50 signed-in buyers against gunicorn, PostgreSQL, Redis and a Celery worker.

    python benchmarks/load/run.py [--seconds 120] [--users 50] [--spawn-rate 10]
        [--database postgres://postgres@127.0.0.1:5432/ndx_load] [--redis redis://127.0.0.1:6379/13]
        [--workers 3] [--threads 1] [--extra-offers 0] [--port 8770]

1. Creates the database when missing, migrates, loads `seed_demo` (frameworks, ~333 published
   offers, buyers, suppliers, a submitted requirement with matches), optionally tops the
   catalogue up with synthetic offers, and builds the matching index.
2. Starts gunicorn (the real application, DEBUG off) and a Celery worker, both with Redis as
   cache and broker (its database is flushed first), on 127.0.0.1 only.
3. Runs the locust scenario (benchmarks/load/locustfile.py) headless for the given time:
   users browse the catalogue, open offer pages, search with varied words and filters, read
   offer reviews, and Leeds users open and re-run the matches of the demo requirement.
4. Prints throughput, p50/p95/p99 per endpoint group and every error.
Aims: 0 errors, search p95 under 300 ms. Exit status 1 when an aim is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from benchmarks.load import stack  # noqa: E402

SEARCH_P95_AIM_MS = 300.0
GROUP_ORDER = [
    "home",
    "browse catalogue",
    "search",
    "offer page",
    "offer reviews",
    "my reviews",
    "review page",
    "review helpful (POST)",
    "matches",
    "matches rerun (POST)",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument(
        "--database",
        default=os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ndx_load"),
    )
    parser.add_argument(
        "--redis", default=os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/13")
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument(
        "--extra-offers", type=int, default=0, help="synthetic offers on top of the demo data"
    )
    parser.add_argument("--port", type=int, default=8770)
    args = parser.parse_args(argv)

    if not args.database.startswith("postgres"):
        parser.error("--database must be a PostgreSQL URL")
    for url in (args.database, args.redis):
        if "127.0.0.1" not in url and "localhost" not in url:
            parser.error(f"loopback only: {url}")

    name = args.database.rsplit("/", 1)[1]
    env = stack.app_env(args.database, args.redis, name)
    work = Path(tempfile.mkdtemp(prefix="ndx-load-"))
    port = stack.free_port(args.port)

    started = time.monotonic()
    try:
        created = stack.ensure_database(args.database)
        stack.redis_flush(args.redis)
    except Exception as exc:  # no server: say which, without a stack trace
        print(f"load: FAIL cannot reach PostgreSQL or Redis: {type(exc).__name__}: {exc}")
        return 1
    print(f"load: database {name} ({'created' if created else 'exists'}), preparing data…")
    counts = stack.prepare_database(env, args.extra_offers)
    fixtures = stack.django(
        env,
        "from benchmarks.load.stack import load_fixtures\n"
        f"print(json.dumps(load_fixtures({args.users})))",
    )
    config_path = work / "config.json"
    config_path.write_text(json.dumps(fixtures), encoding="utf-8")
    print(
        f"load: {counts['buyable']} buyable offers ({counts['added']} synthetic added"
        + (
            f", matching index built in {counts['index_build_seconds']:.1f} s"
            if counts.get("index_build_seconds")
            else ""
        )
        + f"), {len(fixtures['sessions'])} signed-in sessions, demo requirement "
        f"{fixtures['requirement']}, {len(fixtures['reviewed_offers'])} offers with reviews; "
        f"ready in {time.monotonic() - started:.0f} s"
    )

    result_path = work / "result.json"
    with stack.Stack() as procs:
        procs.add(stack.gunicorn(env, port, args.workers, work / "gunicorn.log", args.threads))
        worker = procs.add(stack.celery_worker(env, work / "celery.log", "ndx-load"))
        stack.wait_http(port)
        stack.wait_celery_ready(worker)
        # Warm every worker process (imports, facet table, matching index) before measuring.
        for path in ["/", "/catalogue/", "/catalogue/?q=case+management"] * args.workers * 2:
            stack.http_get(port, path, timeout=30)
        baseline(port, fixtures)
        print(
            f"load: gunicorn ({args.workers} workers x {args.threads} threads) on "
            f"127.0.0.1:{port}, Celery worker, Redis {args.redis}; "
            f"locust {args.users} users, spawn rate {args.spawn_rate}/s, {args.seconds} s"
        )
        locust_env = dict(env, NDX_LOAD_CONFIG=str(config_path), NDX_LOAD_RESULT=str(result_path))
        command = [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(HERE / "locustfile.py"),
            "--headless",
            "-u",
            str(args.users),
            "-r",
            str(args.spawn_rate),
            "-t",
            f"{args.seconds}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--only-summary",
            "--stop-timeout",
            "10",
            "--loglevel",
            "WARNING",
            "--csv",
            str(work / "locust"),
        ]
        server = procs.procs[0]
        cpu_before = tree_cpu_seconds(server.pid)
        load_before = os.getloadavg()[0]
        wall = time.monotonic()
        run = subprocess.run(
            command,
            cwd=HERE,
            env=locust_env,
            capture_output=True,
            text=True,
            timeout=args.seconds + 180,
        )
        wall = time.monotonic() - wall
        cpu = tree_cpu_seconds(server.pid) - cpu_before
        machine = {
            "gunicorn_cpu_seconds": cpu,
            "wall_seconds": wall,
            "load_before": load_before,
            "load_after": os.getloadavg()[0],
        }
        (work / "locust.out").write_text(run.stdout + run.stderr, encoding="utf-8")
        if not result_path.exists():
            print(run.stdout[-5000:], run.stderr[-5000:])
            print("load: FAIL locust wrote no results")
            return 1
        server_errors = [
            line
            for line in (work / "gunicorn.log").read_text(errors="replace").splitlines()
            if "Traceback" in line or "ERROR" in line or "CRITICAL" in line
        ]
    return report(json.loads(result_path.read_text()), args, work, server_errors, machine)


def baseline(port: int, fixtures: dict, rounds: int = 5) -> None:
    """One signed-in user, one request at a time: what each page costs without queueing."""
    cookie = {"Cookie": f"sessionid={fixtures['sessions'][0]['sessionid']}"}
    offer = fixtures["demo_offers"][len(fixtures["demo_offers"]) // 2]
    paths = {
        "home": "/",
        "browse catalogue": "/catalogue/",
        "search": "/catalogue/?q=case+management&sme=yes",
        "offer page": f"/catalogue/offers/{offer}/",
        "offer reviews": f"/reviews/offers/{offer}/",
    }
    if fixtures["requirement"]:
        paths["matches"] = f"/buying/requirements/{fixtures['requirement']}/matches/"
    parts = []
    for name, path in paths.items():
        timings = []
        for _ in range(rounds):
            status, _body, seconds = stack.http_get(port, path, timeout=30, headers=cookie)
            timings.append(seconds * 1000 if status == 200 else float("nan"))
        parts.append(f"{name} {stack.percentile(timings, 50):.0f}")
    print("load: one user at a time, median ms: " + ", ".join(parts))


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its children."""
    import psutil

    total = 0.0
    try:
        root = psutil.Process(pid)
        for process in [root, *root.children(recursive=True)]:
            try:
                times = process.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                continue
    except psutil.NoSuchProcess:
        pass
    return total


def report(result: dict, args, work: Path, server_errors: list[str], machine: dict) -> int:
    times: dict[str, list[float]] = result["times"]
    errors: dict[str, int] = result["error_counts"]
    total = sum(len(v) for v in times.values())
    failures = sum(errors.values())
    elapsed = max(result["last_request"] - result["start_time"], 1e-9)
    everything = [t for values in times.values() for t in values]
    print()
    print(
        f"LOAD RESULTS: {args.users} users, {args.seconds} s, {args.workers} gunicorn workers, "
        f"{os.cpu_count()} CPUs (locust, gunicorn, PostgreSQL, Redis and Celery share them)"
    )
    print(
        f"{'group':26} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    )
    names = [n for n in GROUP_ORDER if n in times] + sorted(set(times) - set(GROUP_ORDER))
    for name in [*names, "ALL"]:
        values = everything if name == "ALL" else times[name]
        count = len(values)
        errs = failures if name == "ALL" else errors.get(name, 0)
        print(
            f"{name:26} {count:8d} {errs:6d} {count / elapsed:7.1f} "
            f"{stack.percentile(values, 50):8.0f} {stack.percentile(values, 95):8.0f} "
            f"{stack.percentile(values, 99):8.0f} {max(values, default=0):8.0f}"
        )
    print(f"throughput: {total / elapsed:.1f} requests/s over {elapsed:.0f} s, {total} requests")
    cpu = machine["gunicorn_cpu_seconds"]
    print(
        f"server CPU: gunicorn used {cpu:.0f} CPU-seconds in {machine['wall_seconds']:.0f} s "
        f"({100 * cpu / machine['wall_seconds']:.0f}% of one CPU), "
        f"{1000 * cpu / max(total, 1):.0f} ms of CPU per request; machine load average "
        f"{machine['load_before']:.1f} before, {machine['load_after']:.1f} after "
        f"(on {os.cpu_count()} CPUs; above that, requests wait for a CPU, not for NDX)"
    )
    for name, messages in result["errors"].items():
        print(f"errors in {name}: {len(messages)} shown of {errors[name]}: {sorted(set(messages))}")
    if server_errors:
        print(f"server log: {len(server_errors)} error lines, e.g. {server_errors[:3]}")
    search_p95 = stack.percentile(times.get("search", []), 95)
    ok_errors = failures == 0
    ok_search = bool(times.get("search")) and search_p95 < SEARCH_P95_AIM_MS
    if not ok_errors:
        print(f"INVALID: {failures} requests failed (any non-2xx answer is an error)")
    print(
        f"load: {'PASS' if ok_errors and ok_search else 'FAIL'} "
        f"errors {failures} (aim 0), search p95 {search_p95:.0f} ms (aim < "
        f"{SEARCH_P95_AIM_MS:.0f} ms), throughput {total / elapsed:.1f} req/s; logs in {work}"
    )
    return 0 if ok_errors and ok_search else 1


if __name__ == "__main__":
    sys.exit(main())
