"""Sensitive actions ask the person to confirm it is them (allauth's re-authentication) when
their sign-in is not recent: awards, staff approvals, removing a member. Each is tried with the
request that the permission matrix proves does change something, from a session whose sign-in
is older than ACCOUNT_REAUTHENTICATION_TIMEOUT: it is sent to re-authenticate and nothing
changes. With a recent sign-in the same request goes through (the matrix's control test)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from .conftest import ROLES, changed_tables, fingerprint, sign_in
from .test_permission_matrix import POSTS

pytestmark = pytest.mark.django_db

SENSITIVE = {
    "buying:direct_award_item",
    "buying:direct_award_offer",
    "buying:competition_award",
    "suppliers:staff_application",
    "suppliers:staff_membership",
    "catalogue:staff_offer_review",
    "catalogue:staff_framework_approve_live",
    "reviews:staff_publish",
    "reviews:staff_reject",
    "accounts:member_remove",
    "contracts:terminate",
    "contracts:supplier_variation",
}
CASES = [p for p in POSTS if p.name in SENSITIVE]


def _right_role(entry) -> str:
    """The control role, or else the first role the matrix does not refuse."""
    return entry.control or next(r for r in ROLES if r not in entry.expected)


def test_every_sensitive_action_has_a_case():
    assert {p.name for p in CASES} >= SENSITIVE - {"buying:direct_award_offer"}


@pytest.mark.parametrize("entry", CASES, ids=lambda p: p.id)
def test_a_stale_sign_in_must_confirm_before_a_sensitive_action(client, world, entry, settings):
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0  # every sign-in is older than this
    url = reverse(entry.name, kwargs=entry.kwargs(world))
    client = sign_in(client, world, _right_role(entry))
    before = fingerprint()
    response = client.post(url, entry.data(world))
    assert response.status_code == 302, f"POST {url}: {response.status_code}"
    assert urlsplit(response["Location"]).path == reverse("account_reauthenticate"), (
        f"POST {url} sent to {response['Location']}"
    )
    assert not changed_tables(before, fingerprint()), f"POST {url} changed something"
