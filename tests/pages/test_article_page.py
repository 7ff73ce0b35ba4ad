"""The annotated article marks only claims with a public verdict, in place, escaped."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.workflow import Stage
from tests.pages.factories import checked, piece, verdict_of

TEXT = (
    "Shares of “Acme & Sons” rose 40% in 2023, the company’s report says.\n"
    "The council spent 4 million dollars on the bridge. Nobody asked why.\n"
    "Unemployment fell to 3% last year. The mayor promised more jobs.\n"
    "Wages doubled since 2010."
)
ACME = "Shares of “Acme & Sons” rose 40% in 2023, the company’s report says."
BRIDGE = "The council spent 4 million dollars on the bridge."
JOBS = "Unemployment fell to 3% last year."
WAGES = "Wages doubled since 2010."


def page_of(client, article):
    return client.get(reverse("article_page", args=[article.slug]))


@pytest.mark.django_db
def test_each_public_verdict_is_marked_at_its_claims_offsets_and_links_to_it(client):
    article = piece(TEXT)
    acme = checked(article, ACME, rated="true")
    bridge = checked(article, BRIDGE, rated="false")
    response = page_of(client, article)
    html = response.content.decode()
    assert response.status_code == 200
    expected_acme = (
        f'<a class="claim-link" href="/verdicts/{verdict_of(acme).pk}/" id="claim-{acme.claim_id}">'
        '<mark class="claim-mark rating-true">Shares of “Acme &amp; Sons” rose 40% in 2023, '
        "the company’s report says.</mark>"
    )
    assert expected_acme in html
    assert (
        f'href="/verdicts/{verdict_of(bridge).pk}/" id="claim-{bridge.claim_id}"><mark '
        f'class="claim-mark rating-false">{BRIDGE}</mark>'
    ) in html
    # The text around the marks is all there, in its paragraphs.
    assert '</mark><span class="rating-badge rating-false">' in html
    assert "<p>Unemployment fell to 3% last year. The mayor promised more jobs.</p>" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "stage",
    [
        Stage.NEW,
        Stage.QUEUED,
        Stage.RESEARCHING,
        Stage.IN_REVIEW,
        Stage.CHANGES_REQUESTED,
        Stage.APPROVED,
    ],
)
def test_a_claim_whose_verdict_is_not_public_is_never_marked(client, stage):
    article = piece(TEXT)
    checked(article, BRIDGE, rated="false")
    hidden = checked(article, JOBS, stage, rated="true")
    html = page_of(client, article).content.decode()
    assert f"claim-{hidden.claim_id}" not in html
    assert "rating-true" not in html.split("<main", 1)[1].split("</article>", 1)[0]
    assert "<p>Unemployment fell to 3% last year. The mayor promised more jobs.</p>" in html


@pytest.mark.django_db
def test_a_scheduled_verdict_stays_hidden_until_the_embargo_lifts(client, editor):
    article = piece(TEXT)
    checked(article, BRIDGE, rated="false")
    ticket = checked(article, JOBS, Stage.APPROVED, rated="true")
    article.embargo_until = timezone.now() + timedelta(hours=1)
    article.save(update_fields=["embargo_until"])
    services.verdict_publish(ticket=ticket, by=editor)
    # Under embargo nothing of the piece is public, not even its published verdicts.
    assert page_of(client, article).status_code == 404
    article.embargo_until = timezone.now() - timedelta(seconds=1)
    article.save(update_fields=["embargo_until"])
    assert f"claim-{ticket.claim_id}" not in page_of(client, article).content.decode()
    services.verdicts_publish_due()
    assert f'id="claim-{ticket.claim_id}"' in page_of(client, article).content.decode()


@pytest.mark.django_db
def test_a_piece_without_a_public_verdict_is_not_found(client):
    article = piece(TEXT)
    checked(article, BRIDGE, Stage.IN_REVIEW)
    assert page_of(client, article).status_code == 404
    assert client.get("/articles/no-such-piece/").status_code == 404


@pytest.mark.django_db
def test_the_summary_counts_checked_claims_by_rating_with_retractions_apart(client):
    article = piece(TEXT)
    checked(article, ACME, rated="false")
    checked(article, BRIDGE, rated="false")
    checked(article, JOBS, rated="mostly-true")
    checked(article, WAGES, Stage.RETRACTED, rated="true")
    response = page_of(client, article)
    assert [(rating.slug, n) for rating, n in response.context["tally"]] == [
        ("mostly-true", 1),
        ("false", 2),
    ]
    assert response.context["retracted"] == 1
    html = response.content.decode()
    assert "<strong>4</strong> claims checked" in html
    assert '<mark class="claim-mark rating-retracted">Wages doubled since 2010.</mark>' in html


@pytest.mark.django_db
def test_a_claim_holding_markup_is_shown_as_text(client):
    text = 'The memo said <script>alert("pwned")</script> costs 5 dollars.\nMore text.'
    article = piece(text)
    checked(article, 'The memo said <script>alert("pwned")</script> costs 5 dollars.')
    html = page_of(client, article).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; costs 5 dollars.</mark>" in html


@pytest.mark.django_db
def test_the_page_is_cacheable_and_answers_a_repeat_with_not_modified(client):
    article = piece(TEXT)
    ticket = checked(article, BRIDGE)
    first = page_of(client, article)
    assert first["Cache-Control"] == "public, max-age=60"
    assert first["ETag"] and first["Last-Modified"]
    repeat = client.get(
        reverse("article_page", args=[article.slug]), HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert repeat.status_code == 304
    checked(article, JOBS)
    changed = client.get(
        reverse("article_page", args=[article.slug]), HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert changed.status_code == 200
    assert ticket.claim.text in changed.content.decode()


@pytest.mark.django_db
def test_the_page_sends_a_csp_without_inline_script_or_style(client):
    article = piece(TEXT)
    checked(article, BRIDGE)
    response = page_of(client, article)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    html = response.content.decode()
    assert " style=" not in html and "<style" not in html
    # The only script element is the ClaimReview data block.
    assert html.count("<script") == html.count('<script type="application/ld+json">') == 1


@pytest.mark.django_db
def test_the_page_needs_no_session_so_caches_may_share_it(client):
    article = piece(TEXT)
    checked(article, BRIDGE)
    response = page_of(client, article)
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies


@pytest.mark.django_db
def test_only_a_web_address_links_to_the_original(client):
    article = piece(TEXT, url="https://gazette.example/op-ed")
    checked(article, BRIDGE)
    assert 'href="https://gazette.example/op-ed"' in page_of(client, article).content.decode()
    article.url = "javascript:alert(document.cookie)"
    article.save(update_fields=["url"])
    html = page_of(client, article).content.decode()
    assert 'href="javascript:' not in html and "Read the original" not in html


@pytest.mark.django_db
def test_the_pieces_own_links_are_listed_under_their_paragraph_never_the_desks(client, editor):
    from claims.services.citations import citation_add
    from reviews.services import article_receive

    body = (
        "# A column on the bridge\n\n"
        "The council spent 4 million dollars on the bridge, "
        "[the budget shows](https://city.example/budget). Nobody asked why.\n\n"
        "Unemployment fell to 3% last year, [says the agency](javascript:alert(1)).\n"
    )
    article = article_receive(body=body, title="A column on the bridge", fmt="markdown").article
    checked(article, "The council spent 4 million dollars on the bridge")
    # A URL the desk adds while researching is private research, not the piece's link.
    citation_add(
        claim=article.claims.order_by("start").first(),
        url="https://private.example/research",
        by=editor,
    )
    html = page_of(client, article).content.decode()
    text = html.split('class="piece-text"')[1].split("</div>")[0]
    links = text.split('class="piece-links"')
    assert len(links) == 2  # one paragraph with a web link; the javascript: one is not shown
    assert (
        'href="https://city.example/budget" rel="external nofollow noopener">the budget shows'
        in (links[1])
    )
    assert text.index("bridge") < text.index('class="piece-links"') < text.index("Unemployment")
    assert "private.example" not in html and 'href="javascript:' not in html
