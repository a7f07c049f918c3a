"""Locust scenario: signed-in buyers browsing, searching, matching and reading reviews.

Run through benchmarks/load/run.py, which starts the stack and writes the configuration this
file reads (NDX_LOAD_CONFIG: sessions, offer ids, the demo requirement). Each simulated user
holds its own signed-in session (created server-side by the runner, so no password hashing
skews the figures). Every response is checked: a wrong status, a redirect to sign-in or a page
without its heading counts as an error. Exact per-group response times are written to
NDX_LOAD_RESULT as JSON when the run ends.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

from locust import HttpUser, between, events, task

CONFIG = json.loads(Path(os.environ["NDX_LOAD_CONFIG"]).read_text(encoding="utf-8"))
RESULT = os.environ.get("NDX_LOAD_RESULT")
_sessions = itertools.cycle(CONFIG["sessions"])
_lock = threading.Lock()
TIMES: dict[str, list[float]] = defaultdict(list)
ERRORS: dict[str, list[str]] = defaultdict(list)

WORDS = [
    "case management",
    "adult social care",
    "cyber secuirty monitoring",
    "payroll",
    "backup software",
    "cloud hosting",
    "managed kubernetes",
    "resident portal",
    "parking permits",
    "data scientist",
    "user researcher",
    "endpoint protection",
    "log management",
    "schools admissions",
    "fleet management",
    "microsoft licences",
    "share point intranet",
    "penetration testing",
    "training",
    "content delivery network",
]
FILTERS = [
    {},
    {},
    {"sme": "yes"},
    {"hosting": "uk"},
    {"sort": "price"},
    {"sort": "-price"},
    {"cert": "cyber-essentials-plus"},
    {"cert": "iso-27001", "hosting": "uk"},
    {"pricing": "per_user_month"},
    {"price_max": "1000"},
    {"page": "2"},
]
BROWSE = [
    {},
    {"page": "2"},
    {"page": "5"},
    {"sort": "price"},
    {"sme": "yes"},
    {"vcse": "yes"},
    {"hosting": "uk"},
    {"pricing": "per_day"},
]
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
H1_RE = re.compile(r"<h1[ >]")


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    with _lock:
        TIMES[name].append(response_time)
        if exception is not None:
            ERRORS[name].append(str(exception)[:200])


@events.quitting.add_listener
def _write_result(environment, **kwargs):
    if not RESULT:
        return
    total = environment.stats.total
    payload = {
        "times": TIMES,
        "errors": {name: messages[:20] for name, messages in ERRORS.items()},
        "error_counts": {name: len(messages) for name, messages in ERRORS.items()},
        "requests": total.num_requests,
        "failures": total.num_failures,
        "start_time": total.start_time,
        "last_request": total.last_request_timestamp,
    }
    Path(RESULT).write_text(json.dumps(payload), encoding="utf-8")


class Buyer(HttpUser):
    """A buyer in a public-sector organisation. Leeds users also work on their requirement."""

    wait_time = between(1, 3)

    def on_start(self) -> None:
        with _lock:
            session = next(_sessions)
        self.leeds = session["leeds"]
        self.client.cookies.set("sessionid", session["sessionid"])
        self.rng = random.Random()

    # --- helpers -----------------------------------------------------------------------------

    def page(self, path: str, name: str, expect: str | None = None) -> str | None:
        """GET a page; it must be a 200 HTML page with a heading (and `expect` when given)."""
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                where = response.headers.get("Location", "")
                response.failure(f"{response.status_code} {where}".strip())
                return None
            text = response.text
            if not H1_RE.search(text):
                response.failure("no <h1> in the page")
                return None
            if expect and expect not in text:
                response.failure(f"page without {expect!r}")
                return None
            response.success()
            return text

    def post(self, path: str, referer: str, token, name: str) -> bool:
        """POST a one-button form; it must redirect (POST/redirect/GET)."""
        with self.client.post(
            path,
            data={"csrfmiddlewaretoken": token.group(1)},
            headers={"Referer": self.host + referer},
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{response.status_code}")
                return False
            response.success()
            return True

    # --- tasks -------------------------------------------------------------------------------

    @task(1)
    def home(self) -> None:
        self.page("/", "home")

    @task(3)
    def browse(self) -> None:
        params = self.rng.choice(BROWSE)
        self.page("/catalogue/?" + urlencode(params), "browse catalogue")

    @task(8)
    def search(self) -> None:
        params = {"q": self.rng.choice(WORDS), **self.rng.choice(FILTERS)}
        self.page("/catalogue/?" + urlencode(params), "search")

    @task(5)
    def offer(self) -> None:
        pool = CONFIG["demo_offers"] if self.rng.random() < 0.7 else CONFIG["offers"]
        pk = self.rng.choice(pool)
        self.page(f"/catalogue/offers/{pk}/", "offer page")

    @task(2)
    def reviews(self) -> None:
        pool = CONFIG["reviewed_offers"] or CONFIG["demo_offers"]
        pk = self.rng.choice(pool)
        self.page(f"/reviews/offers/{pk}/", "offer reviews")

    @task(1)
    def my_reviews(self) -> None:
        self.page("/reviews/", "my reviews")

    @task(1)
    def review_helpful(self) -> None:
        """Read a published review and mark it helpful (a vote is kept once per person)."""
        if not CONFIG.get("reviews"):
            return self.reviews()
        pk = self.rng.choice(CONFIG["reviews"])
        text = self.page(f"/reviews/{pk}/", "review page")
        token = CSRF_RE.search(text or "")
        if token is None:
            return None
        self.post(f"/reviews/{pk}/helpful/", f"/reviews/{pk}/", token, "review helpful (POST)")
        return None

    @task(3)
    def matches(self) -> None:
        if not self.leeds or not CONFIG["requirement"]:
            return self.search()
        params = self.rng.choice([{}, {}, {"sme": "yes"}, {"within_budget": "yes"}])
        path = f"/buying/requirements/{CONFIG['requirement']}/matches/"
        self.page(path + ("?" + urlencode(params) if params else ""), "matches")

    @task(1)
    def rerun_matching(self) -> None:
        """Match the requirement again (ranks the live catalogue, freezes a new run)."""
        if not self.leeds or not CONFIG["requirement"]:
            return self.browse()
        path = f"/buying/requirements/{CONFIG['requirement']}/matches/"
        text = self.page(path, "matches")
        token = CSRF_RE.search(text or "")
        if token is None:
            return None
        if self.post(path + "rerun/", path, token, "matches rerun (POST)"):
            self.page(path, "matches")
        return None
