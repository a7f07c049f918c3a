"""Settings for benchmarks: the real settings plus a bare view to compare throughput against."""

from ndx.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bench_urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
