"""Give the roles the review desk's permissions, now that its models exist."""

from django.db import migrations

from reviews.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [("reviews", "0003_rating_scale")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
