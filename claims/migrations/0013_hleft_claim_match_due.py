"""Record on each claim when its matching is owed, so a sweeper re-queues a job the broker lost."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("claims", "0012_hleft_claim_claimant_trgm_idx")]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="match_due_at",
            field=models.DateTimeField(
                blank=True,
                help_text=(
                    "When the sweeper next queues the claim's matching against earlier checks; "
                    "empty once it is matched (or when matching is off)."
                ),
                null=True,
                verbose_name="matching due at",
            ),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                condition=models.Q(("match_due_at__isnull", False)),
                fields=["match_due_at"],
                name="claim_match_due_idx",
            ),
        ),
    ]
