"""An index for the contract lists every page filters (organisation + status)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0001_initial'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='contract',
            index=models.Index(fields=['organisation', 'status'], name='contract_org_status'),
        ),
    ]
