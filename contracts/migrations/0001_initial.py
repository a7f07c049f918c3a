"""Contract moves from buying to this app. No data moves: the table keeps its name
(buying_contract) and every row and id; this migration only tells Django's state that the model
now lives here. buying.0004 then removes it from buying's state, and moves the content type and
the audit log's object labels ("buying.contract" -> "contracts.contract")."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('buying', '0003_competitions'),
        ('catalogue', '0003_postgres_search_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.CreateModel(
            name='Contract',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reference', models.CharField(max_length=30, unique=True)),
                ('route', models.CharField(choices=[('direct_award', 'Direct award'), ('further_competition', 'Further competition')], max_length=20)),
                ('title', models.CharField(max_length=200)),
                ('quantity', models.DecimalField(decimal_places=2, max_digits=12)),
                ('unit_price', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='awarded unit price (£)')),
                ('list_price', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, verbose_name='list price at award (£)')),
                ('national_price', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, verbose_name='national price at award (£)')),
                ('value', models.DecimalField(decimal_places=2, max_digits=15, verbose_name='total value (£)')),
                ('start_date', models.DateField()),
                ('end_date', models.DateField()),
                ('kpis', models.JSONField(blank=True, default=list, verbose_name='key performance indicators')),
                ('justification', models.TextField(blank=True)),
                ('status', models.CharField(choices=[('active', 'Active'), ('ended', 'Ended'), ('terminated', 'Terminated early')], default='active', max_length=12)),
                ('awarded_at', models.DateTimeField()),
                ('time_to_award', models.DurationField(blank=True, null=True)),
                ('review_reminder_sent_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('awarded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('offer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contracts', to='catalogue.offer')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contracts', to='accounts.organisation')),
                ('requirement', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='contracts', to='buying.requirement')),
                ('revision', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contracts', to='catalogue.offerrevision')),
                ('shortlist', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='contracts', to='buying.shortlist')),
                ('supplier', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='supplier_contracts', to='accounts.organisation')),
            ],
            options={
                'db_table': 'buying_contract',
                'ordering': ['-awarded_at', '-id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('end_date__gt', models.F('start_date'))), name='contract_ends_after_it_starts'), models.CheckConstraint(condition=models.Q(('quantity__gt', 0), ('unit_price__gte', 0)), name='contract_positive_quantity_and_price'), models.CheckConstraint(condition=models.Q(('national_price__isnull', True), ('unit_price__lte', models.F('national_price')), _connector='OR'), name='contract_price_at_or_below_national_price')],
            },
        ),
            ],
        ),
    ]
