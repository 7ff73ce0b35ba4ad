"""Every kind of public change moves the ETag of every page and API resource that shows it."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from claims.models import Source
from claims.services import source_fetch, source_recheck
from reviews.models import Rating, VerdictRevision
from tests.claims.httpserver import page
from tests.reviews.factories import new_editor, new_fact_checker, rating
from tests.reviews.record.desk import (
    REPORT,
    REPORT_CHANGED,
    act,
    publish_through_the_desk,
    researched,
)

pytestmark = pytest.mark.django_db

VERDICT_RESOURCES = [
    "verdict page",
    "article page",
    "front page",
    "site atom",
    "site rss",
    "article atom",
    "article rss",
    "api list",
    "api detail",
    "api claimreview",
    "api article claimreview",
]


def resources(verdict, snapshot_id: int) -> dict[str, str]:
    article = verdict.ticket.claim.article
    return {
        "verdict page": reverse("verdict_page", args=[verdict.pk]),
        "article page": reverse("article_page", args=[article.slug]),
        "archive page": reverse("archive_page", args=[snapshot_id]),
        "front page": "/",
        "site atom": "/feeds/verdicts.atom",
        "site rss": "/feeds/verdicts.rss",
        "article atom": f"/articles/{article.slug}/verdicts.atom",
        "article rss": f"/articles/{article.slug}/verdicts.rss",
        "api list": "/api/v1/verdicts/",
        "api detail": f"/api/v1/verdicts/{verdict.pk}/",
        "api claimreview": f"/api/v1/verdicts/{verdict.pk}/claimreview/",
        "api article claimreview": f"/api/v1/articles/{article.pk}/claimreview/",
    }


def correct(client, ticket, checker):
    """Correct the published verdict through the ticket page: a new rating, published."""
    client.force_login(new_editor())
    assert act(client, ticket, "open_correction", note="The sum was wrong.").status_code == 302
    client.force_login(checker)
    drafted = act(
        client,
        ticket,
        "save_draft",
        rating=rating("mostly-false").pk,
        summary="The bridge cost about 2.4 million.",
        explanation="The audit was revised.",
        short_claim="The bridge cost 4m.",
    )
    assert drafted.status_code == 302
    assert act(client, ticket, "submit", note="").status_code == 302
    client.force_login(new_editor())
    voted = act(client, ticket, "vote", rating=rating("mostly-false").pk)
    assert voted.status_code == 302
    published = act(client, ticket, "publish", correction_note="We corrected the sum.")
    assert published.status_code == 302


def make(change, client, server, ticket, checker, source, second, other_checker) -> None:
    """Make one kind of public change, as the desk (or its jobs) would."""
    if change == "source archived again":
        server.route("/report", page(REPORT_CHANGED))
        client.force_login(new_editor())
        assert act(client, ticket, "refetch", source=source.pk).status_code == 302
        source_fetch(source_id=source.pk)
    elif change == "source re-checked":
        server.route("/report", page(REPORT.replace(b"harbour", b"canal")))
        source_recheck(source_id=source.pk)
    elif change == "second verdict quotes the snapshot":
        publish_through_the_desk(client, second, other_checker, note="Same audit.")
    elif change == "retraction":
        client.force_login(new_editor())
        assert act(client, ticket, "retract", reason="Forged documents.").status_code == 302
    elif change == "correction":
        correct(client, ticket, checker)
    elif change == "rating wording":
        Rating.objects.filter(slug="false").update(label="Wrong", updated_at=timezone.now())
    elif change == "article edit":
        article = ticket.claim.article
        article.title = "A new headline"
        article.save()
    elif change == "embargo renewed":
        article = ticket.claim.article
        article.embargo_until = timezone.now() + timedelta(days=1)
        article.save()


CHANGES = {
    # A newer snapshot of a source the verdict shows: "the live page has changed since".
    "source archived again": ["verdict page", "api detail"],
    # The live page's re-check: the API shows its link status.
    "source re-checked": ["verdict page", "api detail", "api list"],
    # A second verdict now quotes the same archived copy, which marks its passage.
    "second verdict quotes the snapshot": ["archive page", "front page", "site atom", "api list"],
    "retraction": [*VERDICT_RESOURCES],
    "correction": [*VERDICT_RESOURCES, "archive page"],
    "rating wording": [*VERDICT_RESOURCES],
    "article edit": ["verdict page", "article page", "api detail", "api claimreview"],
    "embargo renewed": [*VERDICT_RESOURCES, "archive page"],
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_public_change_moves_the_etag_of_everything_that_shows_it(
    client, server, checker, change
):
    ticket, _pinned, _approver = publish_through_the_desk(
        client, researched(server, checker), checker
    )
    other_checker = new_fact_checker()
    second = researched(server, other_checker, slug="harbour-piece")
    source = Source.objects.get()
    urls = resources(ticket.verdict, source.last_snapshot_id)
    client.logout()
    before = {name: client.get(url) for name, url in urls.items()}
    for name, response in before.items():
        assert response.status_code == 200, name
        assert client.get(urls[name], HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304

    make(change, client, server, ticket, checker, source, second, other_checker)

    client.logout()
    for name in CHANGES[change]:
        again = client.get(urls[name], HTTP_IF_NONE_MATCH=before[name]["ETag"])
        assert again.status_code != 304, f"{name} still answers 304 after: {change}"


def test_every_resource_answers_304_from_one_query(
    client, server, checker, django_assert_num_queries
):
    ticket, _pinned, _approver = publish_through_the_desk(
        client, researched(server, checker), checker
    )
    urls = resources(ticket.verdict, Source.objects.get().last_snapshot_id)
    client.logout()

    for name, url in urls.items():
        etag = client.get(url)["ETag"]
        with django_assert_num_queries(1):
            again = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304, name


# What the API renders and keeps in the cache, asked for as a client would.
API_BODIES = ["api list", "api detail", "api list page"]


@pytest.mark.parametrize("change", [*CHANGES, "revision's rating replaced in place"])
def test_a_change_after_a_kept_body_is_seen_at_once(client, server, checker, change):
    ticket, _pinned, _approver = publish_through_the_desk(
        client, researched(server, checker), checker
    )
    other_checker = new_fact_checker()
    second = researched(server, other_checker, slug="harbour-piece")
    source = Source.objects.get()
    urls = resources(ticket.verdict, source.last_snapshot_id)
    urls["api list page"] = "/api/v1/verdicts/?page_size=1"
    client.logout()
    kept = {name: client.get(urls[name]).content for name in API_BODIES}
    assert {name: client.get(urls[name]).content for name in API_BODIES} == kept

    if change == "revision's rating replaced in place":
        # Not something the desk does (revisions are immutable), but the body must follow.
        VerdictRevision.objects.filter(pk=ticket.verdict.published_revision_id).update(
            rating=rating("mostly-false")
        )
    else:
        make(change, client, server, ticket, checker, source, second, other_checker)

    client.logout()
    served = {name: client.get(urls[name]).content for name in API_BODIES}
    cache.clear()
    rendered = {name: client.get(urls[name]).content for name in API_BODIES}
    for name in API_BODIES:
        assert served[name] == rendered[name], f"{name} served a kept body after: {change}"
    if change in ("retraction", "correction", "rating wording", "embargo renewed"):
        assert served["api list"] != kept["api list"], change


def test_an_unchanged_page_asked_again_costs_one_query_and_the_same_bytes(
    client, server, checker, django_assert_num_queries
):
    ticket, _pinned, _approver = publish_through_the_desk(
        client, researched(server, checker), checker
    )
    client.logout()
    for url in ("/api/v1/verdicts/", f"/api/v1/verdicts/{ticket.verdict.pk}/"):
        first = client.get(url)
        with django_assert_num_queries(1):
            again = client.get(url)
        assert (again.status_code, again.content, again["ETag"]) == (
            200,
            first.content,
            first["ETag"],
        )
        assert again["Content-Type"] == first["Content-Type"] == "application/json"
