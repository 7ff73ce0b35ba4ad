"""The public methodology page: the scale from the data, approvals from the settings, the year."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.models import Correction, Rating
from reviews.workflow import Stage
from tests.pages.factories import checked, piece, verdict_of

URL = reverse("methodology_page")


def number(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]*)<', html)
    assert match, element_id
    return match.group(1)


def by_rating(html: str) -> dict[str, str]:
    table = html.split('id="counts-by-rating"', 1)[1].split("</table>", 1)[0]
    return dict(re.findall(r'<th scope="row">([^<]*)</th><td>(\d+)</td>', table))


def published(slug: str, stage=Stage.PUBLISHED, rated="false", **kwargs):
    text = f"The {slug} cost 4 million dollars. It was a waste."
    return checked(
        piece(text, slug=slug), f"The {slug} cost 4 million dollars.", stage, rated=rated, **kwargs
    )


@pytest.mark.django_db
def test_the_page_shows_the_scale_from_the_data_and_approvals_from_the_settings(client, settings):
    Rating.objects.filter(slug="misleading").update(definition="Accurate facts, false impression.")
    settings.REVIEW_APPROVALS_REQUIRED = 2
    settings.REVIEW_PANEL_SIZE = 3
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Accurate facts, false impression." in html
    for rating in Rating.objects.all():
        assert f'<span class="rating-badge rating-{rating.slug}">{rating.label}</span>' in html
    assert number(html, "approvals-required") == "2 editors"
    assert "up to 3 editors" in html
    assert "Corrections and retractions" in html
    assert "Set-Cookie" not in response


@pytest.mark.django_db
def test_the_years_counts_include_only_what_readers_can_see(client, editor):
    published("bridge-a", rated="false")
    published("bridge-b", rated="false")
    published("bridge-c", rated="true")
    retracted = published("bridge-d", Stage.RETRACTED, rated="true")
    corrected = published("bridge-e", rated="half-true")
    Correction.objects.create(
        verdict=verdict_of(corrected),
        reason="Figure.",
        opened_by=editor,
        replaced_revision=verdict_of(corrected).published_revision,
        published_revision=verdict_of(corrected).published_revision,
        public_note="We fixed the figure.",
        published_at=timezone.now(),
    )
    # Never counted: drafts, verdicts in review or approved, and a verdict under embargo.
    published("draft-a", Stage.RESEARCHING, rated="false")
    published("review-a", Stage.IN_REVIEW, rated="false")
    published("approved-a", Stage.APPROVED, rated="false")
    published("held-a", rated="false", embargo_until=timezone.now() + timedelta(days=2))
    html = client.get(URL).content.decode()
    assert number(html, "count-published") == "5"
    assert number(html, "count-corrections") == "1"
    assert number(html, "count-retractions") == "1"
    counts = by_rating(html)
    assert counts["False"] == "2" and counts["True"] == "2" and counts["Half true"] == "1"
    assert counts["Mostly false"] == "0"
    assert "draft-a" not in html and retracted.claim.text not in html


@pytest.mark.django_db
def test_every_verdict_page_links_to_it(client):
    verdict = verdict_of(published("bridge-a"))
    html = client.get(reverse("verdict_page", args=[verdict.pk])).content.decode()
    assert f'href="{URL}"' in html and 'id="methodology-link"' in html


@pytest.mark.django_db
def test_the_page_answers_conditional_requests_until_something_is_published(client, editor):
    first = client.get(URL)
    assert first["Cache-Control"] == "public, max-age=60"
    assert client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    ticket = published("bridge-a", Stage.APPROVED)
    assert client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    services.verdict_publish(ticket=ticket, by=editor)
    again = client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert number(again.content.decode(), "count-published") == "1"
    assert client.post(URL).status_code == 405


@pytest.mark.django_db
def test_changing_the_approvals_setting_changes_the_etag(client, settings):
    first = client.get(URL)
    settings.REVIEW_APPROVALS_REQUIRED = 3
    again = client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert number(again.content.decode(), "approvals-required") == "3 editors"
