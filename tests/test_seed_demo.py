import pytest
from django.core.management import call_command

from ndx.accounts.models import ApprovedDomain, Membership, Organisation, User

pytestmark = pytest.mark.django_db


def counts():
    return (
        User.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
        ApprovedDomain.objects.count(),
    )


def test_seed_demo_creates_every_role_and_is_idempotent(capsys):
    call_command("seed_demo")
    first = counts()
    out = capsys.readouterr().out
    assert "staff@ndx.example" in out and "ndx-demo-password" in out
    assert User.objects.filter(is_staff=True).exists()
    assert Membership.objects.filter(organisation__kind="buyer", role="admin").exists()
    assert Membership.objects.filter(organisation__kind="buyer", role="member").exists()
    assert Membership.objects.filter(organisation__kind="supplier", role="admin").exists()
    assert Membership.objects.filter(organisation__kind="supplier", role="member").exists()
    call_command("seed_demo")
    assert counts() == first


def test_demo_users_can_sign_in(client):
    call_command("seed_demo")
    response = client.post(
        "/accounts/login/", {"login": "buyer@leeds.gov.uk", "password": "ndx-demo-password"}
    )
    assert response.status_code == 302 and response.url == "/home/"
