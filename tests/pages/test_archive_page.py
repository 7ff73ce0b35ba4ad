"""Archived sources are public only when a public verdict relies on or links them."""

import pytest
from django.urls import reverse

from claims.models import Citation, Evidence, Passage
from reviews.services.record import revision_links_pin
from reviews.workflow import Stage
from tests.pages.factories import checked, piece, verdict_of
from tests.pages.test_verdict_page import archived
from tests.reviews.factories import rely_on as rely_on_evidence

TEXT = "The bridge cost 4 million dollars. Nobody asked why."
CLAIM = "The bridge cost 4 million dollars."


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def rely_on(ticket, snapshot):
    evidence = Evidence.objects.create(
        claim=ticket.claim,
        source=snapshot.source,
        snapshot=snapshot,
        quote=snapshot.text[:20],
        stance=Evidence.Stance.CONTRADICTS,
    )
    rely_on_evidence(verdict_of(ticket).current_revision, evidence)


@pytest.mark.django_db
def test_the_snapshot_a_published_verdict_relies_on_is_readable(client):
    ticket = checked(piece(TEXT), CLAIM)
    snapshot = archived("https://ledger.example/a", "Audit: <b>2.1</b> million.\nSecond para.")
    rely_on(ticket, snapshot)
    response = client.get(reverse("archive_page", args=[snapshot.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<p>Audit: &lt;b&gt;2.1&lt;/b&gt; million.</p>" in html
    assert "<p>Second para.</p>" in html
    assert 'href="https://ledger.example/a"' in html
    assert '<meta name="robots" content="noindex">' in html


@pytest.mark.django_db
@pytest.mark.parametrize("stage", [Stage.RESEARCHING, Stage.IN_REVIEW, Stage.APPROVED])
def test_the_snapshot_behind_an_unpublished_verdict_is_not_found(client, stage):
    ticket = checked(piece(TEXT), CLAIM, stage)
    snapshot = archived("https://ledger.example/b", "Draft research.")
    rely_on(ticket, snapshot)
    assert client.get(reverse("archive_page", args=[snapshot.pk])).status_code == 404


@pytest.mark.django_db
def test_a_source_a_fact_checker_added_stays_private_until_a_revision_relies_on_it(client, checker):
    ticket = checked(piece(TEXT), CLAIM)
    snapshot = archived("https://ledger.example/c", "Found while researching a correction.")
    Citation.objects.create(claim=ticket.claim, source=snapshot.source, href="x", added_by=checker)
    assert client.get(reverse("archive_page", args=[snapshot.pk])).status_code == 404
    linked = archived("https://gazette.example/d", "Linked by the piece itself.")
    Citation.objects.create(
        claim=ticket.claim, source=linked.source, href="y", start=0, end=3, origin="article"
    )
    revision_links_pin(revision=verdict_of(ticket).published_revision, claim_id=ticket.claim_id)
    assert client.get(reverse("archive_page", args=[linked.pk])).status_code == 200


@pytest.mark.django_db
def test_the_passage_a_public_verdict_quotes_is_highlighted_in_the_archived_text(client):
    ticket = checked(piece(TEXT), CLAIM)
    snapshot = archived("https://ledger.example/e", "Intro.\nThe audit found 2.1 million. Other.")
    start = snapshot.text.index("The audit")
    passage = Passage.objects.create(
        snapshot=snapshot,
        claim=ticket.claim,
        rank=0,
        score=1.0,
        start=start,
        end=start + len("The audit found 2.1 million."),
        text="The audit found 2.1 million.",
    )
    evidence = Evidence.objects.create(
        claim=ticket.claim,
        source=snapshot.source,
        snapshot=snapshot,
        passage=passage,
        quote=passage.text,
        stance=Evidence.Stance.CONTRADICTS,
    )
    rely_on_evidence(verdict_of(ticket).published_revision, evidence)
    html = client.get(reverse("archive_page", args=[snapshot.pk])).content.decode()
    assert (
        '<p><mark class="claim-mark rating-quote">The audit found 2.1 million.</mark> Other.</p>'
    ) in html
    assert "<p>Intro.</p>" in html
