"""Settings for benchmarks: the real settings plus a bare view to compare throughput against.

Rate limits are raised here, for the benchmark processes only (a benchmark hammers the search
page from one address on purpose); the limits themselves are tested with the real settings."""

import os

from ndx.settings import *  # noqa: F403
from ndx.settings import NDX_RATE_LIMITS

ROOT_URLCONF = "benchmarks.bench_urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
BENCH_RATE = os.environ.get("NDX_BENCH_RATE", "100000000/m")
NDX_RATE_LIMITS = {scope: BENCH_RATE for scope in NDX_RATE_LIMITS}
