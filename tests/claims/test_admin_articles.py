"""The fact-checkers' article and claim screens render, filter, and cost constant queries."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.errors import ClaimsError
from claims.models import Article, Claim
from claims.services import article_update
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

SENTENCE = "The council spent {n} million dollars on bridges in 2023. "
_serials = itertools.count(1)


def article_with(claims: int) -> Article:
    """Return an article whose plain text holds `claims` sentences, each one a claim."""
    serial = next(_serials)
    text = "".join(SENTENCE.format(n=f"{serial}.{n + 1}") for n in range(claims)).strip()
    article = ArticleFactory(body=text, plain_text=text)
    start = 0
    for position in range(claims):
        end = text.index("2023.", start) + len("2023.")
        ClaimFactory(
            article=article,
            start=start,
            end=end,
            position=position,
            score=0.9 - position / (claims * 2),
            checkworthy=position % 2 == 0,
            attributed_uncited=position % 3 == 0,
        )
        start = end + 1
    return article


@pytest.fixture
def checker_client(client):
    client.force_login(UserFactory(role="Fact-checker"))
    return client


def queries_for(client, url: str) -> int:
    """Return the queries a second request for `url` costs (the first fills Django's caches)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page",
    ["admin:claims_article_changelist", "admin:claims_claim_changelist"],
)
def test_lists_cost_the_same_queries_for_one_claim_and_for_many(checker_client, page):
    article_with(1)
    few = queries_for(checker_client, reverse(page))
    for _ in range(5):
        article_with(8)
    assert queries_for(checker_client, reverse(page)) == few


@pytest.mark.django_db
def test_the_article_page_costs_the_same_queries_for_one_claim_and_for_forty(checker_client):
    small, large = article_with(1), article_with(40)
    url = lambda a: reverse("admin:claims_article_change", args=[a.pk])  # noqa: E731
    assert queries_for(checker_client, url(large)) == queries_for(checker_client, url(small))


@pytest.mark.django_db
def test_the_claim_page_costs_the_same_queries_whatever_the_article_size(checker_client):
    small, large = article_with(1), article_with(40)
    url = lambda a: reverse("admin:claims_claim_change", args=[a.claims.first().pk])  # noqa: E731
    assert queries_for(checker_client, url(large)) == queries_for(checker_client, url(small))


@pytest.mark.django_db
def test_the_claim_page_marks_the_claim_inside_its_paragraph_and_lists_the_reasons(
    checker_client,
):
    text = "First paragraph stays out.\nThe port moved 9 million containers. It feels busy.\nLast."
    article = ArticleFactory(body=text, plain_text=text)
    start = text.index("The port")
    claim = ClaimFactory(
        article=article,
        start=start,
        end=text.index("It feels") - 1,
        reasons=["contains a figure: 9 million"],
    )
    page = checker_client.get(
        reverse("admin:claims_claim_change", args=[claim.pk])
    ).content.decode()
    assert "<mark>The port moved 9 million containers.</mark> It feels busy." in page
    assert "First paragraph stays out." not in page.split("claim-context", 1)[1].split("</p>")[0]
    assert "<li>contains a figure: 9 million</li>" in page


@pytest.mark.django_db
def test_a_claim_with_markup_is_escaped_in_its_context(checker_client):
    text = "Officials wrote <script>alert(1)</script> in a 2023 memo."
    article = ArticleFactory(body=text, plain_text=text)
    claim = ClaimFactory(article=article, start=0, end=len(text))
    page = checker_client.get(
        reverse("admin:claims_claim_change", args=[claim.pk])
    ).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("checkworthy__exact=1", {0, 2}),
        ("attributed_uncited__exact=1", {0, 3}),
        ("score=high", {0, 1}),
    ],
)
def test_the_claim_list_filters_by_worthiness_uncited_attribution_and_score(
    checker_client, query, expected
):
    article = article_with(4)
    response = checker_client.get(reverse("admin:claims_claim_changelist") + "?" + query)
    shown = {claim.position for claim in response.context["cl"].result_list}
    assert shown == expected
    assert all(claim.article_id == article.pk for claim in Claim.objects.all())


def posted_form(response) -> dict:
    """Return the change page's form data as the browser would post it back unchanged."""
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form[name].value()
        widget = field.widget
        if hasattr(widget, "widgets"):
            parts = widget.decompress(value) if not isinstance(value, list) else value
            for index, part in enumerate(parts):
                data[f"{name}_{index}"] = "" if part is None else part
        else:
            data[name] = "" if value is None else value
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for row in inline.formset.forms:
            for name in row.fields:
                value = row[name].value()
                data[row.add_prefix(name)] = "" if value is None else value
    return data


@pytest.mark.django_db
def test_an_editor_sets_an_embargo_through_the_article_page_and_its_service(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    article = article_with(2)
    url = reverse("admin:claims_article_change", args=[article.pk])
    data = posted_form(client.get(url))
    data.update({"title": "Bridges, revisited", "embargo_until_0": "2031-05-01"})
    data["embargo_until_1"] = "09:00:00"

    response = client.post(url, data)

    assert response.status_code == 302, response.content[:2000]
    article.refresh_from_db()
    assert article.title == "Bridges, revisited"
    assert article.embargo_until is not None and article.embargo_until.year == 2031


@pytest.mark.django_db
def test_the_article_service_refuses_to_change_what_was_received():
    article = article_with(1)

    editor = UserFactory(is_superuser=True)
    with pytest.raises(ClaimsError, match="cannot be edited: body"):
        article_update(article=article, by=editor, body="Another piece entirely.")
    article.refresh_from_db()
    assert "bridges" in article.body


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["article", "claim"])
def test_change_pages_offer_no_view_on_site_link_back_to_themselves(checker_client, model):
    article = article_with(1)
    obj = article if model == "article" else article.claims.get()
    url = reverse(f"admin:claims_{model}_change", args=[obj.pk])
    response = checker_client.get(url)
    assert response.status_code == 200
    assert b"viewsitelink" not in response.content
    assert (
        reverse("admin:view_on_site", args=[0, 0]).split("0/0/")[0].encode() not in response.content
    )
