"""Indexes for the lists every page filters (organisation + status), and a further competition
keeps its organisation (PROTECT, like the other procurement records) instead of vanishing with it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('buying', '0004_contract_moves_to_contracts'),
        ('catalogue', '0003_postgres_search_indexes'),
        ('contracts', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='furthercompetition',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='competitions', to='accounts.organisation'),
        ),
        migrations.AddIndex(
            model_name='furthercompetition',
            index=models.Index(fields=['organisation', 'status'], name='competition_org_status'),
        ),
        migrations.AddIndex(
            model_name='requirement',
            index=models.Index(fields=['organisation', 'status'], name='requirement_org_status'),
        ),
        migrations.AddIndex(
            model_name='shortlist',
            index=models.Index(fields=['organisation', 'status'], name='shortlist_org_status'),
        ),
    ]
