"""FrameworkMembership is now catalogue.FrameworkMembership (see catalogue 0004): the suppliers
app forgets the model; its table, suppliers_frameworkmembership, stays for the catalogue."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("suppliers", "0001_initial"),
        ("catalogue", "0004_frameworkmembership"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="FrameworkMembership")],
            database_operations=[],
        )
    ]
