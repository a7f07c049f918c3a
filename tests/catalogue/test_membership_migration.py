"""catalogue 0004 moves FrameworkMembership's labels (content type, audit trail), both ways."""

import importlib

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from catalogue.models import FrameworkMembership
from ndx.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

migration = importlib.import_module("catalogue.migrations.0004_frameworkmembership")


def historical_apps():
    """The models as the migration sees them (the audit log's append-only manager is not)."""
    loader = MigrationExecutor(connection).loader
    return loader.project_state(("catalogue", "0004_frameworkmembership")).apps


def test_the_model_keeps_its_table():
    assert FrameworkMembership._meta.label_lower == "catalogue.frameworkmembership"
    assert FrameworkMembership._meta.db_table == "suppliers_frameworkmembership"


def test_labels_move_forward_and_back():
    apps = historical_apps()
    ContentType.objects.filter(model="frameworkmembership").delete()
    ContentType.objects.clear_cache()
    content_type = ContentType.objects.create(app_label="suppliers", model="frameworkmembership")
    entry = AuditEntry.objects.create(
        action="framework_membership.suspended", object_type="suppliers.frameworkmembership"
    )
    other = AuditEntry.objects.create(action="lot_application.approved", object_type="x.y")

    migration.forward(apps, None)
    content_type.refresh_from_db()
    assert content_type.app_label == "catalogue"  # the same row: permissions keep pointing at it
    entry.refresh_from_db()
    assert entry.object_type == "catalogue.frameworkmembership"

    migration.backward(apps, None)
    content_type.refresh_from_db()
    entry.refresh_from_db()
    assert (content_type.app_label, entry.object_type) == (
        "suppliers",
        "suppliers.frameworkmembership",
    )
    other.refresh_from_db()
    assert other.object_type == "x.y"
    ContentType.objects.clear_cache()


def test_a_stale_row_under_the_new_label_gives_way():
    apps = historical_apps()
    ContentType.objects.filter(model="frameworkmembership").delete()
    old = ContentType.objects.create(app_label="suppliers", model="frameworkmembership")
    ContentType.objects.create(app_label="catalogue", model="frameworkmembership")
    migration.forward(apps, None)
    assert list(
        ContentType.objects.filter(model="frameworkmembership").values_list("pk", "app_label")
    ) == [(old.pk, "catalogue")]
    ContentType.objects.clear_cache()
