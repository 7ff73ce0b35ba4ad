"""Editors and the assignee preview the public verdict page with the current draft revision."""

import pytest
from django.urls import reverse

from claims.models import Evidence, Snapshot, Source
from reviews.workflow import Stage
from tests.reviews.factories import new_editor, new_fact_checker, rating, rely_on, ticket_in

DRAFT = "The draft says the bridge cost 2.1 million dollars."


def preview(ticket) -> str:
    return reverse("admin:reviews_ticket_preview", args=[ticket.pk])


def drafted(stage: Stage, **kwargs):
    ticket = ticket_in(stage, **kwargs)
    revision = ticket.verdict.current_revision
    revision.summary = DRAFT
    revision.save(update_fields=["summary"])
    return ticket


def cited(ticket) -> None:
    url = "https://ledger.example/audit"
    source = Source.objects.create(url=url, normalized_url=url, state=Source.State.FETCHED)
    snapshot = Snapshot.objects.create(
        source=source,
        final_url=url,
        status=200,
        content_type="text/html",
        sha256="a" * 64,
        size=40,
        text="The bridge cost 2.1 million dollars.",
        title="City accounts 2023",
    )
    evidence = Evidence.objects.create(
        claim=ticket.claim,
        source=source,
        snapshot=snapshot,
        quote="The bridge cost 2.1 million dollars.",
        stance="contradicts",
    )
    rely_on(ticket.verdict.current_revision, evidence)


@pytest.mark.django_db
def test_an_editor_previews_a_draft_in_review_as_readers_will_see_it(client, editor):
    ticket = drafted(Stage.IN_REVIEW)
    cited(ticket)
    client.force_login(editor)
    response = client.get(preview(ticket))
    html = response.content.decode()
    assert response.status_code == 200
    assert DRAFT in html
    assert "Preview of revision r1, not public." in html
    assert "City accounts 2023" in html and "The bridge cost 2.1 million dollars." in html
    assert 'class="rating-badge rating-false"' in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "application/ld+json" not in html
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    # The public page of the same verdict does not exist yet.
    assert client.get(reverse("verdict_page", args=[ticket.verdict.pk])).status_code == 404


@pytest.mark.django_db
def test_the_ticket_page_links_the_preview_for_its_assignee(client, checker):
    ticket = drafted(Stage.RESEARCHING, assignee=checker)
    client.force_login(checker)
    html = client.get(reverse("admin:reviews_ticket_change", args=[ticket.pk])).content.decode()
    assert f'href="{preview(ticket)}"' in html
    assert DRAFT in client.get(preview(ticket)).content.decode()


@pytest.mark.django_db
def test_a_correction_draft_is_previewed_while_readers_keep_the_published_revision(client, editor):
    ticket = ticket_in(Stage.CORRECTING)
    corrected = ticket.verdict.current_revision
    corrected.summary = DRAFT
    corrected.save(update_fields=["summary"])
    client.force_login(editor)
    html = client.get(preview(ticket)).content.decode()
    assert DRAFT in html and "Preview of revision r2" in html
    assert f"rating-badge rating-{rating('mostly-false').slug}" in html
    public = client.get(reverse("verdict_page", args=[ticket.verdict.pk])).content.decode()
    assert DRAFT not in public and "Preview" not in public


@pytest.mark.django_db
def test_another_fact_checker_cannot_preview_and_sees_no_link(client):
    ticket = drafted(Stage.IN_REVIEW)
    other = new_fact_checker(username="other")
    client.force_login(other)
    assert client.get(preview(ticket)).status_code == 403
    html = client.get(reverse("admin:reviews_ticket_change", args=[ticket.pk])).content.decode()
    assert preview(ticket) not in html


@pytest.mark.django_db
def test_the_preview_is_never_reachable_without_logging_in(client):
    ticket = drafted(Stage.IN_REVIEW)
    response = client.get(preview(ticket))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert DRAFT not in client.get(f"/verdicts/{ticket.verdict.pk}/preview/").content.decode()


@pytest.mark.django_db
def test_a_ticket_without_a_draft_or_a_missing_ticket_has_nothing_to_preview(client):
    client.force_login(new_editor(username="ed"))
    assert client.get(preview(ticket_in(Stage.QUEUED))).status_code == 404
    assert client.get("/admin/reviews/ticket/987654/preview/").status_code == 404
