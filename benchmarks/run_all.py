"""Every benchmark, one after another, with a summary of the figures at the end (`make bench`).

    python benchmarks/run_all.py [--only search,matching,scale,load,faults] [--quick] [--national]

- search:   catalogue search latency and throughput on PostgreSQL (benchmarks/search.py)
- matching: matching quality against BM25 on the shared benchmark (benchmarks/matching_eval.py;
            skipped with a reason when ../shared/benchmarks/matching is missing)
- scale:    matching at scale: build, query p95, the row mask, private memory per extra process
            (benchmarks/scale.py; 100,000 offers, 1,000,000 with --national)
- load:     50 signed-in buyers for 2 minutes against gunicorn, PostgreSQL, Redis and Celery
            (benchmarks/load/run.py)
- faults:   Redis down, a worker killed mid re-index, the database restarted under load
            (benchmarks/faults.py)

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis on 127.0.0.1:6379; each
benchmark uses its own database and everything listens on loopback only. --quick shortens every
run (smaller catalogue, 30-second load) for a smoke test. Exit status 1 when any part fails.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
SHARED_MATCHING = ROOT.parent / "shared" / "benchmarks" / "matching"
ORDER = ["search", "matching", "scale", "load", "faults"]
# Lines worth repeating in the summary.
FIGURES = (
    "search latency",
    "profile (cold page",
    "matching build",
    "matching query",
    "private memory per extra process",
    "INVALID",
    "throughput (gunicorn",
    "task engine",
    "mean ",
    "LOAD RESULTS",
    "load: PASS",
    "load: FAIL",
    "throughput:",
    "faults: PASS",
    "faults: FAIL",
)


def commands(quick: bool, national: bool = False) -> dict[str, list[str] | str]:
    py = sys.executable
    matching: list[str] | str = (
        [py, str(BENCH / "matching_eval.py"), str(SHARED_MATCHING)]
        if SHARED_MATCHING.is_dir()
        else f"no benchmark data at {SHARED_MATCHING}"
    )
    search = [py, str(BENCH / "search.py")]
    load = [py, str(BENCH / "load" / "run.py")]
    faults = [py, str(BENCH / "faults.py")]
    scale = [py, str(BENCH / "scale.py")]
    if national:  # 1,000,000 offers: run once, on a quiet machine (tens of minutes)
        search += ["--offers", "1000000", "--database"]
        search += ["postgres://postgres@127.0.0.1:5432/ndx_bench_national"]
        scale += ["--offers", "1000000", "--processes", "2", "--private-processes", "1"]
        scale += ["--queries", "60"]
    if quick:
        scale = [py, str(BENCH / "scale.py"), "--offers", "10000", "--queries", "30"]
        # Its own database: search.py reloads its data when the offer count differs.
        search += ["--offers", "10000", "--seconds", "5", "--rounds", "3"]
        search += ["--database", "postgres://postgres@127.0.0.1:5432/ndx_bench_quick"]
        load += ["--seconds", "30"]
    return {
        "search": search,
        "matching": matching,
        "scale": scale,
        "load": load,
        "faults": faults,
    }


def run(name: str, command: list[str]) -> tuple[int, list[str], float]:
    """Run one benchmark, echoing its output as it comes; returns (status, lines, seconds)."""
    print(f"\n=== {name}: {' '.join(Path(c).name if '/' in c else c for c in command)}", flush=True)
    started = time.monotonic()
    lines: list[str] = []
    with subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            print(line, end="", flush=True)
            lines.append(line.rstrip("\n"))
        status = process.wait()
    return status, lines, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--only", default=",".join(ORDER), help="comma-separated: " + ",".join(ORDER)
    )
    parser.add_argument("--quick", action="store_true", help="shorter runs for a smoke test")
    parser.add_argument(
        "--national", action="store_true", help="search and scale at 1,000,000 offers"
    )
    args = parser.parse_args(argv)
    chosen = [part.strip() for part in args.only.split(",") if part.strip()]
    unknown = sorted(set(chosen) - set(ORDER))
    if unknown:
        parser.error(f"unknown benchmarks {unknown}; choose from {ORDER}")

    plan = commands(args.quick, args.national)
    results = []
    for name in [n for n in ORDER if n in chosen]:
        command = plan[name]
        if isinstance(command, str):
            print(f"\n=== {name}: SKIPPED ({command})")
            results.append((name, "SKIPPED", 0.0, [command]))
            continue
        status, lines, seconds = run(name, command)
        figures = [line.strip() for line in lines if any(key in line for key in FIGURES)]
        results.append((name, "PASS" if status == 0 else f"FAIL (exit {status})", seconds, figures))

    print("\n=== summary")
    for name, verdict, seconds, figures in results:
        print(f"{name:9} {verdict:14} {seconds:6.0f} s")
        for line in figures:
            print(f"    {line}")
    return 0 if all(r[1] in ("PASS", "SKIPPED") for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
