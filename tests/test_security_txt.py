"""/.well-known/security.txt follows RFC 9116, from settings."""

from datetime import UTC, datetime, timedelta

import pytest

pytestmark = pytest.mark.django_db


def _fields(response) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for line in response.content.decode().splitlines():
        name, _, value = line.partition(": ")
        fields.setdefault(name, []).append(value)
    return fields


def test_security_txt_has_the_required_fields(client, settings):
    settings.NDX_SECURITY_CONTACTS = [
        "mailto:security@example.gov.uk",
        "https://example.gov.uk/vdp",
    ]
    settings.NDX_SECURITY_POLICY = "https://example.gov.uk/vdp/policy"
    settings.NDX_SECURITY_TXT_EXPIRES = ""
    settings.NDX_SECURITY_TXT_DAYS = 90
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = _fields(response)
    assert fields["Contact"] == ["mailto:security@example.gov.uk", "https://example.gov.uk/vdp"]
    assert fields["Policy"] == ["https://example.gov.uk/vdp/policy"]
    assert fields["Preferred-Languages"] == ["en"]
    assert fields["Canonical"] == [f"{settings.SITE_URL}/.well-known/security.txt"]
    (expires,) = fields["Expires"]
    when = datetime.strptime(expires, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    # RFC 9116 2.5.5: in the future, and less than a year away.
    assert datetime.now(UTC) < when < datetime.now(UTC) + timedelta(days=365)


def test_a_fixed_expiry_from_settings(client, settings):
    settings.NDX_SECURITY_TXT_EXPIRES = "2027-06-30T00:00:00Z"
    assert _fields(client.get("/.well-known/security.txt"))["Expires"] == ["2027-06-30T00:00:00Z"]
