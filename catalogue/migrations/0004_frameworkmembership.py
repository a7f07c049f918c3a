"""FrameworkMembership moves from the suppliers app to the catalogue (which offers are buyable
depends on it). Only Django's idea of the model moves: the table keeps its name,
suppliers_frameworkmembership, so no row moves. The content type and the audit trail's
object_type follow the model's new label, catalogue.frameworkmembership; both reversible."""

import django.db.models.deletion
from django.db import migrations, models

OLD, NEW = "suppliers", "catalogue"
MODEL = "frameworkmembership"


def _relabel(apps, from_app: str, to_app: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    old = ContentType.objects.filter(app_label=from_app, model=MODEL)
    if old.exists():
        # A stale row under the new label (nothing can point at it yet) would clash.
        ContentType.objects.filter(app_label=to_app, model=MODEL).delete()
        old.update(app_label=to_app)
    AuditEntry = apps.get_model("audit", "AuditEntry")
    AuditEntry.objects.filter(object_type=f"{from_app}.{MODEL}").update(
        object_type=f"{to_app}.{MODEL}"
    )


def forward(apps, schema_editor):
    _relabel(apps, OLD, NEW)


def backward(apps, schema_editor):
    _relabel(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("audit", "0001_initial"),
        ("catalogue", "0003_postgres_search_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("suppliers", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="FrameworkMembership",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("active", "Active"),
                                    ("suspended", "Suspended"),
                                    ("removed", "Removed"),
                                ],
                                default="active",
                                max_length=10,
                            ),
                        ),
                        (
                            "reason",
                            models.TextField(
                                blank=True, help_text="Why the supplier was suspended or removed."
                            ),
                        ),
                        ("changed_at", models.DateTimeField(auto_now=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "framework",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to="catalogue.framework",
                            ),
                        ),
                        (
                            "supplier",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="framework_memberships",
                                to="accounts.organisation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "suppliers_frameworkmembership",
                        "ordering": ["framework", "supplier"],
                        "constraints": [
                            models.UniqueConstraint(
                                models.F("supplier"),
                                models.F("framework"),
                                name="one_membership_per_framework",
                            )
                        ],
                    },
                )
            ],
            database_operations=[],
        ),
        migrations.RunPython(forward, backward),
    ]
