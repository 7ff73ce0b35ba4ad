"""Let fact-checkers see fetch attempts and re-queue sources."""

from django.db import migrations

from reviews.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0006_api_clients"),
        ("claims", "0002_cited_sources"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
