"""Seed the default rating scale: five steps with ClaimReview values, and two off the scale."""

from django.db import migrations

DEFAULT_SCALE = [
    # (slug, label, numeric value, colour, definition)
    ("true", "True", 5, "#1b7f3b", "The statement is accurate and nothing significant is missing."),
    (
        "mostly-true",
        "Mostly true",
        4,
        "#5a9e2f",
        "The statement is accurate but needs clarification or additional information.",
    ),
    (
        "half-true",
        "Half true",
        3,
        "#c99a06",
        "The statement is partially accurate but leaves out important details or takes "
        "things out of context.",
    ),
    (
        "mostly-false",
        "Mostly false",
        2,
        "#d9661f",
        "The statement contains an element of truth but ignores critical facts that would "
        "give a different impression.",
    ),
    ("false", "False", 1, "#c0392b", "The statement is not accurate."),
    (
        "misleading",
        "Misleading",
        None,
        "#8e44ad",
        "The facts stated may be accurate, but they are presented so as to leave a false "
        "impression.",
    ),
    (
        "unverifiable",
        "Unverifiable",
        None,
        "#6b7280",
        "The available evidence can neither confirm nor refute the statement.",
    ),
]


def seed_scale(apps, schema_editor):
    rating_model = apps.get_model("reviews", "Rating")
    for order, (slug, label, value, colour, definition) in enumerate(DEFAULT_SCALE, start=1):
        # A desk that already edited its scale keeps its wording; only missing steps are added.
        rating_model.objects.get_or_create(
            slug=slug,
            defaults={
                "label": label,
                "numeric_value": value,
                "colour": colour,
                "definition": definition,
                "order": order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("reviews", "0002_review_desk")]

    # Reversing 0002 drops the table; nothing to undo here.
    operations = [migrations.RunPython(seed_scale, migrations.RunPython.noop)]
