"""The audit log is append-only: no update or delete through the ORM or the admin."""

import pytest

from ndx.audit.models import AuditEntry, AuditLogIsAppendOnly
from ndx.audit.services import audit_record

from .accounts.factories import StaffFactory, member

pytestmark = pytest.mark.django_db


def test_audit_record_captures_who_what_which_and_organisation():
    user = member()
    entry = audit_record(actor=user, action="thing.done", obj=user.organisation, detail={"a": 1})
    assert entry.actor == user
    assert entry.organisation == user.organisation
    assert entry.object_type == "accounts.organisation"
    assert entry.object_id == str(user.organisation.pk)
    assert entry.detail == {"a": 1}
    assert entry.created_at is not None


def test_entries_cannot_be_changed_or_deleted():
    entry = audit_record(action="x")
    entry.action = "y"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(action="z")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "x"


def test_admin_is_read_only(client):
    from allauth.mfa.totp.internal.auth import TOTP

    staff = StaffFactory(is_superuser=True)
    TOTP.activate(staff, "JBSWY3DPEHPK3PXPTESTSECR")
    client.force_login(staff)
    entry = audit_record(action="x")
    assert client.get("/admin/audit/auditentry/").status_code == 200
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    response = client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
