"""Contract leaves buying for the contracts app (contracts.0001 took it over in Django's state).

No table or row changes: buying_contract keeps every row and id. The database work is
relabelling what names the model: its content type (django_content_type.app_label, and so its
permissions) and the audit log's object_type, "buying.contract" -> "contracts.contract" (the
history on contract pages looks entries up by that label). Both ways, so it can be reversed."""

import django.db.models.deletion
from django.db import migrations, models

OLD, NEW = ("buying", "contract"), ("contracts", "contract")


def _relabel(apps, schema_editor, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    db = schema_editor.connection.alias
    types = ContentType.objects.using(db)
    if types.filter(app_label=old[0], model=old[1]).exists():
        # A content type already made for the new label (by an earlier post_migrate) would
        # clash with the one that moves; the one with the history is kept.
        types.filter(app_label=new[0], model=new[1]).delete()
        types.filter(app_label=old[0], model=old[1]).update(app_label=new[0])
    # AuditEntry's manager refuses update() (the log is append-only); relabelling the model it
    # names is not changing what happened, so it goes through the base queryset.
    models.QuerySet(AuditEntry, using=db).filter(object_type=".".join(old)).update(
        object_type=".".join(new)
    )


def forwards(apps, schema_editor):
    _relabel(apps, schema_editor, OLD, NEW)


def backwards(apps, schema_editor):
    _relabel(apps, schema_editor, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("buying", "0003_competitions"),
        ("contracts", "0001_initial"),
        ("reviews", "0002_review_contract_in_contracts"),
        ("audit", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="furthercompetition",
                    name="contract",
                    field=models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="competition",
                        to="contracts.contract",
                    ),
                ),
                migrations.DeleteModel(name="Contract"),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
