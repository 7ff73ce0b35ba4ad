"""ETag and Last-Modified let a client revalidate for the price of one small query."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.http import http_date

from claims.models import Source
from reviews import services
from reviews.models import Verdict
from tests.api.verdicts import published_verdict
from tests.reviews.factories import new_editor

pytestmark = pytest.mark.django_db

LIST = "/api/v1/verdicts/"


def test_the_list_answers_304_to_its_own_etag_without_serializing(
    anonymous, verdict, django_assert_num_queries
):
    first = anonymous.get(LIST)

    with django_assert_num_queries(1):
        again = anonymous.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_the_detail_and_its_claimreview_answer_304_too(anonymous, verdict):
    for url in (f"{LIST}{verdict.pk}/", f"{LIST}{verdict.pk}/claimreview/"):
        first = anonymous.get(url)
        again = anonymous.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert (first.status_code, again.status_code) == (200, 304), url


def test_if_modified_since_answers_304_until_something_changes(anonymous, verdict):
    first = anonymous.get(LIST)
    since = first["Last-Modified"]

    assert anonymous.get(LIST, HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    later = timezone.now() + timedelta(seconds=5)
    Verdict.objects.filter(pk=verdict.pk).update(updated_at=later)
    assert anonymous.get(LIST, HTTP_IF_MODIFIED_SINCE=since).status_code == 200
    assert anonymous.get(LIST)["Last-Modified"] == http_date(later.timestamp())


@pytest.mark.parametrize(
    "change",
    [
        "retraction",
        "another publication",
        "article edit",
        "source re-check",
        "rating wording",
        "source archived again",
    ],
)
def test_the_etag_changes_whenever_a_row_of_the_page_changes(anonymous, change):
    verdict = published_verdict()
    before = anonymous.get(LIST)["ETag"]
    editor = new_editor()
    if change == "retraction":
        services.verdict_retract(ticket=verdict.ticket, by=editor, reason="Forged documents.")
    elif change == "another publication":
        published_verdict()
    elif change == "article edit":
        article = verdict.ticket.claim.article
        article.title = "A new headline"
        article.save()
    elif change == "source re-check":
        Source.objects.update(
            link_status=Source.LinkStatus.GONE, updated_at=timezone.now() + timedelta(seconds=1)
        )
    elif change == "rating wording":
        rating = verdict.published_revision.rating
        rating.label = "Wrong"
        rating.save()
    elif change == "source archived again":
        Source.objects.update(last_snapshot=None, updated_at=timezone.now() + timedelta(seconds=1))

    after = anonymous.get(LIST)

    assert after["ETag"] != before
    assert anonymous.get(LIST, HTTP_IF_NONE_MATCH=before).status_code == 200


def test_each_page_and_each_filter_has_its_own_etag(anonymous):
    for _ in range(3):
        published_verdict(evidence=False)
    first = anonymous.get(LIST, {"page_size": 2})

    tags = {
        first["ETag"],
        anonymous.get(first.json()["next"])["ETag"],
        anonymous.get(LIST, {"page_size": 3})["ETag"],
        anonymous.get(LIST, {"rating": "true"})["ETag"],
    }

    assert len(tags) == 4


def test_an_etag_is_not_shared_between_json_and_the_browsable_page(anonymous, verdict):
    as_json = anonymous.get(LIST)

    as_html = anonymous.get(LIST, HTTP_ACCEPT="text/html", HTTP_IF_NONE_MATCH=as_json["ETag"])

    assert as_html.status_code == 200
    assert as_html["ETag"] != as_json["ETag"]


def test_responses_ask_caches_to_revalidate(anonymous, verdict):
    response = anonymous.get(LIST)

    assert response["Cache-Control"] == "no-cache"
    assert "Authorization" in response["Vary"]


def test_a_resume_page_with_nothing_new_carries_last_modified_and_answers_304_to_it(
    anonymous, verdict
):
    resume = anonymous.get(LIST).json()["resume"]
    waiting = anonymous.get(resume)
    assert waiting.json()["results"] == []
    since = waiting["Last-Modified"]
    assert since == http_date(Verdict.objects.get().updated_at.timestamp())
    assert anonymous.get(resume, HTTP_IF_MODIFIED_SINCE=since).status_code == 304

    later = timezone.now() + timedelta(seconds=5)
    Verdict.objects.filter(pk=verdict.pk).update(updated_at=later)
    changed = anonymous.get(resume, HTTP_IF_MODIFIED_SINCE=since)
    assert changed.status_code == 200 and len(changed.json()["results"]) == 1
    assert changed["Last-Modified"] == http_date(later.timestamp())
