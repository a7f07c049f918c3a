"""Contract moved from buying to contracts without losing a row, an id or an audit entry, and the
move can be reversed (migrating back to before it) and replayed."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from contracts.models import Contract
from ndx.audit.models import AuditEntry

BEFORE_THE_MOVE = [
    ("contracts", None),
    ("reviews", "0001_initial"),
    ("buying", "0003_competitions"),
]


def _migrate(targets):
    """Migrate to `targets`; the historical models as they are there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    applied = executor.loader.applied_migrations
    return executor.loader.project_state(
        [key for key in executor.loader.graph.leaf_nodes() if key in applied]
        + [(app, name) for app, name in targets if name]
    ).apps


def _snapshot(apps, app_label: str):
    contract = apps.get_model(app_label, "Contract")
    entry = apps.get_model("audit", "AuditEntry")
    content_type = apps.get_model("contenttypes", "ContentType")
    review = apps.get_model("reviews", "Review")
    competition = apps.get_model("buying", "FurtherCompetition")
    return {
        "contracts": sorted(
            contract.objects.values_list("pk", "reference", "organisation_id", "value")
        ),
        "audit": sorted(
            entry.objects.filter(object_type=f"{app_label}.contract").values_list(
                "pk", "object_id", "action"
            )
        ),
        "content_type": content_type.objects.filter(app_label=app_label, model="contract")
        .values_list("pk", flat=True)
        .first(),
        "reviews": sorted(review.objects.values_list("pk", "contract_id")),
        "competitions": sorted(competition.objects.values_list("pk", "contract_id")),
    }


@pytest.mark.django_db(transaction=True)
def test_moving_contract_keeps_every_row_id_and_audit_entry():
    call_command("seed_demo", stdout=io.StringIO())
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    after = _snapshot(_migrate(latest), "contracts")
    assert len(after["contracts"]) == Contract.objects.count() > 0
    assert after["audit"] and after["content_type"] is not None
    assert any(contract_id for _, contract_id in after["competitions"])
    assert after["reviews"]
    assert not AuditEntry.objects.filter(object_type="buying.contract").exists()

    try:
        before = _snapshot(_migrate(BEFORE_THE_MOVE), "buying")
        assert before == after  # the same rows, ids, audit entries and content type, relabelled
    finally:
        replayed = _snapshot(_migrate(latest), "contracts")
    assert replayed == after
    contract = Contract.objects.order_by("pk").first()
    assert AuditEntry.objects.for_object(contract).filter(action="contract.awarded").exists()


def test_contract_admin_is_read_only(rf):
    from django.contrib import admin

    model_admin = admin.site._registry[Contract]
    request = rf.get("/admin/")
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
