"""A trigram index for the claim list's search by claimant (PostgreSQL only; nothing on SQLite).

The claim admin's search matches `UPPER(claimant) LIKE UPPER('%term%')` beside the claim's text
and its piece's title (claims.selectors.claims_matching), whose indexes claims 0006 made; with
this one every branch of the search has an index, so PostgreSQL can answer it from the indexes.
"""

from django.db import migrations

NAME = "claim_claimant_trgm_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME} ON claims_claim USING gin (UPPER(claimant) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("claims", "0011_g13scale_claim_score_order_idx")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
