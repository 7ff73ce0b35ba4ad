"""Trigram indexes for the admin's text search (PostgreSQL only; nothing on SQLite).

The admin matches `UPPER(column) LIKE UPPER('%term%')` (icontains): a GIN index of the
upper-cased column's trigrams answers that without reading every row.
"""

from django.db import migrations

INDEXES = {
    "claim_text_trgm_idx": ("claims_claim", "text"),
    "article_title_trgm_idx": ("claims_article", "title"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("claims", "0005_a16_article_publication_idx")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
