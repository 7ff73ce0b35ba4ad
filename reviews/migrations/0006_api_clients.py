"""Add API keys with scopes, webhook subscriptions and deliveries, and the API's search indexes."""

import django.db.models.deletion
import django.utils.timezone
import reviews.models.api
import uuid
from django.db import migrations, models

from reviews.roles import sync_roles

# The API's full-text filter matches claims and verdict summaries with exactly these expressions
# (what Django's SearchVector(field, config="english") renders), so PostgreSQL uses the indexes.
SEARCH_INDEXES = [
    ("claim_text_fts_idx", "claims_claim", "text"),
    ("revision_summary_fts_idx", "reviews_verdictrevision", "summary"),
]


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (the laptop demo) searches with LIKE; nothing to index.
    for name, table, column in SEARCH_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin "
            f"(to_tsvector('english'::regconfig, COALESCE({column}, '')))"
        )


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in SEARCH_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0005_verdict_evidence'),
    ]

    operations = [
        migrations.CreateModel(
            name='ClientKey',
            fields=[
                ('id', models.CharField(editable=False, max_length=150, primary_key=True, serialize=False, unique=True)),
                ('prefix', models.CharField(editable=False, max_length=8, unique=True)),
                ('hashed_key', models.CharField(editable=False, max_length=150)),
                ('created', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('name', models.CharField(default=None, help_text='A free-form name for the API key. Need not be unique. 50 characters max.', max_length=50)),
                ('revoked', models.BooleanField(blank=True, default=False, help_text='If the API key is revoked, clients cannot use it anymore. (This cannot be undone.)')),
                ('expiry_date', models.DateTimeField(blank=True, help_text='Once API key expires, clients cannot use it anymore.', null=True, verbose_name='Expires')),
                ('scopes', models.JSONField(blank=True, default=list, help_text='What the key may do: read published verdicts, ingest articles, or both.', verbose_name='scopes')),
                ('contact', models.CharField(blank=True, help_text="Who to call about this client: a person or a team's address.", max_length=200, verbose_name='contact')),
            ],
            options={
                'verbose_name': 'API key',
                'verbose_name_plural': 'API keys',
            },
        ),
        migrations.CreateModel(
            name='WebhookSubscription',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('url', models.URLField(help_text='Receives a signed POST for each event.', max_length=2000, verbose_name='URL')),
                ('secret', models.CharField(default=reviews.models.api.new_webhook_secret, editable=False, help_text='Signs every delivery; shown once when the subscription is created.', max_length=100, verbose_name='signing secret')),
                ('events', models.JSONField(default=list, help_text='The events this subscriber is told about.', verbose_name='events')),
                ('is_active', models.BooleanField(default=True, help_text='Untick to stop deliveries for good.', verbose_name='active')),
                ('paused_at', models.DateTimeField(blank=True, help_text='Set when deliveries kept failing; resume it once the subscriber is fixed.', null=True, verbose_name='paused at')),
                ('pause_reason', models.TextField(blank=True, verbose_name='why it was paused')),
                ('consecutive_failures', models.PositiveIntegerField(default=0, verbose_name='failures in a row')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
            ],
            options={
                'verbose_name': 'webhook subscription',
                'verbose_name_plural': 'webhook subscriptions',
            },
        ),
        migrations.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uuid', models.UUIDField(default=uuid.uuid4, editable=False, help_text='Sent as X-Desk-Delivery, so a subscriber can ignore a repeat.', unique=True, verbose_name='delivery id')),
                ('event', models.CharField(choices=[('verdict.published', 'Verdict published'), ('verdict.corrected', 'Verdict corrected'), ('verdict.retracted', 'Verdict retracted')], max_length=32, verbose_name='event')),
                ('payload', models.JSONField(help_text='The body, as it was when the event happened.', verbose_name='payload')),
                ('state', models.CharField(choices=[('pending', 'Pending'), ('delivered', 'Delivered'), ('failed', 'Failed')], default='pending', max_length=16, verbose_name='state')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                ('next_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='next attempt at')),
                ('last_status', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='last HTTP status')),
                ('last_error', models.TextField(blank=True, verbose_name='last error')),
                ('delivered_at', models.DateTimeField(blank=True, null=True, verbose_name='delivered at')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('verdict', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='reviews.verdict', verbose_name='verdict')),
                ('subscription', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='reviews.webhooksubscription', verbose_name='subscription')),
            ],
            options={
                'verbose_name': 'webhook delivery',
                'verbose_name_plural': 'webhook deliveries',
            },
        ),
        migrations.CreateModel(
            name='WebhookAttempt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='started at')),
                ('duration_ms', models.PositiveIntegerField(default=0, verbose_name='duration (ms)')),
                ('outcome', models.CharField(choices=[('succeeded', 'Succeeded'), ('failed', 'Failed'), ('blocked', 'Blocked')], max_length=16, verbose_name='outcome')),
                ('http_status', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='HTTP status')),
                ('error', models.TextField(blank=True, verbose_name='error')),
                ('delivery', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempts_made', to='reviews.webhookdelivery', verbose_name='delivery')),
            ],
            options={
                'verbose_name': 'webhook attempt',
                'verbose_name_plural': 'webhook attempts',
                'indexes': [models.Index(fields=['delivery', 'started_at', 'id'], name='webhook_attempt_idx')],
            },
        ),
        migrations.AddIndex(
            model_name='webhookdelivery',
            index=models.Index(condition=models.Q(('state', 'pending')), fields=['next_attempt_at', 'id'], name='webhook_due_idx'),
        ),
        migrations.AddIndex(
            model_name='webhookdelivery',
            index=models.Index(fields=['subscription', 'created_at', 'id'], name='webhook_log_idx'),
        ),
        migrations.RunPython(create_search_indexes, drop_search_indexes),
        # Fact-checkers may now cite more reporting (the API's citation endpoint).
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
