"""Migrating gives every existing revision its own copy of the evidence it linked to."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("reviews", "0009_i16analytics_revision_short_claim"), ("claims", "0002_cited_sources")]
AFTER = [("reviews", "0010_i11record_revision_record")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    yield
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.usefixtures("desk_data", "back_to_latest")
def test_existing_revisions_keep_their_evidence_and_their_links_archives():
    apps = migrate(BEFORE)
    user = apps.get_model("auth", "User").objects.create(username="writer")
    article = apps.get_model("claims", "Article").objects.create(
        title="Bridge", body="The bridge cost 4m.", plain_text="The bridge cost 4m.", slug="b"
    )
    claim = apps.get_model("claims", "Claim").objects.create(
        article=article,
        text="The bridge cost 4m.",
        start=0,
        end=19,
        paragraph=0,
        sentence=0,
        position=0,
        score=0.9,
        checkworthy=True,
        reasons=[],
        split=False,
        attributed_uncited=False,
    )
    source = apps.get_model("claims", "Source").objects.create(
        url="https://ledger.example/a", normalized_url="https://ledger.example/a"
    )
    snapshot = apps.get_model("claims", "Snapshot").objects.create(
        source=source,
        final_url=source.url,
        status=200,
        content_type="text/html",
        sha256="0" * 64,
        size=10,
        body="snapshots/a.gz",
        text="It cost 2.1m. Roads too.",
    )
    source.last_snapshot = snapshot
    source.save()
    passage = apps.get_model("claims", "Passage").objects.create(
        snapshot=snapshot, claim=claim, rank=0, score=1.0, start=0, end=13, text="It cost 2.1m."
    )
    evidence = apps.get_model("claims", "Evidence").objects.create(
        claim=claim,
        passage=passage,
        source=source,
        snapshot=snapshot,
        quote="It cost 2.1m.",
        stance="contradicts",
        note="Audit.",
    )
    apps.get_model("claims", "Citation").objects.create(
        claim=claim, source=source, href=source.url, start=0, end=10
    )
    ticket = apps.get_model("reviews", "Ticket").objects.create(claim=claim, stage="published")
    verdict = apps.get_model("reviews", "Verdict").objects.create(ticket=ticket)
    revision = apps.get_model("reviews", "VerdictRevision").objects.create(
        verdict=verdict,
        number=1,
        rating=apps.get_model("reviews", "Rating").objects.first(),
        summary="No.",
        explanation="Half.",
        author=user,
    )
    revision.evidence.add(evidence)
    verdict.current_revision = verdict.published_revision = revision
    verdict.published_at = revision.created_at
    verdict.save()

    apps = migrate(AFTER)

    (copy,) = apps.get_model("reviews", "RevisionEvidence").objects.filter(revision=revision.pk)
    assert (copy.pinned_id, copy.source_id, copy.snapshot_id) == (
        evidence.pk,
        source.pk,
        snapshot.pk,
    )
    assert (copy.quote, copy.start, copy.end, copy.stance, copy.note) == (
        "It cost 2.1m.",
        0,
        13,
        "contradicts",
        "Audit.",
    )
    (link,) = apps.get_model("reviews", "RevisionLink").objects.filter(revision=revision.pk)
    assert (link.source_id, link.snapshot_id) == (source.pk, snapshot.pk)
