"""The verdict list and detail show published verdicts whole, filter them, at a fixed cost."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from reviews import services
from reviews.models import Rating, Verdict, VerdictRevision
from reviews.workflow import Stage
from tests.api.verdicts import published_verdict
from tests.reviews.factories import new_editor, new_fact_checker, rating

pytestmark = pytest.mark.django_db

LIST = "/api/v1/verdicts/"


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def ids(response) -> list[int]:
    return [row["id"] for row in results(response)]


def test_a_published_verdict_carries_its_claim_article_rating_sources_and_links(
    anonymous, verdict, settings
):
    settings.DESK_BASE_URL = "https://desk.example"
    claim, article = verdict.ticket.claim, verdict.ticket.claim.article

    (row,) = results(anonymous.get(LIST))

    assert row["claim"] == {"id": claim.pk, "text": claim.text, "start": 0, "end": claim.end}
    assert row["article"]["title"] == article.title
    assert row["article"]["author"] == "A. Columnist"
    assert row["article"]["url"] == article.url
    assert row["rating"] == {"slug": "false", "label": "False", "value": 1, "best": 5, "worst": 1}
    assert row["summary"] == verdict.published_revision.summary
    assert row["revision"] == 1
    assert row["url"] == f"https://desk.example/verdicts/{verdict.pk}/"
    assert row["claimreview_url"].endswith(f"/api/v1/verdicts/{verdict.pk}/claimreview/")
    (source,) = row["sources"]
    assert source["stance"] == "contradicts"
    assert source["snapshot"]["title"] == "City accounts 2023"
    assert source["snapshot"]["sha256"].endswith("1") or len(source["snapshot"]["sha256"]) == 64
    assert row["retracted"] is False and row["corrections"] == []


def test_the_detail_is_the_same_verdict_as_in_the_list(anonymous, verdict):
    (listed,) = results(anonymous.get(LIST))

    response = anonymous.get(f"{LIST}{verdict.pk}/")

    assert response.status_code == 200
    assert response.json() == listed


def test_a_rating_off_the_scale_has_no_value_best_or_worst(anonymous):
    verdict = published_verdict()
    VerdictRevision.objects.filter(pk=verdict.published_revision_id).update(
        rating=rating("misleading")
    )

    (row,) = results(anonymous.get(LIST))

    assert row["rating"] == {
        "slug": "misleading",
        "label": "Misleading",
        "value": None,
        "best": None,
        "worst": None,
    }


def test_a_retracted_verdict_stays_listed_as_retracted_with_its_reason(anonymous):
    verdict = published_verdict(stage=Stage.RETRACTED)

    (row,) = results(anonymous.get(LIST))

    assert row["id"] == verdict.pk
    assert row["retracted"] is True
    assert row["retraction_reason"] == "The accounts we relied on were forged."
    assert row["retracted_at"] is not None


def test_a_published_correction_shows_its_note_and_the_new_revision(anonymous):
    checker, editor, editor2 = new_fact_checker(), new_editor(), new_editor()
    verdict = published_verdict(evidence=False)
    ticket = verdict.ticket
    ticket.assignee = checker
    ticket.save()
    services.correction_open(ticket=ticket, by=editor, note="A reader sent the 2022 accounts.")
    services.verdict_save_draft(
        ticket=ticket,
        by=checker,
        rating=rating("mostly-false"),
        summary="It was 2.3 million dollars.",
        short_claim="Council spent 4 million dollars on the bridge",
        explanation="The 2022 accounts add a second payment.",
    )
    while_correcting = results(anonymous.get(LIST))[0]
    services.verdict_submit(ticket=ticket, by=checker)
    services.vote_cast(ticket=ticket, by=editor2, approve=True)
    services.verdict_publish(ticket=ticket, by=editor, correction_note="We gave the wrong sum.")

    (row,) = results(anonymous.get(LIST))

    assert while_correcting["summary"] == verdict.published_revision.summary
    assert row["summary"] == "It was 2.3 million dollars."
    assert row["revision"] == 2
    assert row["rating"]["slug"] == "mostly-false"
    assert [c["note"] for c in row["corrections"]] == ["We gave the wrong sum."]


def test_the_list_is_ordered_by_last_public_change(anonymous):
    first, second = published_verdict(), published_verdict()
    Verdict.objects.filter(pk=first.pk).update(updated_at=timezone.now() + timedelta(seconds=5))

    assert ids(anonymous.get(LIST)) == [second.pk, first.pk]


class TestFilters:
    @pytest.fixture
    def two(self, db):
        older = published_verdict(article__title="Bridge money", article__author="Ann Writer")
        newer = published_verdict(article__author="Bob Pundit")
        Verdict.objects.filter(pk=older.pk).update(
            published_at=timezone.now() - timedelta(days=10),
            updated_at=timezone.now() - timedelta(days=10),
        )
        return older, newer

    def test_by_article_and_by_article_url(self, anonymous, two):
        older, _ = two
        article = older.ticket.claim.article

        assert ids(anonymous.get(LIST, {"article": article.pk})) == [older.pk]
        assert ids(anonymous.get(LIST, {"article_url": article.url})) == [older.pk]

    def test_by_rating_and_by_claimant(self, anonymous, two):
        older, newer = two
        VerdictRevision.objects.filter(pk=newer.published_revision_id).update(rating=rating("true"))

        assert ids(anonymous.get(LIST, {"rating": "true"})) == [newer.pk]
        assert ids(anonymous.get(LIST, {"claimant": "Ann Writer"})) == [older.pk]

    def test_by_published_date_range_and_by_change(self, anonymous, two):
        older, newer = two
        three_days_ago = (timezone.now() - timedelta(days=3)).date().isoformat()

        assert ids(anonymous.get(LIST, {"published_after": three_days_ago})) == [newer.pk]
        assert ids(anonymous.get(LIST, {"published_before": three_days_ago})) == [older.pk]
        assert ids(anonymous.get(LIST, {"updated_since": three_days_ago})) == [newer.pk]

    def test_full_text_over_claim_and_summary(self, anonymous, two):
        older, newer = two
        revision = newer.published_revision
        revision.summary = "The viaduct was never tendered."
        revision.save(update_fields=["summary"])

        assert ids(anonymous.get(LIST, {"q": "viaduct"})) == [newer.pk]
        assert sorted(ids(anonymous.get(LIST, {"q": "council"}))) == sorted([older.pk, newer.pk])
        assert ids(anonymous.get(LIST, {"q": "zeppelin"})) == []

    @pytest.mark.parametrize(
        "query",
        [
            {"published_after": "last tuesday"},
            {"updated_since": "2026-13-40"},
            {"article": "one"},
            {"cursor": "not-a-cursor"},
            {"page_size": "0"},
            {"page_size": "10000"},
            {"updated_snice": "2026-01-01"},
            {"rating": "bogus"},
        ],
    )
    def test_a_bad_filter_is_a_400_that_names_the_parameter(self, anonymous, query):
        response = anonymous.get(LIST, query)

        assert response.status_code == 400
        error = response.json()["error"]
        (name,) = query
        assert error["code"] == "invalid"
        assert name in error["fields"]
        assert name in error["message"]


def test_an_offset_sent_unescaped_still_reads_as_a_time(anonymous, verdict):
    response = anonymous.get(f"{LIST}?updated_since=2000-01-01T00:00:00+01:00")

    assert ids(response) == [verdict.pk]


@pytest.mark.parametrize("count", [1, 100])
def test_the_list_costs_the_same_queries_for_1_and_100_verdicts(
    count, anonymous, django_assert_num_queries
):
    for _ in range(count):
        published_verdict()
    # Fingerprint, page, corrections, evidence with sources and snapshots, the published
    # revisions' files, the claims' tags.
    with django_assert_num_queries(6):
        response = anonymous.get(LIST, {"page_size": 100})
    assert len(results(response)) == count


def test_the_detail_costs_fixed_queries(anonymous, verdict, django_assert_num_queries):
    with django_assert_num_queries(6):
        assert anonymous.get(f"{LIST}{verdict.pk}/").status_code == 200


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("model", "field", "index"),
    [("claim", "text", "claim_text_fts_idx"), ("revision", "summary", "revision_summary_fts_idx")],
)
def test_the_full_text_filter_can_use_its_search_indexes(model, field, index):
    from django.contrib.postgres.search import SearchQuery, SearchVector

    from claims.models import Claim

    rows = {"claim": Claim, "revision": VerdictRevision}[model].objects
    query = SearchQuery("bridge", search_type="websearch", config="english")
    with transaction.atomic(), connection.cursor() as cursor:
        # With sequential scans ruled out, only an index on the exact expression can answer.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = (
            rows.annotate(match=SearchVector(field, config="english")).filter(match=query).explain()
        )
    assert index in plan


def test_every_rating_on_the_scale_can_be_shown(anonymous):
    verdict = published_verdict()
    for slug in Rating.objects.values_list("slug", flat=True):
        VerdictRevision.objects.filter(pk=verdict.published_revision_id).update(rating=rating(slug))
        assert results(anonymous.get(LIST))[0]["rating"]["slug"] == slug


@pytest.mark.parametrize(
    "query",
    [{"article": str(2**70)}, {"article": "-1"}, {"article": "1.5"}],
)
def test_an_id_out_of_range_is_a_400_not_a_database_error(anonymous, query):
    assert anonymous.get(LIST, query).status_code == 400


def test_a_forged_cursor_past_the_id_range_is_a_400(anonymous):
    import base64

    forged = base64.urlsafe_b64encode(b'["2026-01-01T00:00:00+00:00",99999999999999999999]')

    assert anonymous.get(LIST, {"cursor": forged.decode()}).status_code == 400


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
@pytest.mark.parametrize("query", [{}, {"rating": "false"}])
def test_a_forged_cursor_at_a_moment_with_no_utc_equivalent_is_a_400(anonymous, moment, query):
    import base64
    import json

    forged = base64.urlsafe_b64encode(json.dumps([moment, 1]).encode()).decode()

    response = anonymous.get(LIST, {"cursor": forged, **query})

    assert response.status_code == 400
    assert "cursor" in response.json()["error"]["fields"]


def test_an_id_too_large_for_the_database_is_a_404(anonymous):
    assert anonymous.get(f"{LIST}{2**70}/").status_code == 404
