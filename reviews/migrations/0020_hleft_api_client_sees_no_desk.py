"""Take the API client role's last permissions (reading pieces and claims, embargoed ones too).

The role is a machine account of the REST API: the admin shows it nothing of the desk.
"""

from django.db import migrations

from reviews.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [("reviews", "0019_private_note_events")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
