"""The migration that declares citation origins reads them off the data, not off added_by alone."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("claims", "0002_cited_sources")]
AFTER = [("claims", "0003_i11ingest_citation_origin_article_events")]


@pytest.mark.django_db(transaction=True)
def test_existing_citations_get_their_origin_even_when_the_researcher_is_gone():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    User = apps.get_model("auth", "User")
    Article, Claim = apps.get_model("claims", "Article"), apps.get_model("claims", "Claim")
    Source, Citation = apps.get_model("claims", "Source"), apps.get_model("claims", "Citation")
    researcher = User.objects.create(username="researcher")
    article = Article.objects.create(
        title="T", slug="t", body="x", plain_text="The bridge cost 4 million.", content_hash="h"
    )
    claim = Claim.objects.create(
        article=article,
        text="x",
        start=0,
        end=5,
        paragraph=0,
        sentence=0,
        position=0,
        score=0.5,
        checkworthy=True,
    )
    sources = [
        Source.objects.create(url=f"https://s.example/{n}", normalized_url=f"https://s.example/{n}")
        for n in range(3)
    ]
    linked = Citation.objects.create(claim=claim, source=sources[0], href="a", start=0, end=3)
    added = Citation.objects.create(claim=claim, source=sources[1], href="b", added_by=researcher)
    orphaned = Citation.objects.create(claim=claim, source=sources[2], href="c", added_by=None)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    origins = dict(apps.get_model("claims", "Citation").objects.values_list("pk", "origin"))

    assert origins == {linked.pk: "article", added.pk: "desk", orphaned.pk: "desk"}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
