"""Shared set-up for the end-to-end journeys: one browser context per role, axe on every
distinct page reached, and on failure a screenshot and the HTML of every context's page saved
to test-artifacts/ (see tests/browser/test_supply_journey.py's Journey, reused here)."""

import pytest

from ..test_supply_journey import Journey


class RoleJourney(Journey):
    """Journey, plus the page fixture's Content-Security-Policy check for every context."""

    def __init__(self, browser, live_server):
        super().__init__(browser, live_server)
        self.csp_errors: list[str] = []

    def open(self, role: str, user=None):
        page = super().open(role, user)
        page.on(
            "console",
            lambda message: (
                self.csp_errors.append(f"{role}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return page


@pytest.fixture
def journey(browser, live_server, request):
    journey = RoleJourney(browser, live_server)
    yield journey
    rep = getattr(request.node, "rep_call", None)
    journey.close(rep is not None and rep.failed, request.node.name)
    if journey.csp_errors:
        pytest.fail("Content-Security-Policy blocked: " + " | ".join(journey.csp_errors[:3]))
