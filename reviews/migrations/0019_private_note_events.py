"""Mark the audit events of existing private notes private, as comment_add now does."""

from django.db import migrations


def mark(apps, schema_editor):
    Comment = apps.get_model("reviews", "Comment")
    Event = apps.get_model("reviews", "Event")
    private = set(Comment.objects.filter(private=True).values_list("pk", flat=True))
    if not private:
        return
    changed = []
    for event in Event.objects.filter(action="comment").only("pk", "data").iterator():
        data = event.data or {}
        if data.get("comment") in private and not data.get("private"):
            event.data = {**data, "private": True}
            changed.append(event)
    Event.objects.bulk_update(changed, ["data"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0018_g13scale_ticket_work_indexes")]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
