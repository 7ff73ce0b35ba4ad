"""The verdict page shows only what the desk published, with the API's ClaimReview embedded."""

import json
import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from claims.models import Citation, Evidence, Snapshot, Source
from reviews import services
from reviews.claimreview import claimreview
from reviews.selectors import rating_bounds, verdicts_published
from reviews.services.record import revision_links_pin
from reviews.workflow import Stage
from tests.pages.factories import checked, piece, verdict_of
from tests.reviews.factories import rating, rely_on

TEXT = (
    "The mayor spoke on Monday.\n"
    "The council spent 4 million dollars on the bridge, says “The Ledger”. It was a waste.\n"
    "Nobody asked why."
)
BRIDGE = "The council spent 4 million dollars on the bridge, says “The Ledger”."
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def page(client, verdict):
    return client.get(reverse("verdict_page", args=[verdict.pk]))


def embedded(response) -> dict:
    (block,) = JSON_LD.findall(response.content.decode())
    return json.loads(block)


def archived(url: str, text: str) -> Snapshot:
    source = Source.objects.create(url=url, normalized_url=url, state=Source.State.FETCHED)
    snapshot = Snapshot(
        source=source,
        final_url=url,
        status=200,
        content_type="text/html",
        sha256=str(source.pk).rjust(64, "0"),
        size=len(text),
        text=text,
        title="Bridge audit finds overspend",
        site_name="The Ledger",
    )
    snapshot.body.save("body.gz", ContentFile(b"\x1f\x8b"), save=False)
    snapshot.save()
    source.last_snapshot = snapshot
    source.save(update_fields=["last_snapshot"])
    return snapshot


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
def test_the_page_shows_the_claim_in_its_paragraph_the_rating_and_the_reasoning(client):
    ticket = checked(piece(TEXT), BRIDGE, rated="mostly-false")
    response = page(client, verdict_of(ticket))
    html = response.content.decode()
    assert response.status_code == 200
    context = html.split('class="claim-context"')[1].split("</blockquote>")[0]
    assert "The mayor spoke on Monday." not in context
    assert (
        '<p><mark class="claim-mark rating-mostly-false">The council spent 4 million dollars on '
        "the bridge, says “The Ledger”.</mark> It was a waste.</p>"
    ) in html
    box = html.split('id="verdict"')[1].split("</section>")[0]
    assert '<span class="rating-badge rating-mostly-false">Mostly false</span>' in box
    assert rating("mostly-false").definition in box
    assert "The council spent 2.1 million dollars, not 4 million." in html
    assert "The council&#x27;s 2023 accounts list the bridge at 2.1 million dollars." in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "stage",
    [Stage.RESEARCHING, Stage.IN_REVIEW, Stage.CHANGES_REQUESTED, Stage.APPROVED],
)
def test_a_verdict_that_is_not_published_is_not_found(client, stage):
    ticket = checked(piece(TEXT), BRIDGE, stage)
    assert page(client, verdict_of(ticket)).status_code == 404


@pytest.mark.django_db
def test_a_missing_verdict_gets_the_sites_own_not_found_page(client):
    response = client.get("/verdicts/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "There is no public page at this address." in html
    assert '<a class="skip-link" href="#main">' in html


@pytest.mark.django_db
def test_a_published_verdict_under_a_renewed_embargo_is_not_found(client):
    article = piece(TEXT)
    ticket = checked(article, BRIDGE)
    article.embargo_until = timezone.now() + timedelta(days=1)
    article.save(update_fields=["embargo_until"])
    assert page(client, verdict_of(ticket)).status_code == 404


@pytest.mark.django_db
def test_a_correction_in_progress_shows_the_published_revision_not_the_draft(client):
    ticket = checked(piece(TEXT), BRIDGE, Stage.CORRECTING)
    html = page(client, verdict_of(ticket)).content.decode()
    verdict = verdict_of(ticket)
    assert verdict.current_revision_id != verdict.published_revision_id
    box = html.split('id="verdict"')[1].split("</section>")[0]
    assert '<span class="rating-badge rating-false">False</span>' in box
    assert "Mostly false" not in box
    assert "No corrections." in html


@pytest.mark.django_db
def test_a_published_correction_is_listed_with_its_note_and_the_rating_it_replaced(client, editor):
    ticket = checked(piece(TEXT), BRIDGE, Stage.CORRECTING)
    services.verdict_submit(ticket=ticket, by=ticket.assignee)
    ticket.refresh_from_db()
    services.vote_cast(ticket=ticket, by=editor, approve=True)
    ticket.refresh_from_db()
    services.verdict_publish(ticket=ticket, by=editor, correction_note="The sum was 2.3 million.")
    html = page(client, verdict_of(ticket)).content.decode()
    correction = html.split('id="correction-1"')[1].split("</li>")[0]
    assert "The sum was 2.3 million." in correction
    assert 'Before: rated <span class="rating-badge rating-false">False</span>' in correction
    assert '<span class="rating-badge rating-mostly-false">Mostly false</span>' in html


@pytest.mark.django_db
def test_a_retracted_verdict_says_so_and_embeds_no_claimreview(client):
    ticket = checked(piece(TEXT), BRIDGE, Stage.RETRACTED)
    html = page(client, verdict_of(ticket)).content.decode()
    assert "We retracted this verdict" in html
    assert "The accounts we relied on were forged." in html
    assert "application/ld+json" not in html


@pytest.mark.django_db
def test_the_sources_link_the_live_page_and_the_archived_copy(client, checker):
    article = piece(TEXT)
    ticket = checked(article, BRIDGE)
    relied = archived("https://ledger.example/audit", "The audit found 2.1 million dollars.")
    evidence = Evidence.objects.create(
        claim=ticket.claim,
        source=relied.source,
        snapshot=relied,
        quote="The audit found 2.1 million dollars.",
        stance=Evidence.Stance.CONTRADICTS,
    )
    rely_on(verdict_of(ticket).published_revision, evidence)
    linked = archived("https://gazette.example/bridge", "Bridge opened.")
    Citation.objects.create(
        claim=ticket.claim, source=linked.source, href="x", start=27, end=40, origin="article"
    )
    revision_links_pin(revision=verdict_of(ticket).published_revision, claim_id=ticket.claim_id)
    research = archived("https://blog.example/draft-research", "Not relied on yet.")
    Citation.objects.create(claim=ticket.claim, source=research.source, href="y", added_by=checker)
    html = page(client, verdict_of(ticket)).content.decode()
    sources = html.split('id="sources"')[1].split("</section>")[0]
    assert 'href="https://ledger.example/audit"' in sources
    assert f'href="/archive/{relied.pk}/"' in sources
    assert "The audit found 2.1 million dollars." in sources and "Contradicts" in sources
    assert f'href="/archive/{linked.pk}/"' in sources and "linked by the piece" in sources
    assert "draft-research" not in html


LIVE = re.compile(r'<a href="([^"]+)" rel="external nofollow">Live page')
ARCHIVE = re.compile(r'<a href="/archive/(\d+)/">Archived copy')


@pytest.mark.django_db
def test_the_page_and_the_api_list_the_same_sources_the_page_adds_the_pieces_links(client):
    ticket = checked(piece(TEXT), BRIDGE)
    revision = verdict_of(ticket).published_revision
    audit = archived("https://ledger.example/audit", "The audit found 2.1 million dollars.")
    minutes = archived("https://council.example/minutes", "Spending approved: 4 million.")
    quotes = [
        (audit, "The audit found 2.1 million dollars.", Evidence.Stance.CONTRADICTS),
        (minutes, "Spending approved: 4 million.", Evidence.Stance.SUPPORTS),
        (audit, "2.1 million dollars", Evidence.Stance.CONTRADICTS),
    ]
    rely_on(
        revision,
        *(
            Evidence.objects.create(
                claim=ticket.claim, source=s.source, snapshot=s, quote=q, stance=stance
            )
            for s, q, stance in quotes
        ),
    )
    linked = archived("https://gazette.example/bridge", "Bridge opened.")
    for href, snapshot in (("x", linked), ("y", minutes)):
        Citation.objects.create(
            claim=ticket.claim,
            source=snapshot.source,
            href=href,
            start=27,
            end=40,
            origin="article",
        )
    revision_links_pin(revision=revision, claim_id=ticket.claim_id)

    html = page(client, verdict_of(ticket)).content.decode()
    listed = html.split('id="sources"')[1].split("</section>")[0]
    api = client.get(reverse("api:verdict-detail", args=[revision.verdict_id])).json()

    on_page = set(LIVE.findall(listed))
    archived_on_page = {int(pk) for pk in ARCHIVE.findall(listed)}
    in_api = {source["url"] for source in api["sources"]}
    archived_in_api = set(
        Snapshot.objects.filter(
            sha256__in=[source["snapshot"]["sha256"] for source in api["sources"]]
        ).values_list("pk", flat=True)
    )
    # The API sends each piece of evidence; the page groups them by source (one entry each)
    # and adds the piece's own links, which the API does not send.
    assert len(api["sources"]) == 3 and len(LIVE.findall(listed)) == 3
    assert in_api == {audit.source.url, minutes.source.url}
    assert on_page == in_api | {linked.source.url}
    assert archived_in_api == {audit.pk, minutes.pk}
    assert archived_on_page == archived_in_api | {linked.pk}
    assert [s["quote"] for s in api["sources"]] == [q for _, q, _ in quotes]
    for quote in api["sources"]:
        assert f"<p>{quote['quote']}</p>" in listed


@pytest.mark.django_db
def test_the_embedded_claimreview_is_the_apis(client, editor):
    ticket = checked(piece(TEXT, author="A. Columnist"), BRIDGE, rated="half-true")
    verdict = verdict_of(ticket)
    data = embedded(page(client, verdict))
    built = claimreview(verdicts_published().get(pk=verdict.pk), bounds=rating_bounds())
    assert data == json.loads(json.dumps(built))
    client.force_login(editor)
    api = client.get(f"/api/v1/verdicts/{verdict.pk}/claimreview/")
    assert api.status_code == 200
    assert data == json.loads(api.content)
    assert data["reviewRating"]["alternateName"] == "Half true"


@pytest.mark.django_db
def test_a_claim_that_closes_the_script_element_cannot_escape_the_json_ld(client):
    text = "He said </script><script>alert(1)</script> & <!-- cost 5 dollars.\nMore."
    ticket = checked(
        piece(text), "He said </script><script>alert(1)</script> & <!-- cost 5 dollars."
    )
    response = page(client, verdict_of(ticket))
    html = response.content.decode()
    assert html.count("</script>") == 1
    assert "<script>alert" not in html
    assert embedded(response)["claimReviewed"].startswith("He said </script><script>alert(1)")


@pytest.mark.django_db
def test_the_page_answers_conditional_requests_until_the_verdict_changes(client, editor):
    ticket = checked(piece(TEXT), BRIDGE, Stage.PUBLISHED)
    verdict = verdict_of(ticket)
    first = page(client, verdict)
    url = reverse("verdict_page", args=[verdict.pk])
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    services.verdict_retract(ticket=ticket, by=editor, reason="Our source was forged.")
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert "Our source was forged." in again.content.decode()
