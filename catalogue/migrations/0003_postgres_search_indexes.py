"""PostgreSQL-only search indexes: pg_trgm, a GIN index on the stored tsvector, and a trigram
index on the vocabulary. On SQLite these steps do nothing (search falls back to LIKE)."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS catalogue_revision_search_gin "
    "ON catalogue_offerrevision USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS catalogue_searchterm_word_trgm "
    "ON catalogue_searchterm USING gin (word gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS catalogue_searchterm_word_trgm",
    "DROP INDEX IF EXISTS catalogue_revision_search_gin",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_search_fields")]
    operations = [migrations.RunPython(forward, backward)]
